"""Schema 1: Sessions, consultations, devices and post-its: the first schema.

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from facilitator.store.connection import Database


def migrate(db: Database) -> None:
    row_columns = (
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, device_id TEXT NOT NULL, deleted_at TEXT"
    )
    db.executescript(
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE devices (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', {row_columns});
        CREATE TABLE consultations (id TEXT PRIMARY KEY, title TEXT NOT NULL, {row_columns});
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            consultation_id TEXT REFERENCES consultations(id),
            label TEXT NOT NULL,
            cohort TEXT NOT NULL,
            setting TEXT NOT NULL,
            location TEXT NOT NULL DEFAULT '',
            date TEXT NOT NULL,
            facilitators TEXT NOT NULL DEFAULT '[]',
            participants INTEGER,
            male INTEGER,
            female INTEGER,
            statement_set_id TEXT NOT NULL,
            statement_set_title TEXT NOT NULL,
            scale TEXT NOT NULL,
            statements TEXT NOT NULL,
            closed_at TEXT,
            {row_columns}
        );
        CREATE TABLE postits (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id),
            statement_number INTEGER NOT NULL,
            response_key TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            participant TEXT,
            {row_columns}
        );
        CREATE INDEX postits_by_session ON postits (session_id, statement_number, response_key);
        CREATE INDEX sessions_by_consultation ON sessions (consultation_id);
        """
    )
