"""The store: the only place that touches SQLite.

`Store.open(data_dir)` gives the data folder's database. Its repositories
(`store.sessions`, `store.postits`, …) return the records defined in
`facilitator.store.records`, and every write goes through one stamped write API
(`facilitator.store.writer`). No SQL is written anywhere else in the program.
"""

from facilitator.store.connection import DatabaseError, IntegrityError, InterfaceError, OperationalError
from facilitator.store.database import LockedError, Store
from facilitator.store.migrations import MIGRATIONS, SCHEMA_VERSION, SYNCED_TABLES
from facilitator.store.records import (
    MAX_COMMENT,
    PARTICIPANT_CODE,
    SESSION_PREFIX_MIN,
    SETTINGS,
    Consultation,
    Damaged,
    NewPostit,
    Postit,
    Session,
    SessionDetails,
    SessionSummary,
)

__all__ = [
    "MAX_COMMENT",
    "MIGRATIONS",
    "PARTICIPANT_CODE",
    "SCHEMA_VERSION",
    "SESSION_PREFIX_MIN",
    "SETTINGS",
    "SYNCED_TABLES",
    "Consultation",
    "Damaged",
    "DatabaseError",
    "IntegrityError",
    "InterfaceError",
    "LockedError",
    "NewPostit",
    "OperationalError",
    "Postit",
    "Session",
    "SessionDetails",
    "SessionSummary",
    "Store",
]
