"""A database made by every earlier schema version opens in this one with nothing lost.

Each `tests/fixtures/schemas/vN.db` was made by the program as it was when the
schema was at version N, through that version's own command line (see the README
beside them). Editing and deleting a post-it had no command at any of those
versions, only the app's wall: for those two steps the fixtures called the old
checkout's own `Store.edit_postit` and `Store.delete_postit`, as the wall does.

Every check reads the file with plain sqlite3 (the fixtures are old, unencrypted data
folders, and stay so when migrated; a new folder, encrypted, is read with its key) or
goes through the command line, so it holds however the store's methods are named. Live
rows come through byte for byte; tombstones written before schema 5 lose their text, as
deletes do since.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from facilitator.cli import main
from facilitator.core.errors import FacilitatorError
from facilitator.core.paths import DATABASE_NAME
from facilitator.store import SCHEMA_VERSION
from facilitator.store.sync_state import META_SINCE
from facilitator.store.tombstones import BLANKS
from facilitator.sync.outgoing import outgoing_rows
from tests.folders import connect_to, open_folder

FIXTURES = Path(__file__).parent / "fixtures" / "schemas"
FIXTURE_VERSIONS = sorted(
    int(m[1]) for p in FIXTURES.glob("v*.db") if (m := re.fullmatch(r"v(\d+)\.db", p.name))
)

# The tables each schema version brought, as the fixtures were made.
TABLES_BY_VERSION = {
    1: {"meta", "devices", "consultations", "sessions", "postits"},
    2: {"participants", "themes", "notes", "note_themes", "pseudonyms"},
    3: {"sync_conflicts", "sync_bundles"},
    4: {"chart_pools"},
    5: set(),
    6: set(),  # a case study's title and the notes' order: columns, no table
    7: set(),  # a session's example mark: a column, no table
}
# From this version a delete blanks the row's text; older tombstones are blanked on opening.
BLANKED_FROM = 5

ADULT_GROUP = "Adult focus group 1"
UNICODE_COMMENT = "Staff listened — café talk, naïve hope, 日本語, 🙂"
MULTILINE_COMMENT = 'Quotes "inside", commas, and a\nsecond line'
EDITED_COMMENT = "second thoughts: it got better ✓"
DELETED_COMMENT = "recorded by mistake"
DELETED_NOTE = "Duplicate note"

Rows = dict[str, tuple[tuple[str, ...], Counter[tuple[Any, ...]]]]


def read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a database file: a fixture, or a data folder's (keyed if the
    folder is encrypted, as a new one is)."""
    if path.name == DATABASE_NAME:
        return connect_to(path.parent, read_only=True)
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def typed(value: object) -> tuple[str, object]:
    """A value with its storage type, so that 1 and '1' or 1 and 1.0 stay different."""
    return (type(value).__name__, value)


def read_rows(path: Path) -> Rows:
    """Every row of every table: the column names, and the rows as a multiset."""
    db = read_only(path)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found: Rows = {}
        for table in tables:
            cursor = db.execute(f'SELECT * FROM "{table}"')
            columns = tuple(d[0] for d in cursor.description)
            found[table] = (columns, Counter(tuple(typed(v) for v in row) for row in cursor))
        return found
    finally:
        db.close()


def read_schema(path: Path) -> dict[str, object]:
    """user_version and every table and index as SQLite stores its definition."""
    db = read_only(path)
    try:
        return {
            "user_version": db.execute("PRAGMA user_version").fetchone()[0],
            "objects": sorted(
                db.execute(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                ).fetchall(),
                key=str,
            ),
        }
    finally:
        db.close()


def user_version(path: Path) -> int:
    db = read_only(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def open_and_close(data_dir: Path) -> None:
    open_folder(data_dir).close()


def copy_fixture(version: int, tmp_path: Path) -> tuple[Path, Path]:
    """The fixture as the database of a fresh data folder: (data folder, database file)."""
    data_dir = tmp_path / f"data-v{version}"
    data_dir.mkdir()
    path = data_dir / DATABASE_NAME
    shutil.copyfile(FIXTURES / f"v{version}.db", path)
    return data_dir, path


def run_cli(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], catch_exceptions=False)


def adult_group_id(path: Path) -> str:
    db = read_only(path)
    try:
        (session_id,) = db.execute("SELECT id FROM sessions WHERE label = ?", [ADULT_GROUP]).fetchone()
        return str(session_id)
    finally:
        db.close()


def comments_of(rows: Rows, *, deleted: bool) -> set[str]:
    columns, found = rows["postits"]
    comment, deleted_at = columns.index("comment"), columns.index("deleted_at")
    return {row[comment][1] for row in found if (row[deleted_at][1] is not None) == deleted}


def test_every_schema_version_has_a_fixture() -> None:
    assert set(range(1, SCHEMA_VERSION + 1)) <= set(FIXTURE_VERSIONS), (
        "make a fixture for every schema version: see tests/fixtures/schemas/README.md"
    )
    assert set(TABLES_BY_VERSION) == set(FIXTURE_VERSIONS)


def test_fixtures_are_single_files_under_version_control() -> None:
    assert not list(FIXTURES.glob("*-wal")) and not list(FIXTURES.glob("*-shm"))
    for version in FIXTURE_VERSIONS:
        db = sqlite3.connect(f"file:{FIXTURES / f'v{version}.db'}?mode=ro", uri=True)
        try:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        finally:
            db.close()


@pytest.mark.parametrize("version", FIXTURE_VERSIONS)
def test_a_fixture_holds_what_its_version_could_record(version: int) -> None:
    """The fixture itself: its version, its tables, and the awkward rows worth carrying."""
    path = FIXTURES / f"v{version}.db"
    assert user_version(path) == version
    rows = read_rows(path)
    expected_tables = set().union(*(TABLES_BY_VERSION[v] for v in range(1, version + 1)))
    assert set(rows) == expected_tables
    live = comments_of(rows, deleted=False)
    assert {UNICODE_COMMENT, MULTILINE_COMMENT, EDITED_COMMENT} <= live
    assert comments_of(rows, deleted=True) == ({DELETED_COMMENT} if version < BLANKED_FROM else {""})
    postit_columns, postits = rows["postits"]
    created, updated = postit_columns.index("created_at"), postit_columns.index("updated_at")
    assert any(row[updated] != row[created] for row in postits)  # the edit
    for table in expected_tables - {"meta", "devices", "consultations"}:
        assert rows[table][1], f"v{version} has no rows in {table}"


@pytest.mark.parametrize("version", FIXTURE_VERSIONS)
def test_an_old_database_migrates_forward_with_nothing_lost(version: int, tmp_path: Path) -> None:
    data_dir, path = copy_fixture(version, tmp_path)
    before = read_rows(path)

    open_and_close(data_dir)

    assert user_version(path) == SCHEMA_VERSION
    after = sent_again_as_before(before, read_rows(path))
    before = as_migrated(before)
    for table, (columns, rows) in before.items():
        assert table in after, f"table {table} is gone"
        new_columns, new_rows = after[table]
        missing = [c for c in columns if c not in new_columns]
        assert not missing, f"{table} lost columns {missing}"
        keep = [new_columns.index(c) for c in columns]
        kept = Counter(tuple(row[i] for i in keep) for row in new_rows.elements())
        lost = rows - kept
        assert not lost, f"{table} lost or changed {sum(lost.values())} rows: {list(lost)[:3]}"

    # The migrated schema is the one a new data folder gets: every new table, index and column.
    fresh = tmp_path / "fresh"
    open_and_close(fresh)
    assert read_schema(path) == read_schema(fresh / DATABASE_NAME)
    assert set(after) == set(read_rows(fresh / DATABASE_NAME))


def sent_again_as_before(before: Rows, after: Rows) -> Rows:
    """`after`, with the stamps of the rows an upgrade stamped again put back as they were.

    Bundles of older versions carried text as typed; upgrading stamps again, unchanged,
    the device's rows that its pseudonym maps change, so that the next bundle replaces
    them at the office. Those rows must hold a mapped word and differ only in
    `updated_at`; the clock floor in `meta` moves with them. Nothing else may change.
    """
    words = {str(real).casefold() for real in mapped_words(before)}
    restored: Rows = {}
    for table, (columns, found) in after.items():
        if table == "meta":
            old = dict(row for row in before.get(table, ((), Counter()))[1] if row[0][1] == "clock_floor")
            found = Counter(
                {(k, old.get(k, v) if k[1] == "clock_floor" else v): n for (k, v), n in found.items()}
            )
            restored[table] = (columns, found)
            continue
        if table not in before or "updated_at" not in columns or "id" not in columns:
            restored[table] = (columns, found)
            continue
        old_columns, old_rows = before[table]
        stamp, ident = old_columns.index("updated_at"), old_columns.index("id")
        was = {row[ident]: row for row in old_rows}
        fixed: Counter[tuple[Any, ...]] = Counter()
        for row, count in found.items():
            old_row = was.get(row[columns.index("id")])
            if old_row is not None and row[columns.index("updated_at")] != old_row[stamp]:
                text = " ".join(readable(v[1]) for v in row if isinstance(v[1], str)).casefold()
                assert any(word in text for word in words), f"{table} row {row[0]} stamped again"
                assert row[columns.index("updated_at")][1] > old_row[stamp][1]
                row = tuple(
                    old_row[stamp] if c == "updated_at" else v for c, v in zip(columns, row, strict=True)
                )
            fixed[row] += count
        restored[table] = (columns, fixed)
    return restored


def readable(value: str) -> str:
    """A stored text as a person reads it: a JSON list of names (facilitators) unescaped."""
    try:
        found = json.loads(value)
    except ValueError:
        return value
    return " ".join(map(str, found)) if isinstance(found, list) else value


def mapped_words(rows: Rows) -> list[object]:
    """The real words of the live pseudonym maps of a database's rows."""
    if "pseudonyms" not in rows:
        return []
    columns, found = rows["pseudonyms"]
    real, deleted = columns.index("real"), columns.index("deleted_at")
    return [row[real][1] for row in found if row[deleted][1] is None]


def test_an_upgrade_sends_again_the_rows_its_maps_change(tmp_path: Path) -> None:
    """v4 bundles carried text as typed: after the upgrade the rows the map changes leave again."""
    data_dir, path = copy_fixture(4, tmp_path)
    session_id = adult_group_id(path)
    before = read_rows(path)
    open_and_close(data_dir)
    columns, found = read_rows(path)["sessions"]
    old_columns, old_found = before["sessions"]
    (row,) = [r for r in found if r[columns.index("id")][1] == session_id]
    (old,) = [r for r in old_found if r[old_columns.index("id")][1] == session_id]
    assert "Zoë K" in json.loads(row[columns.index("facilitators")][1])
    assert row[columns.index("updated_at")][1] > old[old_columns.index("updated_at")][1]
    with open_folder(data_dir) as store:
        columns_now = store.sync.columns("sessions")
        since = store.meta.get(META_SINCE) or ""
        # Changed since the last export's mark: the next bundle carries it, with the map applied.
        next_bundle = store.sync.changed_rows("sessions", columns_now, since)
        assert session_id in next_bundle
        sent = outgoing_rows(store, "sessions", columns_now, next_bundle)
        facilitators = [sent[session_id][columns_now.index("facilitators")]]
    assert [json.loads(str(f)) for f in facilitators] == [["MJ", "Anna K"]]


def as_migrated(rows: Rows) -> Rows:
    """The rows an older database should hold after migrating: live rows byte for byte, and
    tombstones without their text, nor the versions of them kept from merges."""
    migrated: Rows = {}
    tombstones: set[tuple[str, object]] = set()
    for table, (columns, found) in rows.items():
        if "deleted_at" not in columns or table == "sync_conflicts":
            migrated[table] = (columns, found)
            continue
        deleted, blanks = columns.index("deleted_at"), BLANKS.get(table, {})
        kept: Counter[tuple[Any, ...]] = Counter()
        for row, count in found.items():
            if row[deleted][1] is not None:
                tombstones.add((table, row[0][1]))
                row = tuple(typed(blanks[c]) if c in blanks else v for c, v in zip(columns, row, strict=True))
            kept[row] += count
        migrated[table] = (columns, kept)
    if "sync_conflicts" in rows:
        columns, found = rows["sync_conflicts"]
        table_at, row_at = columns.index("table_name"), columns.index("row_id")
        migrated["sync_conflicts"] = (
            columns,
            Counter({r: n for r, n in found.items() if (r[table_at][1], r[row_at][1]) not in tombstones}),
        )
    return migrated


@pytest.mark.parametrize("version", [v for v in FIXTURE_VERSIONS if v < BLANKED_FROM])
def test_an_old_database_keeps_no_deleted_text_once_migrated(version: int, tmp_path: Path) -> None:
    """Its tombstones lose their text, and the file is rebuilt so that none is left in freed pages."""
    data_dir, path = copy_fixture(version, tmp_path)
    deleted = [DELETED_COMMENT] + ([DELETED_NOTE] if version >= 2 else [])
    assert all(text.encode() in path.read_bytes() for text in deleted)

    open_and_close(data_dir)

    wal = Path(f"{path}-wal")
    for text in deleted:
        assert text.encode() not in path.read_bytes()
        assert not wal.exists() or text.encode() not in wal.read_bytes()
    columns, postits = read_rows(path)["postits"]
    comment, deleted_at = columns.index("comment"), columns.index("deleted_at")
    assert {row[comment][1] for row in postits if row[deleted_at][1] is not None} == {""}


@pytest.mark.parametrize("version", FIXTURE_VERSIONS)
def test_a_migrated_database_serves_its_old_post_its_through_the_command_line(
    version: int, tmp_path: Path
) -> None:
    data_dir, path = copy_fixture(version, tmp_path)
    session_id = adult_group_id(path)

    listing = run_cli(data_dir, "session", "list")
    assert listing.exit_code == 0, listing.stderr
    assert ADULT_GROUP in listing.stdout and "Prison group" in listing.stdout
    assert user_version(path) == SCHEMA_VERSION

    exported = run_cli(data_dir, "export", session_id, "--format", "csv", "--out", "-")
    assert exported.exit_code == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout.lstrip("\ufeff"))))
    comments = [row["comment"] for row in rows]
    assert len(rows) == 6
    assert {UNICODE_COMMENT, MULTILINE_COMMENT, EDITED_COMMENT} <= set(comments)
    assert DELETED_COMMENT not in comments and "first words" not in comments
    assert {row["session_label"] for row in rows} == {ADULT_GROUP}

    if version >= 2:
        notes = run_cli(data_dir, "note", "list", session_id)
        assert notes.exit_code == 0, notes.stderr
        assert "My worker rang back the same day — rare." in notes.stdout
        assert DELETED_NOTE not in notes.stdout
        roster = run_cli(data_dir, "participant", "list", session_id)
        assert roster.exit_code == 0, roster.stderr
        assert "P1" in roster.stdout and "P2" in roster.stdout and "P9" not in roster.stdout
        themes = run_cli(data_dir, "themes", session_id, "--used")
        assert themes.exit_code == 0, themes.stderr
        assert "Being listened to" in themes.stdout and "Housing & money" in themes.stdout
        pseudonyms = run_cli(data_dir, "pseudonym", "list", session_id)
        assert pseudonyms.exit_code == 0, pseudonyms.stderr
        assert "Zoë" in pseudonyms.stdout and "Anna" in pseudonyms.stdout
    if version >= 3:
        conflicts = run_cli(data_dir, "sync", "conflicts")
        assert conflicts.exit_code == 0, conflicts.stderr
        assert "Waiting lists" in conflicts.stdout
    if version >= 4:
        pools = run_cli(data_dir, "pool", "list")
        assert pools.exit_code == 0, pools.stderr
        assert "All groups" in pools.stdout

    # The program still writes to it.
    recorded = run_cli(data_dir, "record", session_id, "1", "agree", "--comment", "after the upgrade")
    assert recorded.exit_code == 0, recorded.stderr
    again = run_cli(data_dir, "export", session_id, "--format", "csv", "--out", "-")
    assert "after the upgrade" in again.stdout


@pytest.mark.parametrize("version", FIXTURE_VERSIONS)
def test_opening_a_migrated_database_again_changes_nothing(version: int, tmp_path: Path) -> None:
    data_dir, path = copy_fixture(version, tmp_path)
    open_and_close(data_dir)
    schema, rows = read_schema(path), read_rows(path)

    open_and_close(data_dir)

    assert read_schema(path) == schema
    assert read_rows(path) == rows


@pytest.mark.parametrize("version", FIXTURE_VERSIONS)
def test_a_database_from_a_newer_program_is_refused_and_left_as_it_was(version: int, tmp_path: Path) -> None:
    """Its version, tables and rows stay as they were (opening may still switch it to WAL)."""
    data_dir, path = copy_fixture(version, tmp_path)
    newer = SCHEMA_VERSION + 1
    db = connect_to(data_dir)
    db.execute(f"PRAGMA user_version = {newer}")
    db.close()
    schema, rows = read_schema(path), read_rows(path)

    with pytest.raises(FacilitatorError, match=rf"newer facilitator \(schema {newer}\)"):
        open_folder(data_dir)
    refused = run_cli(data_dir, "session", "list")
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith("error: ") and "newer facilitator" in refused.stderr
    assert "Traceback" not in refused.stderr

    assert read_schema(path) == schema
    assert read_rows(path) == rows
    assert user_version(path) == newer


@pytest.mark.parametrize("version", [v for v in FIXTURE_VERSIONS if 2 <= v < 6])
def test_notes_migrate_with_no_title_and_places_in_the_order_taken(version: int, tmp_path: Path) -> None:
    data_dir, _path = copy_fixture(version, tmp_path)
    open_and_close(data_dir)
    with open_folder(data_dir) as store:
        rows = store.db.execute(
            "SELECT session_id, title, position FROM notes ORDER BY session_id, created_at, id"
        ).fetchall()
    assert rows and {row[1] for row in rows} == {""}
    by_session: dict[str, list[int]] = {}
    for session_id, _title, position in rows:
        by_session.setdefault(session_id, []).append(position)
    assert all(places == list(range(1, len(places) + 1)) for places in by_session.values())


@pytest.mark.parametrize("version", [v for v in FIXTURE_VERSIONS if v < 7])
def test_sessions_migrate_as_real_sessions_not_examples(version: int, tmp_path: Path) -> None:
    data_dir, _path = copy_fixture(version, tmp_path)
    open_and_close(data_dir)
    with open_folder(data_dir) as store:
        sessions = store.sessions.all()
    assert sessions and not any(s.example for s in sessions)


def test_the_newest_fixture_holds_the_example_marked_and_real_sessions_unmarked() -> None:
    db = read_only(FIXTURES / "v7.db")
    try:
        real = {row[0] for row in db.execute("SELECT label FROM sessions WHERE example = 0")}
        examples = db.execute("SELECT count(*) FROM sessions WHERE example = 1").fetchone()[0]
    finally:
        db.close()
    assert real == {ADULT_GROUP, "Prison group"} and examples == 5
