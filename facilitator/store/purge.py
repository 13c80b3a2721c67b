"""Removing a session's rows from this laptop for good, once the office holds them.

A purge is local only. Unlike a delete it leaves no tombstone: the rows are gone
from this database (DELETE, not `deleted_at`), so no export can pick anything of
them up, and nothing of it travels to the office, which keeps its copy. The
`sessions` row stays, unchanged, so that the session still has its label, date
and place in the list; `store.session_sync` keeps the purge stub beside it.

`Store.compact` (VACUUM, then a WAL checkpoint) afterwards rebuilds the file
without the freed pages, so the text leaves the disk file too and the file shrinks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitator.store.free_text import mentioned
from facilitator.store.writer import CONFLICTS, Writer

if TYPE_CHECKING:
    from facilitator.store.database import Store

# The stub's key for the ids of removed rows that other rows point at, by table.
REMOVED_IDS = "removed_ids"
# Tables whose rows belong to one session by their `session_id`, children before parents.
# (The pseudonym map goes after them, unless rows that stay still need it: `purge_session`.)
SESSION_TABLES = ("postits", "participants", "notes", "themes")


@dataclass(frozen=True)
class Removed:
    """How many rows a purge removed, per table (the versions kept after a merge too)."""

    rows: dict[str, int]
    # Ids of the removed rows that other rows can point at (a note's tags point at the note
    # and its theme): a tag that comes back later is known by them.
    parents: dict[str, list[str]]
    # Whether the session's pseudonym map stayed, because rows that stay still leave with it.
    map_kept: bool = False

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _ids(writer: Writer, sql: str, params: list[str]) -> list[str]:
    return [str(row[0]) for row in writer.execute(sql, params).fetchall()]


def purge_session(writer: Writer, session_id: str, store: Store) -> Removed:
    """Inside a write transaction: DELETE every row of a session but the session's own row.

    Post-its, notes and their theme tags, roster, the session's own themes (a session
    without a consultation has its own codebook), and the versions of those rows kept
    after a merge. Tombstones of the session go too. Nothing is stamped, so no sync
    mark or export sees a change.

    The session's pseudonym map goes too, unless a row that stays still holds one of
    its words (the session's own row, its consultation's title, codebook and chart
    pools, the consultation's other sessions: their text leaves with this map, see
    `facilitator.store.free_text.OutgoingMaps`). Without the map, such a row would
    leave with the real name the next time it is sent, so the map stays for it.
    """
    # Freed pages are overwritten with zeros, so the text is gone even before the file is compacted.
    writer.execute("PRAGMA secure_delete = ON")
    removed: dict[str, int] = {}
    notes = _ids(writer, "SELECT id FROM notes WHERE session_id = ?", [session_id])
    themes = _ids(writer, "SELECT id FROM themes WHERE session_id = ?", [session_id])
    tags = _ids(
        writer,
        """SELECT note_themes.id FROM note_themes
           LEFT JOIN notes ON notes.id = note_themes.note_id
           LEFT JOIN themes ON themes.id = note_themes.theme_id
           WHERE notes.session_id = ? OR themes.session_id = ?""",
        [session_id, session_id],
    )
    rows = {
        "note_themes": tags,
        "notes": notes,
        "themes": themes,
        **{
            table: _ids(writer, f"SELECT id FROM {table} WHERE session_id = ?", [session_id])
            for table in ("postits", "participants")
        },
    }
    conflicts = 0
    for table, ids in rows.items():
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ", ".join("?" * len(part))
            conflicts += writer.execute(
                f"DELETE FROM {CONFLICTS} WHERE table_name = ? AND row_id IN ({marks})", [table, *part]
            ).rowcount
    removed[CONFLICTS] = conflicts
    for start in range(0, len(tags), 500):
        part = tags[start : start + 500]
        writer.execute(f"DELETE FROM note_themes WHERE id IN ({', '.join('?' * len(part))})", part)
    removed["note_themes"] = len(tags)
    for table in SESSION_TABLES:
        removed[table] = writer.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id]).rowcount
    dropped = _drop_map_if_unused(writer, store, session_id)
    removed["pseudonyms"] = dropped or 0
    # The maps of sessions purged before, kept then for this session's words, may go now.
    for other in sorted(store.session_sync.purged_stubs()):
        if other != session_id:
            _drop_map_if_unused(writer, store, other)
    return Removed(removed, {"notes": notes, "themes": themes}, dropped is None)


def _drop_map_if_unused(writer: Writer, store: Store, session_id: str) -> int | None:
    """DELETE a session's pseudonym map unless a row here still holds one of its words;
    how many mappings went, or None when the map stays."""
    words = [
        str(row[0])
        for row in writer.execute("SELECT real FROM pseudonyms WHERE session_id = ?", [session_id])
    ]
    if words and mentioned(store, session_id, words):
        return None
    return int(writer.execute("DELETE FROM pseudonyms WHERE session_id = ?", [session_id]).rowcount)
