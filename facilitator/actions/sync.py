"""Carrying data to the office: the recipient, bundle export and import, folder sync.

Which key a bundle is encrypted to is chosen here once (`recipients_for`), for the
command line and the sync screen alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facilitator.store import Store

if TYPE_CHECKING:
    from facilitator.actions.purge import PurgeResult
    from facilitator.store.trust import TrustedDevice
    from facilitator.sync.enrolment import Enrolled
    from facilitator.sync.merge import BundleOutcome, ExportResult, FolderResult, ImportResult
    from facilitator.sync.signing import EnrolmentCode, OfficeCode
    from facilitator.sync.status import SessionSync

Progress = Callable[[str, int, int], None]

# What a bundle carries, in the words of the room: (one, many) for each kind of record.
RECORD_WORDS = {
    "devices": ("laptop", "laptops"),
    "consultations": ("consultation", "consultations"),
    "sessions": ("session", "sessions"),
    "postits": ("post-it", "post-its"),
    "participants": ("participant code", "participant codes"),
    "themes": ("theme", "themes"),
    "notes": ("note", "notes"),
    "note_themes": ("theme tag", "theme tags"),
    "chart_pools": ("pooled chart group", "pooled chart groups"),
}


def records_text(count: int) -> str:
    """`1 record`, `59 records`: what a bundle carries (post-its, notes, ... and deletions)."""
    return f"{count} record{'' if count == 1 else 's'}"


def bundle_contents(tables: Mapping[str, int]) -> str:
    """What a bundle carries, e.g. `59 records: 5 sessions, 40 post-its, 10 theme tags`."""
    total = sum(tables.values())
    kinds = []
    for table, count in tables.items():
        if count:
            one, many = RECORD_WORDS.get(table, (table.replace("_", " "),) * 2)
            kinds.append(f"{count} {one if count == 1 else many}")
    return records_text(total) + (": " + ", ".join(kinds) if kinds else "")


# ---------------------------------------------------------------- the office and its laptops


def make_office(store: Store, out: Path) -> tuple[OfficeCode, str | None]:
    """Make this data folder the office: write its identity to `out`, give its office code
    (and the recipient it replaces, if the office had one)."""
    from facilitator.sync import enrolment

    return enrolment.make_office(store, out)


def office_code(store: Store) -> OfficeCode | None:
    from facilitator.sync import enrolment

    return enrolment.office_code(store)


def trust_office(store: Store, code: str) -> tuple[OfficeCode, TrustedDevice | None]:
    """Trust the office whose code this is; returns it, and the office it replaces if any."""
    from facilitator.sync import enrolment

    trusted = enrolment.trust_office(store, code)
    # From now on the office can recover this folder if its passphrase is forgotten.
    store.escrow_to(trusted[0].recipient)
    return trusted


def trusted_office(store: Store) -> TrustedDevice | None:
    from facilitator.sync import enrolment

    return enrolment.trusted_office(store)


def enrolment_code(store: Store) -> EnrolmentCode:
    """This device's enrolment code, for the office."""
    from facilitator.sync import enrolment

    return enrolment.enrolment_code(store)


def enrol_device(store: Store, code: str, label: str = "") -> Enrolled:
    """At the office: accept the signed bundles of the laptop whose enrolment code this is."""
    from facilitator.sync import enrolment

    return enrolment.enrol(store, code, label)


def revoke_device(store: Store, ref: str) -> TrustedDevice:
    """At the office: refuse the bundles of this laptop from now on."""
    from facilitator.sync import enrolment

    return enrolment.revoke(store, ref)


def is_office(store: Store) -> bool:
    """Whether this data folder is the office."""
    from facilitator.sync import enrolment

    return enrolment.is_office(store)


def sync_statuses(store: Store) -> dict[str, SessionSync]:
    """On a laptop, each session's way to the office by id (`local`, `exported`, `confirmed`,
    `purged`), all read in one pass; a session no row of which was written here has none.

    At the office none: its sessions came from the laptops, and it sends them nowhere to confirm.
    """
    from facilitator.sync.status import session_statuses

    return {} if is_office(store) else session_statuses(store)


@dataclass(frozen=True)
class DeviceEntry:
    """An enrolled laptop as the office lists it."""

    device: TrustedDevice
    fingerprint: str
    bundles: int
    last_bundle: str | None

    @property
    def status(self) -> str:
        return "revoked" if self.device.revoked else "enrolled"

    def to_json(self) -> dict[str, object]:
        return {
            **self.device.to_json(),
            "fingerprint": self.fingerprint,
            "status": self.status,
            "bundles_imported": self.bundles,
            "last_bundle_at": self.last_bundle,
        }


def enrolled_devices(store: Store) -> list[DeviceEntry]:
    """The laptops this office enrolled (revoked ones too), with what it imported from each."""
    from facilitator.sync.signing import key_fingerprint

    imports = store.sync.imports_by_device()
    entries = []
    for device in store.trust.all():
        if device.role == "laptop":
            bundles, last = imports.get(device.device_id, (0, None))
            entries.append(
                DeviceEntry(device, key_fingerprint(device.device_id, device.public_key), bundles, last)
            )
    return entries


def needs_recipient(store: Store, *, plaintext: bool, identity_given: bool = False) -> bool:
    """Whether a bundle could not be encrypted: no recipient trusted, no office identity, not plaintext."""
    from facilitator.sync import keys

    return not (plaintext or identity_given or keys.trusted(store))


def recipients_for(store: Store, identities: Sequence[Any] | None, *, plaintext: bool) -> list[str] | None:
    """Whom this device's next bundle is encrypted to; None means the trusted recipient (or plaintext).

    At the office no recipient is trusted, but its identity is at hand: its own
    bundles are encrypted to its own key.
    """
    from facilitator.sync import keys

    if not plaintext and keys.trusted(store) is None and identities:
        return [keys.recipient_of(list(identities))]
    return None


def load_identities(identity: Path | None) -> list[Any] | None:
    """The office's identities from its identity file, or None when none is given."""
    if identity is None:
        return None
    from facilitator.sync import keys

    return keys.load_identities(identity)


def new_rows(store: Store) -> int:
    """Rows this device wrote since its last export."""
    from facilitator.store import sync_state

    return store.sync.count_changes(store.meta.get(sync_state.META_LAST_EXPORT) or "")


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class BundleExport:
    """A bundle written, and how many of its rows were new since the previous export."""

    made: ExportResult
    new_rows: int

    @property
    def sent_again(self) -> int:
        """Rows sent again for safety (recent ones, and the rows they belong to)."""
        return self.made.rows - min(self.new_rows, self.made.rows)


def export_bundle(
    store: Store,
    out: Path,
    *,
    everything: bool = False,
    plaintext: bool = False,
    progress: Progress | None = None,
) -> BundleExport:
    """Write this device's changes since its last export (or everything) into a bundle.

    `out` is a file, or a folder to write it into under its standard name. It is
    encrypted to the trusted recipient unless `plaintext`.
    """
    from facilitator.sync import merge

    new = new_rows(store)
    made = merge.export_bundle(
        store,
        out,
        everything=everything,
        plaintext=plaintext,
        recipients=recipients_for(store, None, plaintext=plaintext),
        progress=progress,
    )
    return BundleExport(made, new)


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class BundleImports:
    """What became of each bundle file, in the order each was settled, and the acknowledgements:
    written at the office, or read on a laptop (the sessions they confirmed, and why one did not count)."""

    outcomes: list[BundleOutcome]
    acknowledgements: list[Path] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def imported(self) -> list[ImportResult]:
        return [o.result for o in self.outcomes if o.result is not None]

    @property
    def refused(self) -> list[BundleOutcome]:
        return [o for o in self.outcomes if o.error is not None]


def import_bundles(
    store: Store,
    paths: Sequence[Path],
    identity: Path | None = None,
    *,
    allow_plaintext: bool = False,
    progress: Progress | None = None,
) -> BundleImports:
    """Merge bundle files, each all or nothing, with the office's identity file if given.

    A bundle whose rows belong to parents in another of the files is tried again
    after the others; a bad bundle is refused alone and said so in its outcome.
    At the office, each folder the bundles were in gets an acknowledgement for each
    laptop whose bundles (imported now or before) were there; on a laptop, the
    acknowledgement addressed to it in those folders is read.
    """
    from facilitator.sync import acknowledgement, merge

    identities = load_identities(identity)
    done = BundleImports(
        merge.import_bundles(store, paths, identities, allow_plaintext=allow_plaintext, progress=progress)
    )
    senders: dict[Path, set[str]] = {}
    for outcome in done.outcomes:
        if outcome.result is not None and outcome.result.device_id:
            senders.setdefault(outcome.path.parent, set()).add(outcome.result.device_id)
    if is_office(store):
        for folder, laptops in senders.items():
            written = acknowledgement.write_acknowledgements(store, folder, laptops)
            done.acknowledgements.extend(written.paths)
            done.messages.extend(written.messages)
        return done
    for folder in dict.fromkeys(path.parent for path in paths):
        read = acknowledgement.read_acknowledgement(store, folder)
        done.confirmed.extend(read.confirmed)
        done.messages.extend(read.messages)
    return done


# ---------------------------------------------------------------- folder sync


@dataclass(frozen=True)
class FolderSync:
    """A folder sync's result, and how many rows of its bundle were new (as for an export);
    `purged`: the sessions the automatic purge then removed from this laptop, if it is on."""

    done: FolderResult
    new_rows: int
    purged: PurgeResult | None = None

    @property
    def sent_again(self) -> int:
        made = self.done.exported
        return 0 if made is None else made.rows - min(self.new_rows, made.rows)


def sync_folder(
    store: Store,
    folder: Path,
    identity: Path | None = None,
    *,
    plaintext: bool = False,
    allow_plaintext: bool = False,
    progress: Progress | None = None,
) -> FolderSync:
    """Export this device's new bundle into `folder`, then import every bundle there not yet seen."""
    from facilitator.sync import merge

    identities = load_identities(identity)
    new = new_rows(store)
    done = merge.sync_folder(
        store,
        folder,
        identities,
        plaintext=plaintext,
        allow_plaintext=allow_plaintext,
        recipients=recipients_for(store, identities, plaintext=plaintext),
        progress=progress,
    )
    from facilitator.actions.purge import auto_purge

    return FolderSync(done, new, auto_purge(store))
