"""Saved chart pools: several sessions charted as one group under a label.

The report pools "Adult focus groups 2 & 3" into one appendix group. A saved pool
remembers that choice, so the charts screen, `facilitator charts` and
`facilitator report` chart the pooled group without being told again.

A pool's sessions share one consultation (or none) and one statement set; a
session is in at most one pool of its consultation; a pool's label is not the
label of a session or of another pool there. Removing a pool is a tombstone.
"""

from __future__ import annotations

from collections.abc import Sequence

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store import Session, Store
from facilitator.store.pools import Pool as Pool
from facilitator.store.pools import check_label

ID_PREFIX_MIN = 4


def check_same_statements(sessions: Sequence[Session]) -> None:
    """Sessions charted together must share their frozen statements and scale."""
    first = sessions[0]
    for other in sessions[1:]:
        if (other.statement_set_id, other.statements, other.scale) != (
            first.statement_set_id,
            first.statements,
            first.scale,
        ):
            raise FacilitatorError(
                f"sessions {first.label!r} ({first.statement_set_id}) and {other.label!r} "
                f"({other.statement_set_id}) use different statements, so they cannot share a figure: "
                "choose sessions with --consultation or --session"
            )


def saved_pools(store: Store) -> list[Pool]:
    """Every live pool, oldest first."""
    return store.pools.all()


def consultation_pools(store: Store, consultation_id: str | None) -> list[Pool]:
    """The live pools of one consultation (None: of sessions without a consultation), oldest first."""
    return [p for p in saved_pools(store) if p.consultation_id == consultation_id]


def save_pool(store: Store, label: str, session_refs: Sequence[str]) -> Pool:
    """Check and save a pool of at least two sessions under a label; nothing is written on error."""
    label = check_label(label)
    sessions = [store.sessions.get(ref) for ref in session_refs]
    ids = [s.id for s in sessions]
    if len(set(ids)) != len(ids):
        raise FacilitatorError("a pool names each session once")
    if len(sessions) < 2:
        raise FacilitatorError("a pool needs at least two sessions")
    consultations = {s.consultation_id for s in sessions}
    if len(consultations) > 1:
        raise FacilitatorError("a pool's sessions must all belong to one consultation")
    consultation_id = consultations.pop()
    check_same_statements(sessions)
    existing = consultation_pools(store, consultation_id)
    taken = {session_id: pool for pool in existing for session_id in pool.session_ids}
    for session in sessions:
        if session.id in taken:
            raise FacilitatorError(
                f"session {session.label!r} is already in the pool {taken[session.id].label!r}: "
                "remove that pool first ('facilitator pool remove')"
            )
    wanted = label.casefold()
    for session in store.sessions.all():
        if session.consultation_id == consultation_id and session.label.casefold() == wanted:
            raise FacilitatorError(f"pool label {label!r} is already the label of a session")
    for pool in existing:
        if pool.label.casefold() == wanted:
            raise FacilitatorError(f"pool label {label!r} is already the label of another pool")
    return store.pools.add(consultation_id, label, ids)


def find_pool(store: Store, ref: str) -> Pool:
    """A live pool by its id, a unique id prefix (4+ characters) or its label (ignoring case)."""
    ref = ref.strip()
    pools = saved_pools(store)
    for pool in pools:
        if pool.id == ref:
            return pool
    wanted = " ".join(ref.split()).casefold()
    by_label = [p for p in pools if p.label.casefold() == wanted]
    if not by_label and len(ref) >= ID_PREFIX_MIN:
        by_label = [p for p in pools if p.id.startswith(ref)]
    if len(by_label) > 1:
        raise FacilitatorError(f"pool {ref!r} is ambiguous: give its id ('facilitator pool list' shows them)")
    if not by_label:
        raise NotFound(f"unknown pool {ref!r}: 'facilitator pool list' shows the pools")
    return by_label[0]


def remove_pool(store: Store, ref: str) -> Pool:
    """Tombstone a pool; its sessions are charted alone again."""
    pool = find_pool(store, ref)
    store.pools.remove(pool.id)
    return pool


def pools_for(store: Store, sessions: Sequence[Session]) -> list[tuple[str, list[Session]]]:
    """The saved pools that apply to these chosen sessions, as (label, members) for the appendix.

    A pool applies when every one of its sessions is chosen. Pools that disagree
    (possible after two devices synced) never fail a chart: the older pool wins.
    """
    by_id = {s.id: s for s in sessions}
    labels = {s.label.casefold() for s in sessions}
    used: set[str] = set()
    found: list[tuple[str, list[Session]]] = []
    for pool in saved_pools(store):
        members = [by_id[i] for i in pool.session_ids if i in by_id]
        if len(members) != len(pool.session_ids) or len(set(pool.session_ids)) < 2:
            continue
        if used & set(pool.session_ids) or pool.label.casefold() in labels:
            continue
        try:
            check_same_statements(members)
        except FacilitatorError:
            continue
        used.update(pool.session_ids)
        labels.add(pool.label.casefold())
        found.append((pool.label, members))
    return found
