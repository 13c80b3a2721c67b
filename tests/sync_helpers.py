"""Helpers shared by the sync, keys and receipt tests: small data folders and dumps."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from facilitator.actions.data_folder import Workspace
from facilitator.core.paths import DATABASE_NAME
from facilitator.store import Session, SessionDetails, Store

SET_ID = "does-social-work-care"


def open_store(data_dir: Path) -> Store:
    return Store.open(data_dir)


def new_session(store: Store, label: str = "Adult focus group 1", data_dir: Path | None = None) -> Session:
    statement_set = Workspace.at(data_dir or store.path.parent).catalogue().get(SET_ID)
    return store.sessions.create(
        statement_set,
        SessionDetails(label=label, cohort="adults", setting="community", consultation="Care 2010"),
    )


def whole_database(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (meta and sync tables too), read without the app."""
    connection = sqlite3.connect(f"file:{data_dir / DATABASE_NAME}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        connection.close()


def integrity(data_dir: Path) -> str:
    connection = sqlite3.connect(str(data_dir / DATABASE_NAME))
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()
