"""Saved chart pools: several sessions charted as one group under a label.

The rules a pool must keep (one consultation, one statement set, a session in one
pool, a label of its own) are checked by `facilitator.exercise.pools` before it
comes here; this repository reads and writes the `chart_pools` rows.
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from facilitator.core.errors import FacilitatorError
from facilitator.store.records import MAX_LABEL, DamagedRow, check_row_id, check_short_text

if TYPE_CHECKING:
    from facilitator.store.database import Store

# A pool's list of session ids, as stored: room for a thousand sessions.
MAX_POOL_JSON = 40_000


def check_label(label: str) -> str:
    """A pool's label with its spacing tidied, or FacilitatorError."""
    return check_short_text(
        label,
        "the pool's label",
        MAX_LABEL,
        required="a pool needs a label, such as 'Adult focus groups 2 & 3'",
    )


def check_session_ids(text: str) -> list[str]:
    """A pool's stored sessions: a JSON list of distinct session ids."""
    if len(text) > MAX_POOL_JSON:
        raise FacilitatorError(f"session_ids is too long ({len(text)} characters; {MAX_POOL_JSON} at most)")
    try:
        ids = json.loads(text)
    except (ValueError, RecursionError):
        raise FacilitatorError("session_ids is not valid JSON") from None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise FacilitatorError("session_ids must be a JSON list of session ids")
    for session_id in ids:
        check_row_id(session_id, "session id")
    if len(set(ids)) != len(ids):
        raise FacilitatorError("session_ids names a session twice")
    return ids


@dataclass(frozen=True)
class Pool:
    """A saved chart pool: its sessions' ids in the order they were chosen."""

    id: str
    consultation_id: str | None
    label: str
    session_ids: tuple[str, ...]


def pool_from_row(row: Mapping[str, Any], known: Container[str] | None = None) -> Pool:
    """A pool record from its row, or DamagedRow when its session ids do not parse.

    With `known` (the ids of every session ever stored), an id that names no session
    is damage too; a session deleted since the pool was saved is not.
    """
    try:
        ids = json.loads(str(row["session_ids"]))
    except (ValueError, RecursionError):
        raise DamagedRow("chart pool", row["id"], "its session ids are not JSON") from None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise DamagedRow("chart pool", row["id"], "its session ids are not a list of ids")
    if known is not None and any(i not in known for i in ids):
        raise DamagedRow("chart pool", row["id"], "it names a session that does not exist")
    consultation_id = row["consultation_id"]
    return Pool(
        str(row["id"]),
        None if consultation_id is None else str(consultation_id),
        str(row["label"]),
        tuple(ids),
    )


class PoolRepository:
    """Saved chart pools; removing one is a tombstone."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def all(self) -> list[Pool]:
        """Every live pool, oldest first."""
        rows = list(
            self._store.db.query(
                """SELECT id, consultation_id, label, session_ids FROM chart_pools
                   WHERE deleted_at IS NULL ORDER BY created_at, id"""
            )
        )
        if not rows:
            return []
        known = {str(r[0]) for r in self._store.db.execute("SELECT id FROM sessions").fetchall()}
        return self._store.damaged.keep(rows, lambda row: pool_from_row(row, known))

    def add(self, consultation_id: str | None, label: str, session_ids: Sequence[str]) -> Pool:
        """Save a pool as given (already checked); returns it with its new id."""
        with self._store.write() as writer:
            row = writer.insert(
                "chart_pools",
                {
                    "consultation_id": consultation_id,
                    "label": label,
                    "session_ids": json.dumps(list(session_ids)),
                },
            )
        return pool_from_row(row)

    def remove(self, pool_id: str) -> None:
        """Tombstone a pool; its sessions are charted alone again."""
        with self._store.write() as writer:
            writer.tombstone("chart_pools", pool_id)
