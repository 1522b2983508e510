"""Files at rest encrypted: background export files and uploaded import files.

Both hold whole resident ID numbers, so they are stored only encrypted, under a key derived
from ``FIELD_ENCRYPTION_KEY`` (the first key encrypts, every key decrypts, as for the ID number
columns in ``cases.crypto``). Files can be large (a 50 MB upload, an export of 100,000s of
rows), so the format is a stream of sealed chunks (the STREAM construction of Hoang,
Reyhanitabar, Rogaway and Vizár, as in Tink's streaming AEAD): neither writing nor reading
holds the whole file.

    header  MAGIC (8 bytes) || salt (16 random bytes) || nonce prefix (7 random bytes)
    chunk   AES-256-GCM(plaintext, nonce = prefix || chunk number (4 bytes) || last (1 byte),
                        associated data = the header)   -> ciphertext || 16-byte tag

The file's key is HKDF-SHA256(configured key, salt), so no two files share a key and a
nonce. Every chunk but the last holds exactly ``CHUNK_BYTES`` of plaintext; the last holds
fewer (perhaps none) and is sealed as the last. So a changed byte, chunks dropped, repeated
or swapped, a file cut short (even at a chunk boundary) or with bytes appended, a file of
another key and a file that is not encrypted at all (one stored before files were encrypted)
all fail to open with ``FileDecryptionError``.

Keys: the files are short-lived (exports ``EXPORT_FILE_HOURS``, uploads ``IMPORT_FILE_DAYS``
after their run ends), so rotating ``FIELD_ENCRYPTION_KEY`` needs nothing more for them than
keeping the old key in the list until the files it sealed have expired.

- Writing: ``encrypted_into(field_file, name)`` yields a binary file to write the plaintext
  to (``EncryptingWriter``); the file is stored when the block ends without an error.
- Reading: ``chunks(field_file)`` streams the plaintext (a download); ``verify`` checks the
  whole file first, so a damaged one is refused before a response starts;
  ``decrypted_copy`` gives the seekable file that openpyxl, xlrd and the CSV reader need.
"""

import io
import os
import tempfile
from base64 import urlsafe_b64decode
from contextlib import contextmanager

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.files import File

from cases.crypto import configured_keys

MAGIC = b"RPFILE\x00\x01"  # the format's name and version
SALT_BYTES = 16
PREFIX_BYTES = 7
HEADER_BYTES = len(MAGIC) + SALT_BYTES + PREFIX_BYTES
CHUNK_BYTES = 64 * 1024
TAG_BYTES = 16
SEGMENT_BYTES = CHUNK_BYTES + TAG_BYTES
MAX_CHUNKS = 2**32  # the chunk number has 4 bytes: 256 TiB, far past any file here
INFO = b"reliefportal file AES-256-GCM"


class FileDecryptionError(Exception):
    """The stored file cannot be decrypted: damaged, cut short, sealed with a key no longer
    configured, or not encrypted at all. The message is for the log, not for the user."""


def _cipher(key, salt):
    return AESGCM(
        HKDF(algorithm=SHA256(), length=32, salt=salt, info=INFO).derive(urlsafe_b64decode(key))
    )


def _nonce(prefix, number, last):
    if number >= MAX_CHUNKS:
        raise OverflowError("the file has more chunks than the format can number")
    return prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A binary file that writes what it is given to ``raw``, encrypted, chunk by chunk.

    Use it as a context manager: leaving the block normally seals the last chunk; leaving it
    with an exception does not, so a write broken off never reads back as a whole file.
    ``raw`` stays open."""

    def __init__(self, raw):
        super().__init__()
        salt, self._prefix = os.urandom(SALT_BYTES), os.urandom(PREFIX_BYTES)
        self._header = MAGIC + salt + self._prefix
        self._aead = _cipher(configured_keys(settings.FIELD_ENCRYPTION_KEY)[0], salt)
        self._raw = raw
        self._buffer = bytearray()
        self._number = 0
        self._abandoned = False
        raw.write(self._header)

    def writable(self):
        return True

    def write(self, data):
        if self.closed:
            raise ValueError("write to a closed file")
        data = memoryview(data).cast("B")
        self._buffer += data
        # Only whole chunks are sealed here: the last one, sealed at close, is always shorter.
        while len(self._buffer) >= CHUNK_BYTES:
            self._seal(bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]
        return data.nbytes

    def _seal(self, plaintext, *, last):
        nonce = _nonce(self._prefix, self._number, last)
        self._raw.write(self._aead.encrypt(nonce, plaintext, self._header))
        self._number += 1

    def close(self):
        if not self.closed and not self._abandoned:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()

    def __exit__(self, exc_type, exc_value, traceback):
        self._abandoned = exc_type is not None
        return super().__exit__(exc_type, exc_value, traceback)


def _read_exactly(raw, size):
    data = bytearray()
    while len(data) < size and (piece := raw.read(size - len(data))):
        data += piece
    return bytes(data)


def decrypted_chunks(raw):
    """The plaintext of the encrypted binary file ``raw``, chunk by chunk, each checked
    before it is given. Raises ``FileDecryptionError`` at the first chunk that fails, so a
    consumer may have had the chunks before it: check the whole file first (``verify``) when
    nothing may be sent before the end is known good."""
    header = _read_exactly(raw, HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise FileDecryptionError("not an encrypted file of this format (no header)")
    salt, prefix = header[len(MAGIC):-PREFIX_BYTES], header[-PREFIX_BYTES:]
    # Every configured key is tried on the first chunk; the one that opens it opens the rest.
    ciphers = [_cipher(key, salt) for key in configured_keys(settings.FIELD_ENCRYPTION_KEY)]
    number = 0
    while True:
        segment = _read_exactly(raw, SEGMENT_BYTES)
        last = len(segment) < SEGMENT_BYTES
        if len(segment) < TAG_BYTES:
            raise FileDecryptionError(f"the file is cut short after chunk {number}")
        nonce = _nonce(prefix, number, last)
        for aead in ciphers:
            try:
                plaintext = aead.decrypt(nonce, segment, header)
            except InvalidTag:
                continue
            ciphers = [aead]
            break
        else:
            raise FileDecryptionError(
                f"chunk {number} does not open: the file is damaged, cut short or reordered, "
                "or FIELD_ENCRYPTION_KEY no longer holds the key it was sealed with"
            )
        yield plaintext
        if last:
            return
        number += 1


@contextmanager
def encrypted_into(field_file, name):
    """Yields a binary file; what is written to it is stored, encrypted, as ``field_file``
    (a ``FieldFile``, not saved to the database) under ``name`` when the block ends without
    an error. Only ciphertext reaches the disk, through an anonymous temporary file."""
    with tempfile.TemporaryFile() as sealed:
        with EncryptingWriter(sealed) as writer:
            yield writer
        sealed.seek(0)
        field_file.save(name, File(sealed), save=False)


def chunks(field_file):
    """The plaintext of the stored ``field_file``, chunk by chunk (for a streamed download)."""
    with field_file.storage.open(field_file.name, "rb") as stored:
        yield from decrypted_chunks(stored)


def verify(field_file):
    """Checks every chunk of the stored ``field_file``; returns the plaintext's size in bytes.
    Raises ``FileDecryptionError`` (or ``OSError`` for a file that is gone)."""
    return sum(len(plaintext) for plaintext in chunks(field_file))


def decrypted_copy(field_file, max_memory):
    """A seekable copy of the plaintext of the stored ``field_file``, positioned at its start,
    for readers that seek (openpyxl and zipfile, the CSV reader's passes, xlrd); close it.

    The copy is a ``SpooledTemporaryFile`` held in memory up to ``max_memory`` bytes: the
    callers pass their upload limit, so the plaintext of any accepted upload never reaches the
    disk. Past it (a limit lowered later) it moves to an anonymous temporary file, which has
    no name on disk (unlinked at once, O_TMPFILE) and is gone when closed, even if the
    process dies."""
    copy = tempfile.SpooledTemporaryFile(max_size=max_memory)  # noqa: SIM115 (the caller closes it)
    try:
        for plaintext in chunks(field_file):
            copy.write(plaintext)
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy
