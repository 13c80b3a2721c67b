"""Schema 2: The discussion: roster, codebook, notes with theme tags, and the local pseudonym map.

A theme belongs to a consultation's codebook (`consultation_id`), or to the
codebook of a session that has no consultation (`session_id`). A merged theme
points at the theme it was merged into. `pseudonyms` is local only: it never
travels in a bundle and is never exported.

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
        CREATE TABLE participants (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id),
            code TEXT NOT NULL,
            gender TEXT NOT NULL,
            cohort TEXT NOT NULL,
            age_band TEXT NOT NULL DEFAULT '',
            consent INTEGER NOT NULL DEFAULT 0,
            wants_interview INTEGER NOT NULL DEFAULT 0,
            {row_columns}
        );
        CREATE TABLE themes (
            id TEXT PRIMARY KEY,
            consultation_id TEXT REFERENCES consultations(id),
            session_id TEXT REFERENCES sessions(id),
            name TEXT NOT NULL,
            merged_into TEXT,
            {row_columns}
        );
        CREATE TABLE notes (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id),
            text TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'note',
            participant TEXT,
            {row_columns}
        );
        CREATE TABLE note_themes (
            id TEXT PRIMARY KEY,
            note_id TEXT NOT NULL REFERENCES notes(id),
            theme_id TEXT NOT NULL REFERENCES themes(id),
            {row_columns}
        );
        CREATE TABLE pseudonyms (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id),
            real TEXT NOT NULL,
            changed TEXT NOT NULL,
            {row_columns}
        );
        CREATE INDEX participants_by_session ON participants (session_id);
        CREATE INDEX themes_by_consultation ON themes (consultation_id);
        CREATE INDEX themes_by_session ON themes (session_id);
        CREATE INDEX notes_by_session ON notes (session_id, created_at);
        CREATE INDEX note_themes_by_note ON note_themes (note_id);
        CREATE INDEX note_themes_by_theme ON note_themes (theme_id);
        CREATE INDEX pseudonyms_by_session ON pseudonyms (session_id);
        """
    )
