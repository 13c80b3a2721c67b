"""Who may send data here: the office enrols laptops, a laptop trusts one office.

Setting up, in the order a person does it:

1. At the office, `make_office` writes the office's age identity to a file and gives
   the **office code**: the office's device id, its age recipient and its signing key.
2. On each laptop, `trust_office` takes that code: the laptop's bundles are encrypted
   to the office from then on, and it accepts bundles signed by the office alone.
3. The laptop shows its **enrolment code** (`enrolment_code`), and the office enrols it
   (`enrol`). From then on the office accepts that laptop's signed bundles, until it
   revokes it (`revoke`).

`key_of` is the one rule an import applies: the signing key of a device trusted here,
or `Untrusted` for any other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store import Store
from facilitator.store.trust import TrustedDevice
from facilitator.sync import keys
from facilitator.sync.bundle import Untrusted
from facilitator.sync.signing import (
    PUBLIC_BYTES,
    EnrolmentCode,
    OfficeCode,
    Signer,
    decode_key,
    encode_key,
    key_fingerprint,
    parse_enrolment_code,
    parse_office_code,
    public_key,
)

MAX_LABEL = 80


def signer(store: Store) -> Signer:
    """This device, signing its bundles."""
    return Signer(store.device_id, store.trust.seed())


def own_public_key(store: Store) -> str:
    return encode_key(public_key(store.trust.seed()))


def enrolment_code(store: Store) -> EnrolmentCode:
    """This device's enrolment code, for the office to enrol it."""
    return EnrolmentCode(store.device_id, own_public_key(store))


def is_office(store: Store) -> bool:
    return store.trust.office_recipient() is not None


def office_code(store: Store) -> OfficeCode | None:
    """This data folder's office code, if it is an office."""
    recipient = store.trust.office_recipient()
    if recipient is None:
        return None
    return OfficeCode(store.device_id, recipient, own_public_key(store))


def make_office(store: Store, out: Path) -> tuple[OfficeCode, str | None]:
    """Make this data folder the office: a new age identity written to `out`.

    Returns the office code, and the recipient it replaces if the office had one already
    (laptops must then trust the new code).
    """
    previous = store.trust.office_recipient()
    recipient = keys.new_identity(out)
    store.trust.set_office_recipient(recipient)
    code = office_code(store)
    assert code is not None
    return code, previous


def trusted_office(store: Store) -> TrustedDevice | None:
    """The office this laptop trusts now."""
    offices = [d for d in store.trust.all() if d.role == "office" and not d.revoked]
    return offices[-1] if offices else None


def trust_office(store: Store, text: str) -> tuple[OfficeCode, TrustedDevice | None]:
    """Trust the office whose code this is: encrypt to it, accept what it signs.

    Returns the code, and the office trusted before if this replaces another one.
    """
    code = parse_office_code(text)
    if code.device_id == store.device_id:
        raise FacilitatorError("that is this data folder's own office code: give it to the laptops")
    if is_office(store):
        raise FacilitatorError(
            "this data folder is an office: it enrols laptops ('facilitator devices enrol CODE') "
            "and trusts no other office"
        )
    previous = trusted_office(store)
    now = store.clock.now()
    for device in store.trust.all():
        if device.role == "office" and not device.revoked and device.device_id != code.device_id:
            store.trust.put(replace(device, revoked_at=now))
    store.trust.put(TrustedDevice(code.device_id, "office", code.public_key, "office", now))
    keys.trust(store, code.recipient)
    replaced = previous if previous is not None and previous.device_id != code.device_id else None
    return code, replaced


@dataclass(frozen=True)
class Enrolled:
    device: TrustedDevice
    again: bool  # it had been revoked, and is enrolled again


def enrol(store: Store, text: str, label: str = "", *, office_only: bool = True) -> Enrolled:
    """Enrol the laptop whose enrolment code this is: the office accepts its bundles from now on."""
    if office_only and not is_office(store):
        raise FacilitatorError(
            "this data folder is not an office: make the office's keys first with "
            "'facilitator keys new --out FILE'"
        )
    code = parse_enrolment_code(text)
    label = check_label(label)
    if code.device_id == store.device_id:
        raise FacilitatorError("that is this data folder's own code: enrol the laptops' codes")
    existing = store.trust.get(code.device_id)
    if existing is not None and existing.public_key != code.public_key and not existing.revoked:
        raise FacilitatorError(
            f"device {code.device_id[:8]} is enrolled already with another key "
            f"(fingerprint {key_fingerprint(existing.device_id, existing.public_key)}): "
            "revoke it first if the laptop was set up again"
        )
    if existing is not None and existing.role == "office":
        raise FacilitatorError(f"device {code.device_id[:8]} is the office this data folder trusts")
    again = existing is not None and existing.revoked
    label = label or (existing.label if existing is not None else "")
    taken = [d for d in store.trust.all() if d.label and d.label.casefold() == label.casefold()]
    if label and any(d.device_id != code.device_id for d in taken):
        raise FacilitatorError(
            f"another laptop is enrolled as {label!r} already: give this one its own label"
        )
    if existing is not None and not existing.revoked:
        device = replace(existing, label=label)
    else:
        device = TrustedDevice(code.device_id, "laptop", code.public_key, label, store.clock.now())
    store.trust.put(device)
    return Enrolled(device, again)


def check_label(label: str) -> str:
    """A laptop's label, tidied: one line of visible text, not too long, not like a device id."""
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in label):
        raise FacilitatorError("the label holds a control or invisible character: type plain text")
    label = " ".join(label.split())
    if len(label) > MAX_LABEL:
        raise FacilitatorError(f"the label is too long ({len(label)} characters; {MAX_LABEL} at most)")
    if re.fullmatch(r"[0-9a-f-]{4,36}", label.casefold()):
        raise FacilitatorError(
            f"the label {label!r} looks like a device id: give a name, e.g. 'Laptop 2 (Leeds)'"
        )
    return label


def find(store: Store, ref: str) -> TrustedDevice:
    """An enrolled device by its id, a prefix of it (4 characters at least) or its label."""
    wanted = " ".join(ref.split()).casefold()
    if not wanted:
        raise NotFound("give a device id (or its first 8 characters) or its label")
    devices = [d for d in store.trust.all() if d.role == "laptop"]
    matches = [d for d in devices if d.device_id == wanted]
    if not matches:
        by_prefix = [d for d in devices if len(wanted) >= 4 and d.device_id.startswith(wanted)]
        by_label = [d for d in devices if d.label and d.label.casefold() == wanted]
        matches = list({d.device_id: d for d in (*by_prefix, *by_label)}.values())
    if not matches:
        raise NotFound(f"no enrolled laptop {ref!r}: 'facilitator devices list' shows them")
    if len(matches) > 1:
        raise FacilitatorError(f"{ref!r} matches {len(matches)} laptops: give more of the device id")
    return matches[0]


def revoke(store: Store, ref: str) -> TrustedDevice:
    """Revoke an enrolled laptop: its bundles not yet imported are refused from now on."""
    device = find(store, ref)
    if device.revoked:
        raise FacilitatorError(f"laptop {device.device_id[:8]} was revoked already, on {device.revoked_at}")
    revoked = replace(device, revoked_at=store.clock.now())
    store.trust.put(revoked)
    return revoked


def describe(device: TrustedDevice) -> str:
    """A device for a message: its label and short id."""
    return f"'{device.label}' ({device.device_id[:8]})" if device.label else device.device_id[:8]


def key_of(store: Store) -> Callable[[str], bytes]:
    """The rule an import applies: the signing key of a device trusted here, or `Untrusted`."""
    office = is_office(store)
    trusted = {d.device_id: d for d in store.trust.all()}
    mine = store.device_id

    def lookup(device_id: str) -> bytes:
        if device_id == mine:
            return public_key(store.trust.seed())
        device = trusted.get(device_id)
        if device is None:
            if office:
                raise Untrusted(
                    f"is signed by device {device_id[:8]}, which this office has not enrolled: refused "
                    "(enrol the laptop with 'facilitator devices enrol CODE' if it is yours)"
                )
            raise Untrusted(
                f"is signed by device {device_id[:8]}, not by the office this laptop trusts: refused"
            )
        if device.revoked:
            raise Untrusted(
                f"is signed by {device.role} {describe(device)}, which was revoked on "
                f"{device.revoked_at[:10] if device.revoked_at else ''}: refused"
            )
        raw = decode_key(device.public_key, PUBLIC_BYTES)
        if raw is None:
            raise Untrusted(f"is signed by device {device_id[:8]}, whose stored key is damaged: refused")
        return raw

    return lookup
