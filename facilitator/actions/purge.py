"""Purging: this laptop forgets a session once the office confirmed it holds it.

A purge removes the session's post-its, notes (and their theme tags), roster,
pseudonym map (unless text that stays still needs it) and own themes from this
laptop for good, and keeps a stub: the session's label, date, cohort, setting, its
counts, and since when the office holds it. It is local only: nothing of it
travels to the office, which keeps its copy.

Only a `confirmed` session is purged, unless `force` is given (then a person must
have typed the session's label: the front ends ask). A setting (off by default)
purges confirmed sessions automatically some days after the office confirmed them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from facilitator.core.clock import MONTHS, parse_stamp
from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store import Session, Store
from facilitator.store.purge import REMOVED_IDS, purge_session
from facilitator.sync.status import CONFIRMED, LOCAL, PURGED, SessionSync, session_statuses

# The automatic purge's setting, kept in this laptop's meta (never synced): days, or absent for off.
META_AUTO_PURGE = "purge_after_days"
MAX_AUTO_DAYS = 3650


class NotConfirmed(FacilitatorError):
    """A session the office has not confirmed, asked to be purged without force."""


@dataclass(frozen=True)
class Purged:
    """One session purged: its id, label and the stub kept of it."""

    session_id: str
    label: str
    stub: dict[str, Any]


@dataclass(frozen=True)
class PurgeResult:
    """What a purge did: the sessions purged, those skipped (why), the file's size before and after."""

    purged: list[Purged] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    size_before: int = 0
    size_after: int = 0

    @property
    def saved(self) -> int:
        return max(0, self.size_before - self.size_after)


def purge(store: Store, session_ids: Sequence[str] | None = None, *, force: bool = False) -> PurgeResult:
    """Purge these sessions (by id), or every confirmed session when `session_ids` is None.

    Every session named is checked first: one that is not confirmed refuses the whole
    purge with `NotConfirmed` (nothing changed) unless `force`. One purged already is
    skipped with a message. Each session is purged in one transaction (its rows
    removed and its stub kept together); the file is compacted once at the end.
    """
    statuses = session_statuses(store)
    disputed = sessions_with_conflicts(store)
    skipped: list[str] = []
    chosen: list[tuple[Session, SessionSync]] = []
    if session_ids is None:
        for s in store.sessions.all():
            if s.id not in statuses or statuses[s.id].status != CONFIRMED:
                continue
            if s.id in disputed:
                skipped.append(f"{s.label}: {_disputed(disputed[s.id])}; skipped")
                continue
            chosen.append((s, statuses[s.id]))
    else:
        found = store.sessions.by_ids(list(dict.fromkeys(session_ids)))
        for session_id in dict.fromkeys(session_ids):
            session = found.get(session_id)
            if session is None:
                raise NotFound(
                    f"unknown session {session_id!r}: 'facilitator session list' shows the sessions"
                )
            state = statuses.get(session_id, SessionSync(LOCAL))
            if state.status == PURGED:
                skipped.append(f"{session.label} was purged already: skipped")
                continue
            if state.status != CONFIRMED and not force:
                raise NotConfirmed(
                    f"session {session.label!r} is {state.status}, not confirmed by the office: "
                    "not purged (nothing changed)"
                )
            if session_id in disputed and not force:
                problem = _disputed(disputed[session_id])
                raise NotConfirmed(f"session {session.label!r}: {problem}: not purged (nothing changed)")
            chosen.append((session, state))
    before = store.file_size()
    purged = [_purge_one(store, session, state) for session, state in chosen]
    if purged:
        _forget_drawn_charts(store)
        try:
            store.compact()
        except FacilitatorError as error:
            # The rows are gone (their pages were zeroed as they were freed); only the shrinking waits.
            skipped.append(f"warning: {error}; the file shrinks at the next purge")
    return PurgeResult(purged, skipped, before, store.file_size())


def _forget_drawn_charts(store: Store) -> None:
    """Empty the data folder's chart cache: its pictures hold the purged sessions' labels and counts."""
    from facilitator.core.paths import CHART_CACHE
    from facilitator.outputs import chart_cache

    chart_cache.empty(store.path.parent / CHART_CACHE)


def sessions_with_conflicts(store: Store) -> dict[str, int]:
    """Per session id, how many conflicts it has open: versions that lost a merge here and
    that nobody reviewed, which the office may never have received. A purge would lose them."""
    from facilitator.sync.merge import conflicts, open_conflict_count

    if not open_conflict_count(store):
        return {}
    found: dict[str, int] = {}
    for conflict in conflicts(store):
        row = conflict.current
        if conflict.table == "sessions":
            session_id = row.get("id")
        elif "session_id" in row:
            session_id = row.get("session_id")
        elif "note_id" in row:
            session_id = store.sync.session_of_note(row.get("note_id"))
        else:
            continue
        if isinstance(session_id, str):
            found[session_id] = found.get(session_id, 0) + 1
    return found


def _disputed(count: int) -> str:
    what = "an open sync conflict" if count == 1 else f"{count} open sync conflicts"
    return f"it has {what} to review first ('facilitator sync conflicts', or k on the sync screen)"


def refuse_purged(store: Store, session: Session, doing: str) -> None:
    """FacilitatorError when the session was purged here: its words are at the office, not on this laptop."""
    stub = purged_stub(store, session.id)
    if stub is not None:
        raise FacilitatorError(
            f"session {session.label!r} was purged from this laptop ({office_since(stub)}): "
            f"{doing} it is done at the office"
        )


def unconfirmed(store: Store, session_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(id, status) of those sessions that are neither confirmed nor purged: a purge of them needs force."""
    statuses = session_statuses(store)
    found = []
    for session_id in dict.fromkeys(session_ids):
        status = statuses.get(session_id, SessionSync(LOCAL)).status
        if status not in (CONFIRMED, PURGED):
            found.append((session_id, status))
    return found


def _purge_one(store: Store, session: Session, state: SessionSync) -> Purged:
    by_statement = {
        str(number): sum(by_key.values())
        for number, by_key in sorted(store.postits.counts([session.id]).items())
    }
    with store.write() as writer:
        stub: dict[str, Any] = {
            "label": session.label,
            "date": session.date,
            "cohort": session.cohort,
            "setting": session.setting,
            "consultation": session.consultation,
            "postits": sum(by_statement.values()),
            "postits_by_statement": by_statement,
            "notes": len(store.notes.of(session.id)),
            "participants": len(store.roster.of(session.id)),
            "confirmed_at": state.confirmed_at if state.status == CONFIRMED else None,
            "purged_at": writer.now(),
        }
        removed = purge_session(writer, session.id, store)
        stub[REMOVED_IDS] = {table: ids for table, ids in removed.parents.items() if ids}
        store.session_sync.record_purged(writer, session.id, stub)
    return Purged(session.id, session.label, stub)


def purged_stub(store: Store, session_id: str) -> dict[str, Any] | None:
    """A purged session's stub, or None if it was not purged."""
    record = store.session_sync.get(session_id)
    return None if record.purged is None else dict(record.purged)


def office_since(stub: Mapping[str, Any], *, short: bool = False) -> str:
    """'at the office since 3 Dec 2026' ('at office since 3 Dec' when `short`, for a table);
    'removed from this laptop' for a session purged by force before the office confirmed it."""
    day = parse_stamp(stub.get("confirmed_at"))
    if day is None:
        return "removed here" if short else "removed from this laptop"
    if short:
        return f"at office since {day.day} {MONTHS[day.month - 1]}"
    return f"at the office since {day.day} {MONTHS[day.month - 1]} {day.year}"


def stub_counts(stub: Mapping[str, Any]) -> str:
    """'12 post-its, 3 notes, 4 participants'."""
    parts = []
    for key, one in (("postits", "post-it"), ("notes", "note"), ("participants", "participant")):
        n = stub.get(key)
        if isinstance(n, int) and not isinstance(n, bool):
            parts.append(f"{n} {one}{'' if n == 1 else 's'}")
    return ", ".join(parts)


# ---------------------------------------------------------------- automatic purge


def auto_purge_days(store: Store) -> int | None:
    """After how many days a confirmed session is purged automatically, or None (off)."""
    value = store.meta.get(META_AUTO_PURGE)
    if value is None or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def set_auto_purge(store: Store, days: int | None) -> None:
    """Purge confirmed sessions `days` days after the office confirmed them; None turns it off."""
    if days is not None and not 0 <= days <= MAX_AUTO_DAYS:
        raise FacilitatorError(f"give the days as a whole number from 0 to {MAX_AUTO_DAYS}, or off")
    store.meta.set(META_AUTO_PURGE, "off" if days is None else str(days))


def parse_auto_days(text: str) -> int | None:
    """'off' or a number of days, as typed; FacilitatorError for anything else."""
    value = text.strip().casefold()
    if value == "off":
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_AUTO_DAYS:
        raise FacilitatorError(
            f"--auto takes a whole number of days from 0 to {MAX_AUTO_DAYS}, or off (not {text!r})"
        )
    return int(value)


def auto_purge(store: Store) -> PurgeResult:
    """Purge the confirmed sessions whose confirmation is older than the setting's days.

    Does nothing when the setting is off. Never purges a session that is not confirmed.
    """
    days = auto_purge_days(store)
    if days is None:
        return PurgeResult()
    cutoff = store.clock.wall() - timedelta(days=days)
    due = []
    for session_id, state in session_statuses(store).items():
        confirmed = parse_stamp(state.confirmed_at)
        if state.status == CONFIRMED and confirmed is not None and confirmed < cutoff:
            due.append(session_id)
    live = {s.id for s in store.sessions.all()}
    due = [session_id for session_id in due if session_id in live]
    if not due:
        return PurgeResult()
    return purge(store, due)


def purged_line(result: PurgeResult) -> str:
    """One sentence for a notification: which sessions an automatic purge removed."""
    labels = ", ".join(p.label for p in result.purged)
    n = len(result.purged)
    return (
        f"Purged {n} session{'' if n == 1 else 's'} the office confirmed from this laptop: {labels}. "
        "The office keeps its copy."
    )
