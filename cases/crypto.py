"""Resident ID numbers at rest: Fernet ciphertext, plus keyed hashes for lookups.

A ``Member`` or ``LaborModel`` keeps three columns for its ID number:

- ``id_number``: the Fernet token (AES-128-CBC + HMAC); Python code reads and writes the
  plaintext, the field encrypts and decrypts (``cases.fields.EncryptedResidentIDField``);
- ``id_number_digest``: HMAC-SHA256 of the whole number, for exact lookups and uniqueness;
- ``id_number_tail``: HMAC-SHA256 of its last four characters, for "search by the last digits".

No column holds the region, birth date or last digits in clear: with the birth date stored
beside it, a clear masked form (412822********123X) would give the whole number back.
Both keys come from the environment (``FIELD_ENCRYPTION_KEY``, ``FIELD_HASH_KEY``).

Notes for code that writes rows without ``Model.save``:

- ``bulk_create`` fills all three columns (the fields' ``pre_save`` runs).
- ``bulk_update``: call ``fill_resident_id_columns(obj)`` first and list
  ``RESIDENT_ID_COLUMNS`` in ``fields``.
- COPY / raw SQL: write ``encrypt_resident_id(v)``, ``resident_id_digest(v)`` and
  ``resident_id_tail_digest(v)`` into the three columns ("" for each when there is no number).
- Lookups: ``Member.objects.filter(id_number=v)`` and ``id_number__iendswith`` (four characters
  or the whole number) are translated to the hash columns; ``resident_id_digest(v)`` serves
  code that compares digests itself (e.g. an import matching a file against the register).
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

RESIDENT_ID_COLUMNS = ("id_number", "id_number_digest", "id_number_tail")
TAIL_LENGTH = 4


def normalise_resident_id(value):
    """As stored and compared: no surrounding spaces, an upper-case check character X."""
    return str(value).strip().upper() if value else ""


@cache
def _fernet(keys):
    return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()])


def fernet():
    return _fernet(settings.FIELD_ENCRYPTION_KEY)


def encrypt_resident_id(value):
    value = normalise_resident_id(value)
    return fernet().encrypt(value.encode()).decode() if value else ""


def decrypt_resident_id(token):
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise InvalidToken(
            "A resident ID number cannot be decrypted: FIELD_ENCRYPTION_KEY does not hold the "
            "key it was encrypted with."
        ) from error


def _hmac(purpose, value):
    # The purpose is mixed in so a whole-number digest can never equal a last-digits digest.
    message = f"{purpose}:{value}".encode()
    return hmac.new(settings.FIELD_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


def resident_id_digest(value):
    value = normalise_resident_id(value)
    return _hmac("id", value) if value else ""


def resident_id_tail_digest(value):
    """The keyed hash of the last four characters of ``value`` (a whole number or just them)."""
    value = normalise_resident_id(value)
    return _hmac("tail", value[-TAIL_LENGTH:]) if len(value) >= TAIL_LENGTH else ""


def fill_resident_id_columns(obj, field_name="id_number"):
    """Set the hash columns of ``obj`` from its plaintext ID number (before a bulk_update)."""
    value = getattr(obj, field_name)
    setattr(obj, f"{field_name}_digest", resident_id_digest(value))
    setattr(obj, f"{field_name}_tail", resident_id_tail_digest(value))
