"""Schema 6: A case study has a title, and a session's notes have an order the author sets.

`notes.title` is the title of a case study ("" for none, and for a tombstone).
`notes.position` orders a session's notes: existing notes are numbered in the order
they were taken, so nothing moves; a new note goes last.

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from facilitator.store.connection import Database


def migrate(db: Database) -> None:
    db.executescript(
        """
        ALTER TABLE notes ADD COLUMN title TEXT NOT NULL DEFAULT '';
        ALTER TABLE notes ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
        """
    )
    db.execute(
        """UPDATE notes SET position = (
               SELECT count(*) FROM notes AS earlier
               WHERE earlier.session_id = notes.session_id
                 AND (earlier.created_at, earlier.id) < (notes.created_at, notes.id)
           ) + 1"""
    )
