"""Sync by files: export this device's changes as a bundle, merge bundles from other devices.

Everything here is generic over `store.SYNCED_TABLES`: a table's columns are read
from the database when a bundle is made or merged, so a table added by a later
migration travels with no change here.

A bundle carries only rows that the device making it wrote last (its `device_id`),
the device's own `devices` row included: the manifest's device and every row's
`device_id` are the same device, and a bundle where they differ is refused. Parent
rows that a bundle's rows refer to (a post-it's session, a session's consultation)
go along with them when this device wrote them; a parent another device wrote
travels in that device's bundles, and `import_bundles` retries a bundle whose
parents are in another of the bundles it is given.

Merging is a last-writer-wins register per row, keyed by `(updated_at, device_id)`,
so all devices converge on the same rows whatever the order in which they import
the same bundles, and however many times. A version that loses a merge and differs
in content (any column but the stamps) from the winner is kept in `sync_conflicts`
for a person here to review, and counted as conflicted: whichever device wrote it,
since a version with a later stamp is not necessarily a later edit. The one
exception is a device's own newer version arriving to replace its older one: that
device wrote it after the older one, so it is an update. Conflicts stay on the
device that recorded them; they never travel. A tombstone carries no text (see
`facilitator.store.tombstones`): one that arrives with text, from an older
sender, is blanked before it is written, and when a tombstone wins, no losing
version of its row is kept and the versions kept before go.

Before any row is written, every row of a bundle is checked against the rules a
local write keeps (`facilitator.store.validation`): one bad row refuses the whole
bundle with `RowRefused`, and nothing of it is merged.

These rules are all this module holds: the rows it reads and writes go through
`store.sync` (`facilitator.store.sync_state`), which holds the SQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from facilitator.core.clock import STAMP_FORMAT
from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store import SYNCED_TABLES, IntegrityError, InterfaceError, Store
from facilitator.store.purge import REMOVED_IDS
from facilitator.store.sync_state import (
    CHUNK,
    META_CLOCK_FLOOR,
    META_LAST_EXPORT,
    META_SEQUENCE,
    META_SINCE,
    Row,
    canonical,
)
from facilitator.store.tombstones import blanker
from facilitator.store.validation import RowInvalid, check_incoming, short_id
from facilitator.store.writer import Writer
from facilitator.sync import bundle
from facilitator.sync.bundle import Bundle, BundleError, BundleIncomplete, TableRows, Untrusted, Value
from facilitator.sync.enrolment import is_office, key_of, signer
from facilitator.sync.keys import META_RECIPIENT
from facilitator.sync.outgoing import outgoing_rows

ROW_COLUMNS = ("id", "created_at", "updated_at", "device_id", "deleted_at")
# Stamps that are not content: a version differing only in these is the same content.
STAMP_COLUMNS = frozenset({"updated_at", "device_id"})
# Rows stamped up to this long before an export are sent again by the next one: a write
# takes its stamp before it waits for the database lock, so it may commit after an export
# whose stamp is later. Sending a row twice is harmless: merging is idempotent.
OVERLAP = timedelta(minutes=2)

Progress = Callable[[str, int, int], None]
# Called inside an import's transaction after each table whose rows it changed, with the table's name.
Merged = Callable[[str], None]


class MissingParents(BundleError):
    """A bundle's rows refer to rows in neither the bundle nor the database."""


class NeedsIdentity(BundleError):
    """An encrypted bundle and no identity to open it."""


class Plaintext(BundleError):
    """A bundle that is not encrypted, and no one said to accept one."""


class RowRefused(BundleError):
    """A bundle with a row that breaks a rule a local write keeps: refused whole."""

    def __init__(self, name: str, device_id: str, problem: RowInvalid) -> None:
        super().__init__(f"refused {name} from device {short_id(device_id)}: {problem}")
        self.problem = problem


@dataclass
class MergeCounts:
    """What a merge did to rows: disjoint counts, one per incoming row."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicted: int = 0

    def add(self, other: MergeCounts) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.conflicted += other.conflicted

    def __str__(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"conflicted {self.conflicted}"
        )


@dataclass(frozen=True)
class ExportResult:
    path: Path
    manifest: bundle.Manifest
    encrypted: bool

    @property
    def rows(self) -> int:
        return sum(self.manifest.tables.values())


@dataclass(frozen=True)
class ImportResult:
    name: str
    device_id: str
    counts: MergeCounts
    tables: dict[str, MergeCounts]
    skipped: str | None = None

    def describe(self) -> str:
        if self.skipped:
            return f"{self.name}: skipped, {self.skipped}"
        return f"{self.name}: {self.counts}"


@dataclass
class FolderResult:
    """A folder sync: what it wrote, what it imported, what it left and why.

    Bundles refused only for being unencrypted are in `plaintext` (not in `messages`),
    so that a person can be asked whether to import them after all.
    """

    exported: ExportResult | None = None
    imported: list[ImportResult] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    plaintext: list[BundleOutcome] = field(default_factory=list)
    # On a laptop: sessions its bundle carried (every one the office has not confirmed),
    # sessions the office confirmed, and those the acknowledgement read now confirmed.
    unconfirmed: int = 0
    confirmed: int = 0
    newly_confirmed: list[str] = field(default_factory=list)
    # At the office: the acknowledgements it wrote into the folder, one per laptop.
    acknowledgements: list[Path] = field(default_factory=list)


def _quiet(_what: str, _done: int, _total: int) -> None:
    return None


# ---------------------------------------------------------------- export


def trusted_recipient(store: Store) -> str | None:
    return store.meta.get(META_RECIPIENT)


def has_new_changes(store: Store) -> bool:
    """Whether this device changed anything since its last export."""
    since = store.meta.get(META_LAST_EXPORT) or ""
    return store.sync.has_changes(since)


def open_conflict_count(store: Store) -> int:
    """How many conflicts wait for a person (cheap when there are none)."""
    if not store.sync.has_open_conflicts():
        return 0
    return len(conflicts(store))


def _collect(store: Store, everything: bool, since: str, sessions: Collection[str] = ()) -> list[TableRows]:
    """The rows this device wrote last: all of them, or those written after `since`, and
    every row of `sessions` it wrote last, with their text pseudonymised (`outgoing_rows`).

    Their parents that this device wrote go too, so that the bundle stands alone as far
    as this device can make it; a parent another device wrote is not this device's to send.
    """
    sync = store.sync
    tables = sync.tables()
    columns = {t: ["id", *[c for c in sync.columns(t) if c != "id"]] for t in tables}
    chosen: dict[str, dict[Value, Row]] = {}
    for table in tables:
        if everything:
            chosen[table] = sync.own_rows(table, columns[table])
        else:
            chosen[table] = sync.changed_rows(table, columns[table], since)
    if sessions and not everything:
        _add_session_rows(store, chosen, columns, sessions)
    # To a fixed point: grandparents too.
    grown = True
    while grown:
        grown = False
        for table in tables:
            for parent, here, there in sync.parents(table):
                if there != "id" or parent not in chosen:
                    continue
                index = columns[table].index(here)
                wanted = {row[index] for row in chosen[table].values() if row[index] is not None}
                missing = [value for value in wanted if value not in chosen[parent]]
                found = sync.rows_by_id(parent, columns[parent], missing, own=True)
                if found:
                    chosen[parent].update(found)
                    grown = True
    # Example sessions stay here: nothing of them (nor of a consultation only they had) leaves.
    for table, ids in sync.example_rows().items():
        for row_id in ids:
            chosen.get(table, {}).pop(row_id, None)
    # The text as the office will hold it: the map stays here, and so do the names it changes.
    sent = {table: outgoing_rows(store, table, columns[table], chosen[table]) for table in tables}
    return [
        TableRows(table, columns[table], [sent[table][key] for key in sorted(sent[table], key=str)])
        for table in tables
        if sent[table]
    ]


def _add_session_rows(
    store: Store,
    chosen: dict[str, dict[Value, Row]],
    columns: dict[str, list[str]],
    sessions: Collection[str],
) -> None:
    """Add to `chosen` every row of these sessions that this device wrote last."""
    wanted = set(sessions)
    for session_id, rows in store.sync.rows_of_sessions(store.device_id).items():
        if session_id not in wanted:
            continue
        for table, found_columns, row in rows:
            values = dict(zip(found_columns, row, strict=True))
            chosen[table][values["id"]] = tuple(values[c] for c in columns[table])


def unconfirmed_sessions(store: Store) -> tuple[set[str], int]:
    """This device's sessions the office has not confirmed (nor purged here), and how many it confirmed."""
    from facilitator.sync.status import CONFIRMED, PURGED, session_statuses

    statuses = session_statuses(store)
    waiting = {sid for sid, s in statuses.items() if s.status not in (CONFIRMED, PURGED)}
    return waiting, sum(s.status == CONFIRMED for s in statuses.values())


def _record_exported(store: Store, writer: Writer, at: str) -> int:
    """Inside an export: the sessions whose rows changed since a bundle last carried them now
    leave with their rows as they are (the office will hold the previous rows and these)."""
    from facilitator.sync.status import session_digests

    records = store.session_sync.all()
    examples = store.sync.example_rows().get("sessions", set())
    changed = {
        sid: digest
        for sid, digest in session_digests(store).items()
        if sid not in examples
        and ((mark := records.get(sid)) is None or mark.exported is None or mark.exported.digest != digest)
    }
    store.session_sync.record_exported(writer, changed, at)
    return len(changed)


def export_bundle(
    store: Store,
    out: Path,
    *,
    everything: bool = False,
    plaintext: bool = False,
    recipients: Sequence[str] | None = None,
    progress: Progress | None = None,
    sessions: Collection[str] = (),
) -> ExportResult:
    """Write a bundle of this device's changes since its last export (or of every row it wrote),
    and of every row of `sessions` it wrote.

    `out` is a file, or a folder to write the bundle into under its standard name.
    Encrypted to `recipients`, or to the trusted recipient; `plaintext` skips encryption.
    The watermark moves, and each session it carries counts as exported, only if the
    file was written.
    """
    progress = progress or _quiet
    if plaintext:
        keys = None
    else:
        keys = list(recipients or ([r] if (r := trusted_recipient(store)) else []))
        if not keys:
            raise FacilitatorError(
                "no recipient to encrypt to: run 'facilitator keys trust RECIPIENT' with the "
                "office's public key, or pass --plaintext"
            )
    with store.write() as writer:
        stamp = writer.now()
        since = "" if everything else (store.meta.get(META_SINCE) or "")
        progress("reading changes", 0, 1)
        tables = _collect(store, everything, since, sessions)
        sequence = int(store.meta.get(META_SEQUENCE) or 0) + 1
        progress("packing the bundle", 0, 1)
        data, manifest = bundle.encode(
            store.device_id,
            sequence,
            stamp,
            tables,
            complete=everything,
            recipients=keys,
            signer=signer(store),
        )
        path = out / bundle.bundle_name(store.device_id, sequence, stamp) if out.is_dir() else out
        if path.exists():
            raise FacilitatorError(f"{path} already exists: give a new file name, or a folder")
        store.sync.record_export(
            writer,
            sequence=sequence,
            at=stamp,
            since=_minus(stamp, OVERLAP),
            file_sha256=hashlib.sha256(data).hexdigest(),
            payload_sha256=manifest.payload_sha256,
            name=path.name,
        )
        _record_exported(store, writer, stamp)
        progress("writing the file", 0, 1)
        from facilitator.core.files import write_atomic

        write_atomic(path, data)
        progress("done", 1, 1)
    return ExportResult(path, manifest, keys is not None)


def _minus(stamp: str, delta: timedelta) -> str:
    moment = datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=UTC) - delta
    return moment.strftime(STAMP_FORMAT)


# ---------------------------------------------------------------- import


def read_bundle(store: Store, path: Path, identities: Sequence[Any] | None = None) -> Bundle:
    """Read and check a bundle file: signed by a device trusted here (checked first), and
    its name (if standard) matching its manifest."""
    data = bundle.read_file(path)
    try:
        read = bundle.decode(data, path.name, key_of(store), list(identities or []))
    except BundleError as error:
        if "pass --identity" in str(error):
            raise NeedsIdentity(str(error)) from None
        raise
    claimed = bundle.name_parts(path.name)
    manifest = read.manifest
    if claimed is not None and claimed != (manifest.device_id, manifest.sequence):
        raise BundleError(
            f"{path.name} was renamed: its name says device {claimed[0][:8]} bundle {claimed[1]}, "
            f"its manifest device {manifest.device_id[:8]} bundle {manifest.sequence}"
        )
    return read


def import_bundle(
    store: Store,
    path: Path,
    identities: Sequence[Any] | None = None,
    *,
    force: bool = False,
    allow_plaintext: bool = False,
    progress: Progress | None = None,
    on_merged: Merged | None = None,
) -> ImportResult:
    """Merge one bundle file in one transaction: all of it or none of it.

    A bundle already imported (or made here) is skipped, unless `force` merges it
    again (which changes nothing). Raises BundleError for a bad bundle: one not signed
    by a device trusted here (`Untrusted`), or not encrypted unless `allow_plaintext`
    (`Plaintext`). `on_merged` is called inside the transaction after each table
    whose rows the merge changed.
    """
    progress = progress or _quiet
    name = path.name
    data = bundle.read_file(path)
    file_sha = hashlib.sha256(data).hexdigest()
    direction = store.sync.bundle_direction(file_sha256=file_sha)
    if direction == "out":
        return ImportResult(name, store.device_id, MergeCounts(), {}, "this device's own bundle")
    if direction == "in" and not force:
        return ImportResult(name, store.sync.sender(file_sha) or "", MergeCounts(), {}, "already imported")
    progress(f"reading {name}", 0, 1)
    read = read_bundle(store, path, identities)
    manifest = read.manifest
    if not read.encrypted and not allow_plaintext and manifest.device_id != store.device_id:
        raise Plaintext(
            f"{name} is not encrypted: anyone could have read it on the way; import it only if you "
            "know where it came from, with --allow-plaintext"
        )
    if manifest.device_id == store.device_id:
        if store.sync.bundle_direction(payload_sha256=manifest.payload_sha256) == "out":
            return ImportResult(name, store.device_id, MergeCounts(), {}, "this device's own bundle")
        raise BundleError(
            f"{name} claims to come from this device ({store.device_id[:8]}) but was not made here: "
            "was this data folder copied from another laptop?"
        )
    if not force and store.sync.bundle_direction(payload_sha256=manifest.payload_sha256) == "in":
        return ImportResult(name, manifest.device_id, MergeCounts(), {}, "already imported")
    return merge(store, read, name, force=force, progress=progress, on_merged=on_merged)


def merge(
    store: Store,
    read: Bundle,
    name: str,
    *,
    force: bool = False,
    progress: Progress | None = None,
    on_merged: Merged | None = None,
) -> ImportResult:
    """Merge a checked bundle into the database in one transaction.

    A bundle holding a table that is never synced, or a row that another device than
    the bundle's wrote, is refused before anything is written. A bundle already
    imported (by another process meanwhile, too) is skipped unless `force`.
    `on_merged` is called inside the transaction after each table whose rows it changed.

    At the office, a laptop's row never replaces a row another enrolled laptop wrote
    last: laptops only ever hold rows they wrote or the office sent, so such a row is
    kept here as it is, and the incoming version as a conflict for a person to review.
    """
    progress = progress or _quiet
    unknown = [t.table for t in read.tables if t.table not in SYNCED_TABLES]
    if unknown:
        raise BundleError(f"{name} holds table {unknown[0]!r}, which is never synced: refused")
    _check_authors(read.tables, read.manifest.device_id, name)
    incoming = _without_purged(store, read.tables)
    by_table = {t.table: t for t in incoming}
    counts = MergeCounts()
    tables: dict[str, MergeCounts] = {}
    total = sum(len(t.rows) for t in incoming)
    try:
        with store.write() as writer:
            present = store.sync.tables()
            missing = [t for t in by_table if t not in present]
            if missing:
                raise BundleError(
                    f"{name} holds table {missing[0]!r}, which this database lacks: update facilitator"
                )
            seen = store.sync.bundle_direction(payload_sha256=read.manifest.payload_sha256)
            if seen == "in" and not force:
                return ImportResult(name, read.manifest.device_id, MergeCounts(), {}, "already imported")
            protected = _other_laptops(store, read.manifest.device_id)
            # Every row keeps the rules a local write keeps, before any of them is written.
            try:
                check_incoming(store, {t.table: (t.columns, t.rows) for t in incoming})
            except RowInvalid as problem:
                raise RowRefused(name, read.manifest.device_id, problem) from None
            # Parents may come after children (an older sender's order): check them at the end.
            store.sync.defer_foreign_keys(writer)
            done = 0
            newest = ""
            for table in present:
                if table not in by_table:
                    continue
                rows = by_table[table]
                result, top = _merge_table(store, writer, rows, name, done, total, progress, protected)
                newest = max(newest, top)
                tables[table] = result
                counts.add(result)
                done += len(rows.rows)
                if on_merged is not None and result.added + result.updated:
                    on_merged(table)
            _check_parents(store, incoming, name)
            store.sync.record_import(
                writer,
                file_sha256=read.file_sha256,
                payload_sha256=read.manifest.payload_sha256,
                device_id=read.manifest.device_id,
                sequence=read.manifest.sequence,
                name=name,
                counts=(counts.added, counts.updated, counts.unchanged, counts.conflicted),
            )
            if newest:
                store.sync.raise_clock_floor(writer, newest)
    except (IntegrityError, InterfaceError, OverflowError, UnicodeEncodeError) as error:
        raise BundleError(f"{name} cannot be merged: {error}") from None
    store.clock.observe(store.meta.get(META_CLOCK_FLOOR))
    progress(f"merged {name}", total, total)
    return ImportResult(name, read.manifest.device_id, counts, tables)


def _without_purged(store: Store, tables: Sequence[TableRows]) -> list[TableRows]:
    """The rows of a bundle less those of sessions purged here (and the tags of their notes).

    This laptop forgot those sessions on purpose once the office held them: a row of
    one that comes back (the office edited it) is left out, never merged again.
    """
    stubs = store.session_sync.purged_stubs()
    if not stubs:
        return list(tables)
    purged = set(stubs)
    # Rows removed by a purge that others point at (notes, a session's themes), by table.
    dropped: dict[str, set[Value]] = {}
    for stub in stubs.values():
        removed = stub.get(REMOVED_IDS)
        for table, ids in removed.items() if isinstance(removed, dict) else ():
            if isinstance(ids, list):
                dropped.setdefault(str(table), set()).update(str(i) for i in ids)
    kept: list[TableRows] = []
    for rows in tables:  # parents come before children
        links = [
            (rows.columns.index(here), parent)
            for parent, here, _there in store.sync.parents(rows.table)
            if here in rows.columns and parent != "sessions"
        ]
        own = rows.columns.index("session_id") if "session_id" in rows.columns else None
        id_at = rows.columns.index("id") if "id" in rows.columns else None

        def belongs(
            row: Sequence[Value], own: int | None = own, links: list[tuple[int, str]] = links
        ) -> bool:
            if own is not None and row[own] in purged:
                return True
            return any(row[at] in dropped.get(parent, ()) for at, parent in links)

        left = [row for row in rows.rows if not belongs(row)]
        if len(left) < len(rows.rows) and id_at is not None:
            dropped.setdefault(rows.table, set()).update(row[id_at] for row in rows.rows if belongs(row))
        if left:
            kept.append(TableRows(rows.table, rows.columns, left))
    return kept


def _check_authors(tables: Sequence[TableRows], device_id: str, name: str) -> None:
    """Refuse a bundle with a row whose `device_id` is not the bundle's device."""
    for rows in tables:
        if "device_id" not in rows.columns:
            continue  # refused as damaged when the table is merged
        at = rows.columns.index("device_id")
        id_at = rows.columns.index("id") if "id" in rows.columns else at
        for row in rows.rows:
            if row[at] != device_id:
                raise BundleError(
                    f"{name} holds {rows.table} row {str(row[id_at])[:8]!r} written by device "
                    f"{str(row[at])[:8]!r}, but the bundle comes from device {device_id[:8]!r}: "
                    "a bundle carries only its own device's rows, nothing imported"
                )


def _check_rows(rows: TableRows, local: Sequence[str], name: str) -> tuple[int, int, int]:
    table = rows.table
    absent = [c for c in ROW_COLUMNS if c not in rows.columns]
    if absent:
        raise BundleError(f"{name} is damaged: table {table!r} lacks column {absent[0]!r}")
    extra = [c for c in rows.columns if c not in local]
    if extra:
        raise BundleError(
            f"{name} has column {extra[0]!r} in {table!r}, which this database lacks: update facilitator"
        )
    positions = [rows.columns.index(c) for c in ("id", "updated_at", "device_id")]
    created, deleted = rows.columns.index("created_at"), rows.columns.index("deleted_at")
    for index in (*positions, created):
        values = set(map(itemgetter(index), rows.rows))
        if set(map(type, values)) - {str} or "" in values:
            raise BundleError(f"{name} is damaged: a row of {table!r} has a bad id or stamp")
        if index == positions[0] and len(values) != len(rows.rows):
            raise BundleError(f"{name} is damaged: table {table!r} holds a row twice")
    if set(map(type, map(itemgetter(deleted), rows.rows))) - {str, type(None)}:
        raise BundleError(f"{name} is damaged: a row of {table!r} has a bad stamp")
    return positions[0], positions[1], positions[2]


def _other_laptops(store: Store, sender: str) -> frozenset[str]:
    """At the office, the enrolled laptops other than the sender: rows they wrote last stay."""
    if not is_office(store):
        return frozenset()
    return frozenset(d.device_id for d in store.trust.all() if d.role == "laptop" and d.device_id != sender)


def _merge_table(
    store: Store,
    writer: Writer,
    rows: TableRows,
    name: str,
    done: int,
    total: int,
    progress: Progress,
    protected: frozenset[str] = frozenset(),
) -> tuple[MergeCounts, str]:
    table, columns = rows.table, rows.columns
    local_columns = store.sync.columns(table)
    id_at, stamp_at, device_at = _check_rows(rows, local_columns, name)
    content = [i for i, c in enumerate(columns) if c not in STAMP_COLUMNS]
    deleted_at = columns.index("deleted_at")
    # A tombstone keeps no text, even from a sender older than that rule.
    blanked = blanker(table, columns)
    counts = MergeCounts()
    newest = ""
    for start in range(0, len(rows.rows), CHUNK):
        part = rows.rows[start : start + CHUNK]
        existing = store.sync.rows_by_id(table, columns, [row[id_at] for row in part])
        inserts: list[Row] = []
        updates: list[Row] = []
        losers: list[Row] = []
        erased: list[str] = []
        for incoming in part:
            row = blanked(incoming)
            newest = max(newest, str(row[stamp_at]))
            local = existing.get(row[id_at])
            if local is None:
                inserts.append(row)
                counts.added += 1
                continue
            if local == row:
                counts.unchanged += 1
                continue
            key_in = (row[stamp_at], row[device_at])
            key_here = (local[stamp_at], local[device_at])
            incoming_wins = key_in > key_here or (
                key_in == key_here and canonical(columns, row) > canonical(columns, local)
            )
            if local[device_at] in protected:
                incoming_wins = False  # another laptop's row: kept, and this version reviewed
            winner, loser = (row, local) if incoming_wins else (local, row)
            if incoming_wins:
                updates.append(row)
            differs = any(winner[i] != loser[i] for i in content)
            # A device's own newer version replacing its older one: it wrote it after that one.
            succeeds = incoming_wins and row[device_at] == local[device_at]
            if winner[deleted_at] is not None:
                # The delete wins: the text goes, and no losing version keeps it.
                erased.append(str(row[id_at]))
                if incoming_wins:
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            elif differs and not succeeds:
                losers.append(loser)
                counts.conflicted += 1
            elif incoming_wins:
                counts.updated += 1
            else:
                counts.unchanged += 1
        if inserts:
            store.sync.insert_rows(writer, table, columns, inserts)
        if updates:
            store.sync.replace_rows(writer, table, columns, updates)
        if losers:
            store.sync.record_versions(writer, table, columns, losers)
        if erased:
            writer.forget_versions(table, erased)
            writer.erased = True  # text replaced by a tombstone: the log is emptied after commit
            if table == "sessions":
                # A purged session deleted elsewhere: its stub here keeps none of its words either.
                for session_id in erased:
                    store.session_sync.blank_purged(writer, session_id)
        progress(f"merging {table}", done + start + len(part), total)
    return counts, newest


def _check_parents(store: Store, tables: Sequence[TableRows], name: str) -> None:
    """Refuse a bundle whose rows refer to rows in neither the bundle nor the database."""
    for rows in tables:
        for parent, here, there in store.sync.parents(rows.table):
            if here not in rows.columns:
                continue
            index = rows.columns.index(here)
            wanted = sorted({r[index] for r in rows.rows if r[index] is not None}, key=str)
            absent = store.sync.absent(parent, there, wanted)
            if absent:
                raise MissingParents(
                    f"{name} refers to {parent} {str(absent[0])[:36]!r} (from {rows.table}), which is "
                    "in neither the bundle nor this database: nothing imported"
                )


@dataclass(frozen=True)
class BundleOutcome:
    """One bundle file's import: its result, or the error that refused it (nothing of it merged)."""

    path: Path
    result: ImportResult | None = None
    error: FacilitatorError | None = None


def import_bundles(
    store: Store,
    paths: Sequence[Path],
    identities: Sequence[Any] | None = None,
    *,
    allow_plaintext: bool = False,
    progress: Progress | None = None,
) -> list[BundleOutcome]:
    """Import several bundles, each in its own transaction, and say what became of each.

    A bundle whose rows refer to parents in another of the bundles is tried again
    after the others, for as long as a round imports something; one that still
    lacks them is refused with MissingParents. A bad bundle is refused alone: the
    others are imported all the same. Outcomes come in the order they were settled.
    """
    outcomes: list[BundleOutcome] = []
    pending = list(paths)
    while pending:
        retry: list[tuple[Path, MissingParents]] = []
        for path in pending:
            try:
                outcome = import_bundle(
                    store, path, identities, allow_plaintext=allow_plaintext, progress=progress
                )
            except MissingParents as error:
                retry.append((path, error))
            except FacilitatorError as error:
                outcomes.append(BundleOutcome(path, error=error))
            except Exception as error:
                # A fault of this program's, met on one bundle: that bundle's transaction was
                # rolled back, the fault is logged, and the other bundles are still imported.
                outcomes.append(BundleOutcome(path, error=_unexpected(store, path, error)))
            else:
                outcomes.append(BundleOutcome(path, result=outcome))
        if len(retry) == len(pending):
            outcomes += [BundleOutcome(path, error=error) for path, error in retry]
            break
        pending = [path for path, _error in retry]
    return outcomes


def _unexpected(store: Store, path: Path, error: BaseException) -> BundleError:
    from facilitator.core.error_log import log_unexpected

    logged = log_unexpected(store.path.parent, error)
    where = f" (logged in {logged})" if logged else ""
    return BundleError(
        f"{path.name} could not be imported: an unexpected {type(error).__name__}{where}; "
        "nothing of it was written"
    )


# ---------------------------------------------------------------- folder sync


def sync_folder(
    store: Store,
    folder: Path,
    identities: Sequence[Any] | None = None,
    *,
    plaintext: bool = False,
    allow_plaintext: bool = False,
    recipients: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> FolderResult:
    """Export this device's bundle into `folder`, then import every bundle there not yet seen.

    On a laptop, the office's acknowledgement in the folder is read first; the bundle
    then carries this device's new changes and every row of each session the office
    has not confirmed, so that a stick lost or wiped on the way loses nothing. At the
    office, each laptop whose bundles are in the folder gets its acknowledgement there.

    A bundle that is truncated (perhaps still being copied) or otherwise unreadable is
    skipped with a message, and tried again next run; one whose parents are in another
    bundle of the folder is retried after the others.
    """
    from facilitator.sync import acknowledgement

    if not folder.is_dir():
        raise FacilitatorError(f"{folder} is not a folder: give the USB stick or shared folder to sync with")
    result = FolderResult()
    office = is_office(store)
    waiting: set[str] = set()
    if not office:
        read = acknowledgement.read_acknowledgement(store, folder)
        result.newly_confirmed = read.confirmed
        result.messages += read.messages
        waiting, result.confirmed = unconfirmed_sessions(store)
        result.unconfirmed = len(waiting)
    if waiting or has_new_changes(store) or store.meta.get(META_SEQUENCE) is None:
        result.exported = export_bundle(
            store, folder, plaintext=plaintext, recipients=recipients, progress=progress, sessions=waiting
        )
    pending = sorted(
        (
            p
            for p in folder.iterdir()
            if p.suffix == bundle.SUFFIX and not p.name.startswith(".") and p.is_file()
        ),
        key=lambda p: p.name,
    )
    locked = strangers = 0
    settled_all = import_bundles(
        store, pending, identities, allow_plaintext=allow_plaintext, progress=progress
    )
    for settled in settled_all:
        error, outcome = settled.error, settled.result
        if isinstance(error, NeedsIdentity):
            # A laptop holds no identity: bundles encrypted to the office (its own, or
            # its other machines') are for the office, and nothing is wrong.
            locked += 1 if office else 0
        elif isinstance(error, Untrusted) and not office:
            # Other laptops' bundles in a shared folder are for the office, not for this laptop.
            strangers += 1
        elif isinstance(error, Plaintext):
            result.plaintext.append(settled)
        elif isinstance(error, BundleIncomplete):
            result.messages.append(f"skipped: {error}; it will be tried again next run")
        elif isinstance(error, BundleError):
            result.messages.append(f"skipped: {error}")
        elif error is not None:
            raise error
        elif outcome is not None and outcome.skipped not in ("this device's own bundle", "already imported"):
            result.imported.append(outcome)
    if office:
        senders = {o.result.device_id for o in settled_all if o.result is not None and o.result.device_id}
        written = acknowledgement.write_acknowledgements(store, folder, senders)
        result.acknowledgements, result.messages = written.paths, result.messages + written.messages
    if strangers:
        result.messages.append(
            f"{strangers} bundle(s) not signed by the office this laptop trusts left alone "
            "(other laptops' bundles are for the office)"
        )
    if locked:
        result.messages.append(
            f"{locked} encrypted bundle(s) from other devices left unread: "
            "pass --identity FILE to import them"
        )
    return result


# ---------------------------------------------------------------- conflicts


@dataclass(frozen=True)
class Conflict:
    """A version of a row that lost a merge here and differs from the row now."""

    id: str
    table: str
    row_id: str
    current: dict[str, Value]
    other: dict[str, Value]

    @property
    def differs(self) -> list[str]:
        """The columns (not stamps) whose values differ."""
        return [c for c in self.other if c not in STAMP_COLUMNS and self.other.get(c) != self.current.get(c)]


def conflicts(store: Store) -> list[Conflict]:
    """Conflicts left for a person to resolve, oldest version first.

    Every unresolved version recorded here that still differs in content from its row,
    whichever device wrote it (this one too).
    """
    present = set(store.sync.tables())
    found: list[Conflict] = []
    for table, row_id in store.sync.conflicted_rows():
        if table not in present:
            continue
        current = store.sync.row(table, row_id)
        if current is None:
            continue
        for entry_id, text, deleted in store.sync.versions(table, row_id):
            version = _parse_version(text)
            if version is None or deleted is not None:
                continue
            if any(version.get(c) != current.get(c) for c in version if c not in STAMP_COLUMNS):
                found.append(Conflict(entry_id, table, row_id, current, version))
    found.sort(key=lambda c: (str(c.other.get("updated_at")), c.id))
    return found


def _parse_version(text: str) -> dict[str, Value] | None:
    """A recorded version, or None if it is not one (an older database may hold versions from elsewhere)."""
    try:
        version = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(version, dict) or not all(
        isinstance(version.get(c), str) for c in ("updated_at", "device_id")
    ):
        return None
    return version


def find_conflict(store: Store, ref: str) -> Conflict:
    """An open conflict by its id or a unique prefix of it (6 characters at least)."""
    ref = ref.strip().casefold()
    matches = [c for c in conflicts(store) if c.id == ref or (len(ref) >= 6 and c.id.startswith(ref))]
    if not matches:
        raise NotFound(f"no open conflict {ref!r}: 'facilitator sync conflicts' lists them")
    if len(matches) > 1:
        raise FacilitatorError(f"conflict id {ref!r} is ambiguous: give more of it")
    return matches[0]


def resolve_conflict(store: Store, conflict_id: str, *, take_other: bool) -> Conflict:
    """Settle a conflicted row: keep it as it is, or take the other version as a new edit.

    Either way every open conflict of that row is marked resolved here. Taking the other
    version is an edit of the row, and travels in the next bundle like any other.
    """
    conflict = find_conflict(store, conflict_id)
    take = {c: v for c, v in conflict.other.items() if c not in {"id", "created_at", *STAMP_COLUMNS}}
    store.sync.resolve(conflict.table, conflict.row_id, take if take_other else None)
    return conflict


# ---------------------------------------------------------------- for tests and checks


def canonical_dump(store: Store) -> dict[str, list[tuple[Value, ...]]]:
    """Every synced row, sorted: two databases that converged give equal dumps."""
    return store.sync.dump()
