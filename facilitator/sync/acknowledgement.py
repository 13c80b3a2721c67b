"""The office's signed acknowledgement: what it holds of each session a laptop sent.

After an import the office writes one small file per laptop into the folder the
bundles came from (the USB stick), replacing that laptop's previous one there::

    facilitator-ack 1\\n                                     <- the format version
    signed <office device id> <body bytes> <Ed25519 signature>\\n
    {"format": 1, "office": ..., "laptop": ..., "made_at": ..., "sessions": {id: digest}}

The body lists every session the office holds rows of from that laptop, with the
session's digest (`facilitator.sync.status.session_digests`): ids and hashes, never
text. It is signed the way bundles are (`bundle.sign_body`, `bundle.check_signed`),
and its header line, which the signature covers, tells it from a bundle.

The laptop reads the one addressed to it when it syncs with the folder. It counts only
if the office this laptop trusts signed it, it names this laptop, and its stamp is not
more than a day ahead; a session is then confirmed when the digest listed equals the
session's digest here now. Anything else is ignored with one line saying why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from facilitator.core.clock import MAX_AHEAD, parse_stamp
from facilitator.core.errors import FacilitatorError
from facilitator.core.files import write_atomic
from facilitator.store import Store
from facilitator.sync import bundle
from facilitator.sync.bundle import BundleError, Untrusted
from facilitator.sync.enrolment import is_office, signer, trusted_office
from facilitator.sync.signing import DEVICE_ID, PUBLIC_BYTES, Signer, decode_key
from facilitator.sync.status import session_digests

MAGIC = b"facilitator-ack"
FORMAT_VERSION = 1
SUFFIX = ".facilitator-ack"
# An acknowledgement lists ids and hashes: a hundred bytes a session. Past this it is not one.
MAX_FILE = 1 << 20
DIGEST = re.compile(r"^[0-9a-f]{64}$")


class AckError(FacilitatorError):
    """An acknowledgement that does not count: damaged, forged, foreign or for another laptop."""


@dataclass(frozen=True)
class Acknowledgement:
    """What the office holds of one laptop's sessions, and when it said so."""

    office_id: str
    laptop_id: str
    made_at: str
    sessions: dict[str, str]

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT_VERSION,
            "office": self.office_id,
            "laptop": self.laptop_id,
            "made_at": self.made_at,
            "sessions": dict(sorted(self.sessions.items())),
        }


def ack_name(laptop_id: str) -> str:
    """The file name of the acknowledgement for one laptop (one per laptop per folder)."""
    return f"ack-{laptop_id}{SUFFIX}"


def encode(ack: Acknowledgement, by: Signer) -> bytes:
    """The bytes of an acknowledgement, signed by the office."""
    body = json.dumps(ack.to_json(), ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"
    return bundle.sign_body(MAGIC + f" {FORMAT_VERSION}".encode(), body, by)


def decode(data: bytes, name: str, key_of: bundle.KeyOf) -> Acknowledgement:
    """Read and check an acknowledgement's bytes; AckError (one line) for anything wrong."""
    if len(data) > MAX_FILE:
        raise AckError(f"{name} is too large to be an acknowledgement ({len(data):,} bytes): ignored")
    newline = data.find(b"\n", 0, 64)
    if newline < 0 or not data.startswith(MAGIC + b" "):
        raise AckError(f"{name} is not an acknowledgement (or it is truncated): ignored")
    version = data[len(MAGIC) + 1 : newline]
    if not version.isdigit() or int(version) < 1:
        raise AckError(f"{name} is not an acknowledgement (bad header): ignored")
    if int(version) > FORMAT_VERSION:
        raise AckError(f"{name} is acknowledgement format {int(version)}: update facilitator to read it")
    try:
        signed_by, body = bundle.check_signed(data, name, key_of)
    except BundleError as error:
        said = str(error).removesuffix("; refused").removesuffix(": refused")
        raise AckError(f"{said if said.startswith(name) else f'{name} {said}'}: ignored") from None
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise AckError(f"{name} is damaged: its body is not JSON; ignored") from None
    if not _well_formed(value):
        raise AckError(f"{name} is damaged: its body is not an acknowledgement; ignored")
    if value["office"] != signed_by:
        raise AckError(f"{name} is signed by device {signed_by[:8]} but names office {value['office'][:8]}")
    return Acknowledgement(value["office"], value["laptop"], value["made_at"], dict(value["sessions"]))


def _well_formed(value: object) -> bool:
    if not isinstance(value, dict) or value.get("format") != FORMAT_VERSION:
        return False
    ids = (value.get("office"), value.get("laptop"))
    if not all(isinstance(i, str) and DEVICE_ID.match(i) for i in ids):
        return False
    if parse_stamp(value.get("made_at")) is None:
        return False
    sessions = value.get("sessions")
    return isinstance(sessions, dict) and all(
        isinstance(k, str) and len(k) <= 64 and isinstance(v, str) and DIGEST.match(v)
        for k, v in sessions.items()
    )


# ---------------------------------------------------------------- at the office


@dataclass
class AcksWritten:
    """The acknowledgements the office wrote into a folder, and why any could not be written."""

    paths: list[Path] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def write_acknowledgements(store: Store, folder: Path, laptops: Iterable[str]) -> AcksWritten:
    """At the office: into `folder`, each enrolled laptop's acknowledgement of all the office holds
    from it (written whole or not at all, replacing the one there).

    A folder that cannot be written (a read-only stick) is said in `messages`: what was
    imported stays imported, and the next sync writes the acknowledgement.
    """
    done = AcksWritten()
    if not is_office(store):
        return done
    enrolled = {d.device_id for d in store.trust.all() if d.role == "laptop" and not d.revoked}
    by = signer(store)
    for laptop in sorted(set(laptops) & enrolled):
        ack = Acknowledgement(store.device_id, laptop, store.clock.now(), session_digests(store, laptop))
        path = folder / ack_name(laptop)
        try:
            write_atomic(path, encode(ack, by))
        except FacilitatorError as error:
            done.messages.append(f"no acknowledgement for laptop {laptop[:8]}: {error}")
            continue
        done.paths.append(path)
    return done


# ---------------------------------------------------------------- on a laptop


@dataclass
class AckRead:
    """What a laptop made of the acknowledgement in a folder."""

    found: bool = False
    made_at: str | None = None
    confirmed: list[str] = field(default_factory=list)  # sessions it confirmed that were not confirmed before
    messages: list[str] = field(default_factory=list)


def read_acknowledgement(store: Store, folder: Path) -> AckRead:
    """On a laptop: read the acknowledgement addressed to it in `folder`, and record as confirmed
    each session whose digest it lists equals the session's digest here now.

    One that does not count changes nothing, and says why in `messages`; it never raises.
    Acknowledgements for other laptops in a shared folder are theirs, and left alone.
    """
    read = AckRead()
    path = folder / ack_name(store.device_id)
    if is_office(store) or not path.is_file():
        return read
    read.found = True
    try:
        ack = _checked(store, path)
    except AckError as error:
        read.messages.append(str(error))
        return read
    read.made_at = ack.made_at
    digests = session_digests(store)
    records = store.session_sync.all()
    matching = {sid: digest for sid, digest in ack.sessions.items() if digests.get(sid) == digest}
    if matching:
        with store.write() as writer:
            for session_id, digest in sorted(matching.items()):
                store.session_sync.record_confirmed(writer, session_id, digest, ack.made_at)
    # Those confirmed now: an acknowledgement read again on the next run confirms nothing new.
    before = {sid: r.confirmed.digest for sid, r in records.items() if r.confirmed is not None}
    read.confirmed = sorted(sid for sid, digest in matching.items() if before.get(sid) != digest)
    return read


def _checked(store: Store, path: Path) -> Acknowledgement:
    """The acknowledgement at `path`, if the trusted office signed it for this laptop."""
    office = trusted_office(store)
    name = path.name
    if office is None:
        raise AckError(f"{name} left unread: this laptop trusts no office yet")
    try:
        if path.stat().st_size > MAX_FILE:
            raise AckError(f"{name} is too large to be an acknowledgement: ignored")
        data = path.read_bytes()
    except OSError as error:
        raise AckError(f"cannot read {name}: {error.strerror}") from None

    def key_of(device_id: str) -> bytes:
        raw = decode_key(office.public_key, PUBLIC_BYTES)
        if device_id != office.device_id or raw is None:
            raise Untrusted(
                f"is signed by device {device_id[:8]}, not by the office this laptop trusts: ignored"
            )
        return raw

    ack = decode(data, name, key_of)
    if ack.laptop_id != store.device_id:
        raise AckError(f"{name} is addressed to laptop {ack.laptop_id[:8]}, not to this one: ignored")
    made = parse_stamp(ack.made_at)
    if made is None or made > store.clock.wall() + MAX_AHEAD:
        raise AckError(f"{name} is stamped {ack.made_at[:16]}, more than a day ahead of this laptop: ignored")
    return ack
