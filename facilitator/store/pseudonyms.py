"""A session's pseudonym map: a real name (or word) -> the changed name used on export.

The map lives on this laptop only. Its table is not among the synced tables, so
it never travels in a bundle, and no export reads it except to apply it. Its rows
are stamped and tombstoned like every other row. A change to the map stamps again
this device's rows whose text it changes on the way out, so that the office gets
them again with the new replacement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitator.core.errors import FacilitatorError
from facilitator.store.free_text import restamp_mentions

if TYPE_CHECKING:
    from facilitator.store.database import Store

MAX_PSEUDONYM = 60
_MAP_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’.\- ])*$")


@dataclass(frozen=True)
class Pseudonym:
    id: str
    session_id: str
    real: str
    changed: str


def check_word(word: str, what: str) -> str:
    """A name or word of the map with its spacing tidied, or FacilitatorError."""
    cleaned = " ".join((word or "").split())
    if not cleaned:
        raise FacilitatorError(f"the {what} is empty")
    if len(cleaned) > MAX_PSEUDONYM:
        raise FacilitatorError(f"the {what} is too long ({MAX_PSEUDONYM} characters at most)")
    if not _MAP_WORD.match(cleaned):
        raise FacilitatorError(
            f"the {what} {cleaned!r} must be a name or word: letters, spaces, apostrophes and hyphens"
        )
    return cleaned


class PseudonymRepository:
    """The local pseudonym maps of every session (never synced, never exported)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def session_ids(self) -> list[str]:
        """The sessions that have a live mapping, in id order."""
        rows = self._store.db.execute(
            "SELECT DISTINCT session_id FROM pseudonyms WHERE deleted_at IS NULL ORDER BY session_id"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def of(self, session_id: str) -> list[Pseudonym]:
        """The session's live mappings, by real name (ignoring case)."""
        rows = self._store.db.execute(
            """SELECT id, session_id, real, changed FROM pseudonyms
               WHERE session_id = ? AND deleted_at IS NULL""",
            [session_id],
        ).fetchall()
        return sorted((Pseudonym(*row) for row in rows), key=lambda p: (p.real.casefold(), p.id))

    def add(self, session_id: str, real: str, changed: str) -> Pseudonym:
        """Add a checked mapping to a session's map."""
        with self._store.write() as writer:
            row = writer.insert("pseudonyms", {"session_id": session_id, "real": real, "changed": changed})
            restamp_mentions(self._store, writer, session_id, [real])
        return Pseudonym(row["id"], session_id, real, changed)

    def replace(self, existing: Pseudonym, real: str, changed: str) -> Pseudonym:
        """Change a mapping's real and changed names (checked already)."""
        with self._store.write() as writer:
            writer.update("pseudonyms", existing.id, {"real": real, "changed": changed})
            restamp_mentions(self._store, writer, existing.session_id, [existing.real, real])
        return Pseudonym(existing.id, existing.session_id, real, changed)

    def remove(self, pseudonym: Pseudonym) -> None:
        """Tombstone one mapping."""
        with self._store.write() as writer:
            writer.tombstone("pseudonyms", pseudonym.id)
            restamp_mentions(self._store, writer, pseudonym.session_id, [pseudonym.real])
