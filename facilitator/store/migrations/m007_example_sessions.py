"""Schema 7: a session can be marked as an example, loaded to practise on.

`sessions.example` is 1 for a session of the example consultation, else 0. Example
sessions are marked on every screen and export, and never leave in a bundle.

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from facilitator.store.connection import Database


def migrate(db: Database) -> None:
    db.executescript("ALTER TABLE sessions ADD COLUMN example INTEGER NOT NULL DEFAULT 0;")
