"""Ed25519 signatures for bundles, and the codes that carry public keys between office and laptops.

Two codes travel by hand (copied, or read from a QR code on screen):

- the **office code**, printed by `keys new` at the office and given to each laptop
  (`keys trust`): the office's device id, its age recipient and its signing key;
- the **enrolment code**, printed by `keys show --enrolment` on a laptop and given to
  the office (`devices enrol`): the laptop's device id and its signing key.

Each code ends with a fingerprint a person can read aloud to compare two screens; it
also catches a code mistyped or cut short. The signatures and keys are the
`cryptography` package's: nothing here is crypto of our own.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from facilitator.core.errors import FacilitatorError

OFFICE_PREFIX = "facilitator-office"
DEVICE_PREFIX = "facilitator-device"
PUBLIC_BYTES = 32
SIGNATURE_BYTES = 64
# A signature covers this, the bundle's header line, its signer and its body.
SIGNATURE_CONTEXT = b"facilitator bundle signature 1\x00"
DEVICE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class CodeError(FacilitatorError):
    """An office or enrolment code that cannot be read."""


def public_key(seed: bytes) -> bytes:
    """The raw 32-byte Ed25519 public key of a signing seed."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign(seed: bytes, message: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(seed).sign(message)


def verify(public: bytes, signature: bytes, message: bytes) -> bool:
    """Whether `signature` is the signature of `message` by the key `public`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if len(public) != PUBLIC_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def encode_key(raw: bytes) -> str:
    """Key or signature bytes as text: URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_key(text: str, size: int) -> bytes | None:
    """The bytes of `encode_key` text, or None if it is not `size` bytes of that."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text or ""):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    return raw if len(raw) == size and encode_key(raw) == text else None


def fingerprint(*parts: str) -> str:
    """A short fingerprint to read aloud: 16 letters and digits in four groups."""
    digest = hashlib.sha256("\x00".join(("facilitator fingerprint", *parts)).encode()).digest()
    text = base64.b32encode(digest[:10]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class EnrolmentCode:
    """What the office needs to enrol a laptop."""

    device_id: str
    public_key: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(DEVICE_PREFIX, self.device_id, self.public_key)

    def __str__(self) -> str:
        return f"{DEVICE_PREFIX}:{self.device_id}:{self.public_key}:{self.fingerprint}"


@dataclass(frozen=True)
class OfficeCode:
    """What a laptop needs to trust the office: whom to encrypt to, whose signature to accept."""

    device_id: str
    recipient: str
    public_key: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(OFFICE_PREFIX, self.device_id, self.recipient, self.public_key)

    def __str__(self) -> str:
        return f"{OFFICE_PREFIX}:{self.device_id}:{self.recipient}:{self.public_key}:{self.fingerprint}"


def key_fingerprint(device_id: str, public_key: str) -> str:
    """The fingerprint of a device's signing key, as its enrolment code shows it."""
    return EnrolmentCode(device_id, public_key).fingerprint


def parse_enrolment_code(text: str) -> EnrolmentCode:
    """An enrolment code, checked; a clear error for anything else (an office code included)."""
    parts = _parts(text)
    if parts and parts[0] == OFFICE_PREFIX:
        raise CodeError(
            "that is an office code: give it to a laptop ('facilitator keys trust CODE'); to enrol a "
            "laptop, give the code its 'facilitator keys show --enrolment' prints"
        )
    if len(parts) != 4 or parts[0] != DEVICE_PREFIX:
        raise CodeError(
            "that is not an enrolment code: on the laptop, run 'facilitator keys show --enrolment' "
            f"and copy the whole line (it starts '{DEVICE_PREFIX}:')"
        )
    _prefix, device_id, public, printed = parts
    if not DEVICE_ID.match(device_id) or decode_key(public, PUBLIC_BYTES) is None:
        raise CodeError("that enrolment code is damaged or mistyped: copy it again from the laptop")
    code = EnrolmentCode(device_id, public)
    if printed.upper() != code.fingerprint:
        raise CodeError(
            "that enrolment code is mistyped: its fingerprint does not match; copy it again from the laptop"
        )
    return code


def parse_office_code(text: str) -> OfficeCode:
    """An office code, checked; a clear error for anything else (a bare age recipient included)."""
    stripped = text.strip()
    if stripped.startswith("age1") and ":" not in stripped:
        raise CodeError(
            "that is only the office's encryption key: give the whole office code that "
            f"'facilitator keys new' printed at the office (it starts '{OFFICE_PREFIX}:')"
        )
    if stripped.startswith("AGE-SECRET-KEY-"):
        raise CodeError(
            "that is the office's private identity: never put it on a laptop; give the office code "
            "that 'facilitator keys new' printed"
        )
    parts = _parts(text)
    if parts and parts[0] == DEVICE_PREFIX:
        raise CodeError(
            "that is a laptop's enrolment code: the office enrols it with 'facilitator devices enrol CODE'"
        )
    if len(parts) != 5 or parts[0] != OFFICE_PREFIX:
        raise CodeError(
            "that is not an office code: copy the whole line that 'facilitator keys new' printed at the "
            f"office (it starts '{OFFICE_PREFIX}:')"
        )
    _prefix, device_id, recipient, public, printed = parts
    if not DEVICE_ID.match(device_id) or decode_key(public, PUBLIC_BYTES) is None:
        raise CodeError("that office code is damaged or mistyped: copy it again from the office")
    from facilitator.sync.keys import check_recipient

    try:
        check_recipient(recipient)
    except FacilitatorError:
        raise CodeError("that office code is damaged or mistyped: copy it again from the office") from None
    code = OfficeCode(device_id, recipient, public)
    if printed.upper() != code.fingerprint:
        raise CodeError(
            "that office code is mistyped: its fingerprint does not match; copy it again from the office"
        )
    return code


def _parts(text: str) -> list[str]:
    if not isinstance(text, str) or len(text) > 1000:
        return []
    return "".join(text.split()).split(":")


@dataclass(frozen=True)
class Signer:
    """A device signing what it sends: its id and its signing seed."""

    device_id: str
    seed: bytes


def signed_message(header: bytes, signer: str, length: int, body_sha256: bytes) -> bytes:
    """What a bundle's signature covers: its header line, its signer, its body's length and hash."""
    said = f"{signer}\n{length}\n".encode("ascii")
    return SIGNATURE_CONTEXT + header + b"\n" + said + body_sha256
