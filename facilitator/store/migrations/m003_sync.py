"""Schema 3: Sync: the versions that lost a merge, and the bundles made or taken here.

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
        -- Every version of a row that lost a merge, keyed by a hash of the version so that
        -- two devices recording the same one make the same row. It travels in bundles;
        -- deleted_at marks a version a person has reviewed (resolved).
        CREATE TABLE sync_conflicts (
            id TEXT PRIMARY KEY,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            version TEXT NOT NULL,
            {row_columns}
        );
        CREATE INDEX sync_conflicts_by_row ON sync_conflicts (table_name, row_id);
        -- Local only: bundles this device wrote ('out') or imported ('in').
        CREATE TABLE sync_bundles (
            file_sha256 TEXT PRIMARY KEY,
            payload_sha256 TEXT NOT NULL,
            direction TEXT NOT NULL,
            device_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            name TEXT NOT NULL,
            at TEXT NOT NULL,
            added INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            conflicted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sync_bundles_by_payload ON sync_bundles (payload_sha256);
        """
    )
