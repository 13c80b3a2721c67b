"""Schema 4: Saved chart pools: several sessions charted as one group under a label.

`session_ids` is a JSON list of session ids, in the order they were chosen; the
consultation is that of the sessions (NULL for sessions without one).

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
        CREATE TABLE chart_pools (
            id TEXT PRIMARY KEY,
            consultation_id TEXT REFERENCES consultations(id),
            label TEXT NOT NULL,
            session_ids TEXT NOT NULL DEFAULT '[]',
            {row_columns}
        );
        CREATE INDEX chart_pools_by_consultation ON chart_pools (consultation_id);
        """
    )
