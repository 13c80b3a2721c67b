"""Whom this database trusts, as `store.trust`: its own signing key and the devices it enrolled.

Every device holds an Ed25519 signing key (a 32-byte seed, kept in `meta`, made with
the device's identity). The office enrols laptops; a laptop trusts one office. Both
are kept as `TrustedDevice` entries in `meta`, which never leaves this database.
The cryptography itself is in `facilitator.sync.signing`: here are only the bytes.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitator.core.errors import FacilitatorError
from facilitator.store.writer import Writer

if TYPE_CHECKING:
    from facilitator.store.database import Store

META_SIGNING_SEED = "signing_seed"
META_OFFICE_RECIPIENT = "office_recipient"
TRUSTED_PREFIX = "trusted_device:"
ROLES = ("office", "laptop")
SEED_BYTES = 32


@dataclass(frozen=True)
class TrustedDevice:
    """A device whose signed bundles this database accepts (until it is revoked)."""

    device_id: str
    role: str
    public_key: str
    label: str
    enrolled_at: str
    revoked_at: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def to_json(self) -> dict[str, str | None]:
        return {
            "device_id": self.device_id,
            "role": self.role,
            "public_key": self.public_key,
            "label": self.label,
            "enrolled_at": self.enrolled_at,
            "revoked_at": self.revoked_at,
        }


def new_seed() -> str:
    """A new signing seed, as text for `meta`."""
    return base64.b64encode(os.urandom(SEED_BYTES)).decode("ascii")


def put_seed(writer: Writer) -> None:
    """Make this device's signing seed (inside the transaction that makes its identity)."""
    writer.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [META_SIGNING_SEED, new_seed()])


class TrustRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def seed(self) -> bytes:
        """This device's signing seed (made now for a database from before signing)."""
        text = self._store.meta.get(META_SIGNING_SEED)
        if text is None:
            with self._store.write() as writer:
                put_seed(writer)
            text = self._store.meta.get(META_SIGNING_SEED)
        try:
            seed = base64.b64decode(text or "", validate=True)
        except ValueError:
            seed = b""
        if len(seed) != SEED_BYTES:
            raise FacilitatorError("this device's signing key is damaged: its bundles cannot be signed")
        return seed

    # -------------------------------------------------------- the office's own key

    def office_recipient(self) -> str | None:
        """The age recipient of this data folder's office identity, if it is an office."""
        return self._store.meta.get(META_OFFICE_RECIPIENT)

    def set_office_recipient(self, recipient: str) -> None:
        self._store.meta.set(META_OFFICE_RECIPIENT, recipient)

    # -------------------------------------------------------- enrolled devices

    def get(self, device_id: str) -> TrustedDevice | None:
        return _parse(self._store.meta.get(TRUSTED_PREFIX + device_id))

    def all(self) -> list[TrustedDevice]:
        """Every device enrolled here, revoked ones too, in the order they were enrolled."""
        rows = self._store.db.execute(
            "SELECT value FROM meta WHERE key >= ? AND key < ? ORDER BY key",
            [TRUSTED_PREFIX, TRUSTED_PREFIX[:-1] + chr(ord(TRUSTED_PREFIX[-1]) + 1)],
        ).fetchall()
        found = [device for (value,) in rows if (device := _parse(value)) is not None]
        return sorted(found, key=lambda d: (d.enrolled_at, d.device_id))

    def put(self, device: TrustedDevice) -> None:
        if device.role not in ROLES:
            raise FacilitatorError(f"unknown device role {device.role!r}")
        self._store.meta.set(TRUSTED_PREFIX + device.device_id, json.dumps(device.to_json()))


def _parse(value: str | None) -> TrustedDevice | None:
    if value is None:
        return None
    try:
        raw = json.loads(value)
        device = TrustedDevice(
            device_id=str(raw["device_id"]),
            role=str(raw["role"]),
            public_key=str(raw["public_key"]),
            label=str(raw.get("label") or ""),
            enrolled_at=str(raw["enrolled_at"]),
            revoked_at=None if raw.get("revoked_at") is None else str(raw["revoked_at"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    return device
