"""The schema's migrations, one file each, in order.

Each migration brings the schema from version N-1 to N; `PRAGMA user_version`
holds the version a database is at. Append a new file and list it here; never
edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from facilitator.store.connection import Database
from facilitator.store.migrations import (
    m001_sessions_and_postits,
    m002_discussion,
    m003_sync,
    m004_chart_pools,
    m005_blank_tombstones,
    m006_note_titles_and_order,
    m007_example_sessions,
)

MIGRATIONS: list[Callable[[Database], None]] = [
    m001_sessions_and_postits.migrate,
    m002_discussion.migrate,
    m003_sync.migrate,
    m004_chart_pools.migrate,
    m005_blank_tombstones.migrate,
    m006_note_titles_and_order.migrate,
    m007_example_sessions.migrate,
]
SCHEMA_VERSION = len(MIGRATIONS)
# The schema from which a delete blanks the deleted row's text: a database opened from an
# older one is rebuilt once, so that text deleted before then is not left in freed pages.
ERASED_AT = 5
# Bundles carry text with the pseudonym maps applied from this version on.
PSEUDONYMISED_AT = 5

# Tables whose rows travel in sync bundles, parents before children. Every one has
# id, created_at, updated_at, device_id and deleted_at. Local-only tables (meta,
# sync_bundles, sync_conflicts, and anything holding a pseudonym map) are never
# listed here: a bundle holding one is refused.
SYNCED_TABLES: list[str] = [
    "devices",
    "consultations",
    "sessions",
    "postits",
    "participants",
    "themes",
    "notes",
    "note_themes",
    "chart_pools",
]
