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


def bundles_split_from_parents(laptop_dir: Path, folder: Path) -> tuple[Path, Path, str]:
    """Two plaintext bundles of one laptop in `folder`: its post-its, then (named to sort after
    them) the session and consultation they belong to. Returns both paths and the session's id."""
    from facilitator.sync import bundle
    from facilitator.sync import merge as sync

    folder.mkdir(parents=True, exist_ok=True)
    with open_store(laptop_dir) as laptop:
        session = new_session(laptop, "From the laptop", data_dir=laptop_dir)
        laptop.postits.add(session.id, 1, "agree", "said first")
        laptop.postits.add(session.id, 2, "disagree", "said second")
        whole = sync.export_bundle(laptop, laptop_dir, everything=True, plaintext=True).path
    read = sync.read_bundle(whole)
    device, stamp = read.manifest.device_id, read.manifest.created_at
    children = [t for t in read.tables if t.table == "postits"]
    parents = [t for t in read.tables if t.table != "postits"]
    paths = []
    for sequence, (name, tables) in enumerate((("1-postits", children), ("2-sessions", parents)), start=1):
        data, _manifest = bundle.encode(device, sequence, stamp, tables, complete=False, recipients=None)
        path = folder / f"{name}{bundle.SUFFIX}"
        path.write_bytes(data)
        paths.append(path)
    return paths[0], paths[1], session.id
