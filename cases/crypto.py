"""Resident ID numbers at rest: AES-256-GCM ciphertext, plus keyed hashes for lookups.

A ``Member`` or ``LaborModel`` keeps three columns for its ID number:

- ``id_number``: the ciphertext token; Python code reads and writes the plaintext, the field
  encrypts and decrypts (``cases.fields.EncryptedResidentIDField``);
- ``id_number_digest``: HMAC-SHA256 of the whole number, for exact lookups and uniqueness;
- ``id_number_tail``: HMAC-SHA256 of its last four characters, for "search by the last digits";
- ``id_number_mask``: the masked form the lists show (412822********123X), encrypted under a
  key of its own (``encrypt_resident_id_mask``), so that PostgreSQL can write it into an export
  (``cases.sql_exports``) without ever holding the key that opens whole numbers.

No column holds the region, birth date or last digits in clear: with the birth date stored
beside it, a clear masked form (412822********123X) would give the whole number back.
Both keys come from the environment (``FIELD_ENCRYPTION_KEY``, ``FIELD_HASH_KEY``).

Tokens are ``v2.`` + url-safe base64 of a random 96-bit nonce and the AES-256-GCM ciphertext
with its tag, under a key derived (HKDF) from the configured key. Rows written before
2026-12-02 hold Fernet tokens (AES-128-CBC + HMAC, ``gAAAAA...``) of the same keys: they are
still read, and ``manage.py reencrypt_resident_ids`` rewrites them. GCM is used because
exports decrypt every row: a Fernet token costs ten times as much to decrypt, as the
library builds a new cipher context for each one.

Notes for code that writes rows without ``Model.save``:

- ``bulk_create`` fills all four columns (the fields' ``pre_save`` runs).
- ``bulk_update``: call ``fill_resident_id_columns(obj)`` first and list
  ``RESIDENT_ID_COLUMNS`` in ``fields``.
- COPY / raw SQL: write ``encrypt_resident_id(v)``, ``resident_id_digest(v)``,
  ``resident_id_tail_digest(v)`` and ``encrypt_resident_id_mask(v)`` into the four columns
  ("" for each when there is no number).
- Lookups: ``Member.objects.filter(id_number=v)`` and ``id_number__iendswith`` (four characters
  or the whole number) are translated to the hash columns; ``resident_id_digest(v)`` serves
  code that compares digests itself (e.g. an import matching a file against the register).
"""

import binascii
import hashlib
import hmac
import os
from base64 import b64encode, urlsafe_b64decode, urlsafe_b64encode
from functools import cache, lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from cases.validators import mask_id_number

RESIDENT_ID_COLUMNS = ("id_number", "id_number_digest", "id_number_tail", "id_number_mask")
TAIL_LENGTH = 4
TOKEN_PREFIX = "v2."
NONCE_BYTES = 12
# Bound into every token: it opens only as a resident ID number, never as another kind of
# value encrypted with the same key.
ASSOCIATED_DATA = b"reliefportal:resident-id"
# Begins every mask's plaintext: PostgreSQL checks it after decrypting (``cases.sql_exports``),
# so a mask opened with the wrong key fails there instead of reading as random characters.
MASK_MARKER = b"mask:"
MASK_IV_BYTES = 16


def normalise_resident_id(value):
    """As stored and compared: no surrounding spaces, an upper-case check character X."""
    return str(value).strip().upper() if value else ""


def configured_keys(keys):
    """The keys of ``FIELD_ENCRYPTION_KEY`` (comma-separated, url-safe base64), as text: the
    first encrypts, all decrypt (key rotation). ``cases.filecrypt`` derives its own from them."""
    return [key.strip() for key in keys.split(",") if key.strip()]


class _Keys:
    """The configured keys: the first encrypts, all decrypt (key rotation)."""

    def __init__(self, keys):
        keys = configured_keys(keys)
        self.legacy = MultiFernet([Fernet(key.encode()) for key in keys])
        self.ciphers = [
            AESGCM(
                HKDF(algorithm=SHA256(), length=32, salt=None,
                     info=b"reliefportal resident ID AES-256-GCM").derive(urlsafe_b64decode(key))
            )
            for key in keys
        ]

    def encrypt(self, plaintext):
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.ciphers[0].encrypt(nonce, plaintext, ASSOCIATED_DATA)
        return TOKEN_PREFIX + urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token):
        if not token.startswith(TOKEN_PREFIX):
            return self.legacy.decrypt(token.encode())
        try:
            data = urlsafe_b64decode(token[len(TOKEN_PREFIX):])
        except (binascii.Error, ValueError):
            raise InvalidToken from None
        if len(data) <= NONCE_BYTES:
            raise InvalidToken
        nonce, sealed = data[:NONCE_BYTES], data[NONCE_BYTES:]
        for cipher in self.ciphers:
            try:
                return cipher.decrypt(nonce, sealed, ASSOCIATED_DATA)
            except InvalidTag:
                continue
        raise InvalidToken


@cache
def _keys(keys):
    return _Keys(keys)


def encrypt_resident_id(value):
    value = normalise_resident_id(value)
    return _keys(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()) if value else ""


def decrypt_resident_id(token):
    if not token:
        return ""
    try:
        return _keys(settings.FIELD_ENCRYPTION_KEY).decrypt(token).decode()
    except InvalidToken as error:
        raise InvalidToken(
            "A resident ID number cannot be decrypted: its token is damaged, or "
            "FIELD_ENCRYPTION_KEY does not hold the key it was encrypted with."
        ) from error


def _hmac(purpose, value):
    # The purpose is mixed in so a whole-number digest can never equal a last-digits digest.
    message = f"{purpose}:{value}".encode()
    return hmac.digest(settings.FIELD_HASH_KEY.encode(), message, "sha256").hex()


def resident_id_digest(value):
    value = normalise_resident_id(value)
    return _hmac("id", value) if value else ""


def register_number_digest(value):
    """The keyed hash of a household register number (a transfer request keeps only this)."""
    value = str(value or "").strip()
    return _hmac("register", value) if value else ""


def resident_id_tail_digest(value):
    """The keyed hash of the last four characters of ``value`` (a whole number or just them)."""
    value = normalise_resident_id(value)
    if len(value) < TAIL_LENGTH:
        return ""
    return _tail_digest(settings.FIELD_HASH_KEY, value[-TAIL_LENGTH:])


@lru_cache(maxsize=20_000)
def _tail_digest(hash_key, tail):
    # Some 11,000 tails exist: an import of many numbers hashes each once. By key too, so a
    # changed FIELD_HASH_KEY is never answered from the cache.
    return _hmac("tail", tail)


@cache
def _mask_keys(keys):
    derived = HKDF(
        algorithm=SHA256(), length=64, salt=None, info=b"reliefportal resident ID mask AES-256-CBC"
    ).derive(urlsafe_b64decode(configured_keys(keys)[0]))
    return derived[:32], derived[32:]


def resident_id_mask_key():
    """The key of the masks, derived from the first ``FIELD_ENCRYPTION_KEY`` for this alone:
    it opens the masked form (region and last four characters), never a whole number. Only
    the first key: after a rotation ``reencrypt_resident_ids`` rewrites every mask."""
    return _mask_keys(settings.FIELD_ENCRYPTION_KEY)[0]


def encrypt_resident_id_mask(value):
    """The masked form of ``value`` (``mask_id_number``), encrypted as pgcrypto's
    ``decrypt_iv(…, 'aes-cbc/pad:pkcs')`` opens it: base64 (the alphabet of PostgreSQL's
    ``decode``) of a 16-byte IV and the AES-256-CBC ciphertext (PKCS#7 padding) of
    ``MASK_MARKER`` + the mask.

    The IV is an HMAC of the plaintext (a synthetic IV, as in SIV), so the same mask always
    encrypts the same way: an export then opens each distinct mask once (PostgreSQL's Memoize),
    not once a row. That shows which rows share region and last four characters, which
    ``id_number_tail`` (a keyed hash of the last four) and the county already show."""
    value = normalise_resident_id(value)
    if not value:
        return ""
    return _encrypted_mask(settings.FIELD_ENCRYPTION_KEY, mask_id_number(value))


@lru_cache(maxsize=20_000)
def _encrypted_mask(keys, mask):
    # The same mask always encrypts the same way (the synthetic IV), and a county's numbers
    # share a few region codes: an import encrypts each distinct mask once.
    key, iv_key = _mask_keys(keys)
    plaintext = MASK_MARKER + mask.encode()
    iv = hmac.new(iv_key, plaintext, hashlib.sha256).digest()[:MASK_IV_BYTES]
    padder = padding.PKCS7(algorithms.AES.block_size).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return b64encode(iv + encryptor.update(padded) + encryptor.finalize()).decode()


def fill_resident_id_columns(obj, field_name="id_number"):
    """Set the hash and mask columns of ``obj`` from its plaintext ID number (before a
    bulk_update)."""
    value = getattr(obj, field_name)
    setattr(obj, f"{field_name}_digest", resident_id_digest(value))
    setattr(obj, f"{field_name}_tail", resident_id_tail_digest(value))
    setattr(obj, f"{field_name}_mask", encrypt_resident_id_mask(value))
