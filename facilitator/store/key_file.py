"""The data key of an encrypted data folder, and the small file that keeps it wrapped.

The database is a SQLCipher file whose key is a random 256-bit data key, never a
word a person types. The data key is kept in `facilitator.key` beside it (0600),
wrapped twice:

- under the facilitator's passphrase: scrypt (memory-hard) turns the passphrase
  into a key, and AES-256-GCM seals the data key with it;
- under the office's age recipient, once the laptop trusts an office: the escrow
  that lets the office give a facilitator who forgot the passphrase a new one.

Changing the passphrase rewraps the same data key; the database is not touched.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from facilitator.core.errors import FacilitatorError
from facilitator.core.files import write_atomic
from facilitator.core.paths import DATABASE_NAME, KEY_FILE_NAME

DATA_KEY_BYTES = 32
FORMAT = "facilitator-key-1"
# Bound to the wrapped key, so a sealed key cannot be passed off as anything else.
AAD = b"facilitator data key v1"
MIN_PASSPHRASE = 8
MAX_PASSPHRASE = 1024
# A key file is a few hundred bytes; anything much larger is not one.
MAX_KEY_FILE = 64 * 1024
# An age X25519 recipient: "age1" and 58 characters of Bech32.
AGE_RECIPIENT = re.compile(r"age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}")
# The first bytes of every plain SQLite file. An encrypted file starts with random salt.
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class KdfCost:
    """scrypt's work factors: n (CPU and memory), r (block size), p (parallelism)."""

    n: int
    r: int
    p: int

    @property
    def memory(self) -> int:
        return 128 * self.n * self.r * self.p


# About 0.4 s and 128 MiB on an ordinary laptop (OWASP's minimum for scrypt). The cost a key
# file was made with is written in it, so unlocking always uses the cost it was made with.
KDF_COST = KdfCost(n=2**17, r=8, p=1)
# Bounds on a cost read from a file: it can make unlocking slow, never exhaust the machine.
MAX_KDF = KdfCost(n=2**22, r=32, p=16)
MAX_KDF_MEMORY = 1024 * 1024 * 1024


class KeyFileError(FacilitatorError):
    """The key file is missing, unreadable or not one."""


class WrongPassphrase(FacilitatorError):
    """The passphrase does not unwrap the data key."""

    def __init__(self, message: str = "that passphrase is not right; nothing was changed") -> None:
        super().__init__(message)


class WrongIdentity(FacilitatorError):
    """The identity does not unwrap the escrowed data key."""


@dataclass(frozen=True)
class Wrapped:
    """The data key sealed under a passphrase."""

    cost: KdfCost
    salt: bytes
    nonce: bytes
    sealed: bytes


@dataclass(frozen=True)
class KeyFile:
    """What `facilitator.key` holds: the data key wrapped by the passphrase, and the escrow."""

    passphrase: Wrapped
    escrow_recipient: str | None = None
    escrow: str | None = None  # an age file holding the data key, in base64

    # ------------------------------------------------------------ the file

    @staticmethod
    def path(data_dir: Path) -> Path:
        return data_dir / KEY_FILE_NAME

    @classmethod
    def exists(cls, data_dir: Path) -> bool:
        return cls.path(data_dir).exists()

    @classmethod
    def load(cls, data_dir: Path) -> KeyFile:
        path = cls.path(data_dir)
        try:
            raw = _read_file(path, MAX_KEY_FILE + 1)
        except FileNotFoundError:
            raise KeyFileError(
                f"the database in {data_dir} is encrypted but its key file {KEY_FILE_NAME} is missing; "
                "put it back from a backup, or ask the office to recover the folder"
            ) from None
        except OSError as error:
            raise KeyFileError(f"cannot read the key file {path}: {error.strerror}") from None
        if raw is None:
            raise KeyFileError(f"{path} is not a facilitator key file (not a file)")
        if len(raw) > MAX_KEY_FILE:
            raise KeyFileError(f"{path} is not a facilitator key file (too large)")
        try:
            return cls._parse(json.loads(raw.decode("utf-8")))
        # Python's JSON reads Infinity (OverflowError as an int) and nests as deep as it is told.
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, OverflowError, RecursionError):
            raise KeyFileError(f"{path} is not a facilitator key file, or it is damaged") from None

    @classmethod
    def _parse(cls, data: Any) -> KeyFile:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a key file")
        wrap = data["passphrase"]
        if wrap["kdf"] != "scrypt" or wrap["cipher"] != "aes-256-gcm":
            raise ValueError("unknown algorithm")
        cost = KdfCost(n=int(wrap["n"]), r=int(wrap["r"]), p=int(wrap["p"]))
        if not _acceptable(cost):
            raise ValueError("cost out of bounds")
        wrapped = Wrapped(cost, _b64(wrap["salt"]), _b64(wrap["nonce"]), _b64(wrap["sealed"]))
        if len(wrapped.nonce) != 12 or len(wrapped.sealed) != DATA_KEY_BYTES + 16:
            raise ValueError("wrong sizes")
        escrow = data.get("escrow")
        if not isinstance(escrow, dict):
            return cls(wrapped)
        recipient, sealed = escrow.get("recipient"), escrow.get("age")
        # An escrow that is not one opens nothing: read as none, it is sealed again to the
        # trusted office at the next unlock, and its recipient never reaches a screen.
        if not isinstance(recipient, str) or not AGE_RECIPIENT.fullmatch(recipient):
            return cls(wrapped)
        try:
            _b64(sealed)
        except (TypeError, ValueError):
            return cls(wrapped)
        return cls(wrapped, recipient, sealed)

    def dumps(self) -> str:
        wrap = self.passphrase
        data: dict[str, Any] = {
            "format": FORMAT,
            "passphrase": {
                "kdf": "scrypt",
                "n": wrap.cost.n,
                "r": wrap.cost.r,
                "p": wrap.cost.p,
                "salt": _text(wrap.salt),
                "cipher": "aes-256-gcm",
                "nonce": _text(wrap.nonce),
                "sealed": _text(wrap.sealed),
            },
        }
        if self.escrow is not None:
            data["escrow"] = {"recipient": self.escrow_recipient, "age": self.escrow}
        return json.dumps(data, indent=2) + "\n"

    def save(self, data_dir: Path) -> None:
        """Write the key file whole, or not at all (owner-only)."""
        write_atomic(self.path(data_dir), self.dumps())

    # ------------------------------------------------------------ the keys

    @classmethod
    def new(cls, data_key: bytes, passphrase: str, recipient: str | None = None) -> KeyFile:
        made = cls(wrap(data_key, passphrase))
        return made.with_escrow(data_key, recipient) if recipient else made

    def unwrap(self, passphrase: str) -> bytes:
        """The data key, or WrongPassphrase."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        wrap = self.passphrase
        try:
            return AESGCM(_derive(passphrase, wrap.salt, wrap.cost)).decrypt(wrap.nonce, wrap.sealed, AAD)
        except (InvalidTag, UnicodeEncodeError):  # no passphrase was ever set that is not text
            raise WrongPassphrase() from None

    def rewrapped(self, data_key: bytes, passphrase: str) -> KeyFile:
        """The same data key under a new passphrase; the escrow is kept."""
        return replace(self, passphrase=wrap(data_key, passphrase))

    def with_escrow(self, data_key: bytes, recipient: str) -> KeyFile:
        """The data key also sealed to the office's age recipient."""
        import pyrage

        sealed = pyrage.encrypt(data_key, [pyrage.x25519.Recipient.from_str(recipient)])
        return replace(self, escrow_recipient=recipient, escrow=_text(sealed))

    def recover(self, identities: list[Any]) -> bytes:
        """The data key from the escrow, with the office's identity; or WrongIdentity."""
        import pyrage

        if self.escrow is None:
            raise WrongIdentity(
                "this data folder has no escrowed key: it never trusted an office, so it cannot be recovered"
            )
        try:
            data_key = pyrage.decrypt(_b64(self.escrow), identities)
        except (pyrage.DecryptError, ValueError, binascii.Error):
            raise WrongIdentity(
                f"that identity cannot open this folder's escrow, which was made for {self.escrow_recipient}"
            ) from None
        if len(data_key) != DATA_KEY_BYTES:
            raise WrongIdentity("the escrowed key is damaged")
        return bytes(data_key)


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def wrap(data_key: bytes, passphrase: str, cost: KdfCost | None = None) -> Wrapped:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    cost = cost or KDF_COST
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = AESGCM(_derive(passphrase, salt, cost)).encrypt(nonce, data_key, AAD)
    return Wrapped(cost, salt, nonce, sealed)


def _derive(passphrase: str, salt: bytes, cost: KdfCost) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=cost.n, r=cost.r, p=cost.p).derive(passphrase.encode("utf-8"))


def _acceptable(cost: KdfCost) -> bool:
    power_of_two = cost.n > 1 and cost.n & (cost.n - 1) == 0
    return (
        power_of_two
        and 1 <= cost.r <= MAX_KDF.r
        and 1 <= cost.p <= MAX_KDF.p
        and cost.n <= MAX_KDF.n
        and cost.memory <= MAX_KDF_MEMORY
    )


def check_new_passphrase(passphrase: str) -> str:
    """The passphrase, or a clear error if it is too short, too long or not text."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise FacilitatorError(
            f"a passphrase needs at least {MIN_PASSPHRASE} characters; three or four ordinary words are best"
        )
    if len(passphrase) > MAX_PASSPHRASE:
        raise FacilitatorError(f"a passphrase can have at most {MAX_PASSPHRASE} characters")
    if any(ord(char) < 32 or ord(char) == 127 for char in passphrase):
        raise FacilitatorError("a passphrase cannot hold control characters (tabs, new lines)")
    try:
        passphrase.encode("utf-8")
    except UnicodeEncodeError:
        # Bytes that are not UTF-8, from the environment or a terminal set to another encoding.
        raise FacilitatorError("a passphrase must be text in UTF-8; it is not") from None
    return passphrase


def strength(passphrase: str) -> str:
    """A short, plain hint on how hard a passphrase is to guess."""
    if len(passphrase) < MIN_PASSPHRASE:
        return f"Too short: at least {MIN_PASSPHRASE} characters."
    words = len(passphrase.split())
    if len(passphrase) >= 20 or words >= 4:
        return "Strong."
    if len(passphrase) >= 14 or words >= 3:
        return "Good. Longer is stronger."
    return "Weak: add a word or two (three or four ordinary words are best)."


# ---------------------------------------------------------------- the folder


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_NAME


def is_encrypted(database: Path) -> bool:
    """Whether a database file exists, has content and is not plain SQLite.

    FacilitatorError if it is there but not a file (a pipe would block whoever opens it)."""
    try:
        header = _read_file(database, len(SQLITE_HEADER))
    except OSError:
        return False
    if header is None:
        raise FacilitatorError(f"{database} is not a database file: move it away, or use another data folder")
    return bool(header) and header != SQLITE_HEADER


def is_new(data_dir: Path) -> bool:
    """No database yet (or an empty file) and no key file: nothing to unlock."""
    return _no_database(database_path(data_dir)) and not KeyFile.exists(data_dir)


def needs_key(data_dir: Path) -> bool:
    """Whether opening this folder needs its data key: its database is encrypted, or it
    has no database yet and a key file (made first when the folder was set up)."""
    database = database_path(data_dir)
    if is_encrypted(database):
        return True
    return _no_database(database) and KeyFile.exists(data_dir)


def _no_database(database: Path) -> bool:
    """No database file, or an empty one (FacilitatorError if it is not a file)."""
    return not database.exists() or (not is_encrypted(database) and database.stat().st_size == 0)


def _read_file(path: Path, limit: int) -> bytes | None:
    """Up to `limit` bytes of a regular file; None if it is something else (a folder, a pipe, a
    device), which is never waited on: a pipe with no writer would block opening it for ever."""
    # O_BINARY: on Windows a descriptor is opened in text mode otherwise, and stops at a 0x1A byte.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            return file.read(limit)
    finally:
        os.close(descriptor)


def _b64(value: object) -> bytes:
    if not isinstance(value, str):
        raise TypeError("not text")
    return base64.b64decode(value, validate=True)


def _text(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")
