"""The store: durable, tombstoned, versioned, and safe to share between processes."""

from __future__ import annotations

import re
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest

from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError, ItemError, NotFound
from facilitator.core.paths import DATABASE_NAME
from facilitator.core.statements import StatementSet
from facilitator.store import SCHEMA_VERSION, NewPostit, Session, SessionDetails, Store
from facilitator.store.connection import Database
from tests.folders import TEST_PASSPHRASE, open_folder

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_the_database_lives_in_the_data_folder_in_wal_mode(store: Store, data_dir: Path) -> None:
    assert store.path == data_dir / DATABASE_NAME
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # FULL = 2: every commit is on disk before the call returns.
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert store.schema_version == SCHEMA_VERSION


def test_synchronous_full_is_set_on_every_new_connection(store: Store, data_dir: Path) -> None:
    second = open_folder(data_dir)
    try:
        assert second.db.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        second.close()


def test_the_device_identity_is_made_once_and_kept(store: Store, data_dir: Path) -> None:
    uuid.UUID(store.device_id)
    again = open_folder(data_dir)
    try:
        assert again.device_id == store.device_id
    finally:
        again.close()


def test_every_row_has_uuid_timestamps_and_device(store: Store, session: Session) -> None:
    store.postits.add(session.id, 1, "agree", "yes")
    for table in ("devices", "consultations", "sessions", "postits"):
        rows = list(store.db.query(f"SELECT * FROM {table}"))
        assert rows, table
        for row in rows:
            uuid.UUID(row["id"])
            assert STAMP.match(row["created_at"]) and STAMP.match(row["updated_at"])
            assert row["device_id"] == store.device_id
            assert row["deleted_at"] is None


def test_a_session_freezes_its_statements_and_scale(
    store: Store, statement_set: StatementSet, session: Session
) -> None:
    assert [s.text for s in session.statements] == [s.text for s in statement_set.statements]
    store.db.execute("UPDATE sessions SET label = label")  # the row is the only source of the statements
    assert store.sessions.get(session.id).statements == statement_set.statements
    assert store.sessions.get(session.id).scale == statement_set.scale


def test_a_session_is_found_by_a_unique_prefix_of_its_id(store: Store, session: Session) -> None:
    assert store.sessions.get(session.id[:6]).id == session.id
    with pytest.raises(NotFound):
        store.sessions.get("zzzz")
    with pytest.raises(NotFound):
        store.sessions.get(session.id[:3])


def test_a_consultation_is_shared_by_title(
    store: Store, statement_set: StatementSet, session: Session
) -> None:
    other = store.sessions.create(
        statement_set,
        SessionDetails(
            "Young offender focus group 4", "young offenders", "prison", "does social work CARE? 2010"
        ),
    )
    assert other.consultation_id == session.consultation_id
    assert len(store.consultations.all()) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"label": "  "}, "Give the session a label"),
        ({"cohort": ""}, "Give the cohort"),
        ({"setting": "school"}, "Choose a setting: prison or community .'school' is not one"),
        ({"date": "2010-02-30"}, "real date"),
        ({"date": "1/3/2010"}, "real date"),
        ({"participants": 3, "male": 2, "female": 2}, "add up to more"),
        ({"male": -1}, "whole number"),
    ],
)
def test_bad_session_details_are_refused(
    store: Store, statement_set: StatementSet, changes: dict[str, object], message: str
) -> None:
    details = SessionDetails("Group", "adults", "prison", date="2010-03-01")
    for name, value in changes.items():
        setattr(details, name, value)
    with pytest.raises(FacilitatorError, match=message):
        store.sessions.create(statement_set, details)
    assert store.sessions.all() == []


def test_participants_default_to_the_sum_of_male_and_female(
    store: Store, statement_set: StatementSet
) -> None:
    session = store.sessions.create(statement_set, SessionDetails("G", "adults", "prison", male=3, female=4))
    assert session.participants == 7


def test_a_deleted_post_it_is_a_tombstone_and_can_be_restored(store: Store, session: Session) -> None:
    postit = store.postits.add(session.id, 2, "5", "no")
    deleted = store.postits.delete(postit.id)
    assert deleted.deleted_at is not None and deleted.updated_at > postit.updated_at
    assert store.postits.of(session.id) == []
    assert store.db.execute("SELECT COUNT(*) FROM postits").fetchone()[0] == 1
    assert store.db.execute("SELECT comment FROM postits").fetchone()[0] == ""
    assert deleted.comment == "no"  # the words, held by the caller for an undo
    store.postits.restore(deleted)
    assert [(p.id, p.comment) for p in store.postits.of(session.id)] == [(postit.id, "no")]


def test_edit_and_move_change_the_row_and_its_updated_at(store: Store, session: Session) -> None:
    postit = store.postits.add(session.id, 1, "agree", "first")
    edited = store.postits.edit(postit.id, "second")
    moved = store.postits.move(postit.id, "Strongly disagree")
    assert edited.comment == "second"
    assert moved.response_key == "strongly_disagree" and moved.comment == "second"
    assert postit.updated_at < edited.updated_at < moved.updated_at
    assert moved.created_at == postit.created_at


def test_a_deleted_session_is_a_tombstone_with_its_post_its(store: Store, session: Session) -> None:
    store.postits.add(session.id, 1, "agree")
    store.sessions.delete(session.id)
    assert store.sessions.all() == []
    assert store.db.execute("SELECT COUNT(*) FROM postits WHERE deleted_at IS NOT NULL").fetchone()[0] == 1
    assert store.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


def test_bulk_add_is_all_or_nothing(store: Store, session: Session) -> None:
    items = [NewPostit(1, "agree"), NewPostit(2, "nope"), NewPostit(3, "1")]
    with pytest.raises(ItemError) as caught:
        store.postits.add_many(session.id, items)
    assert caught.value.index == 1 and "unknown response 'nope'" in caught.value.reason
    assert store.postits.of(session.id) == []
    assert store.postits.add_many(session.id, [items[0], items[2]]) == 2


def test_counts_come_grouped_by_statement_and_response(store: Store, session: Session) -> None:
    for number, response in [(1, "1"), (1, "1"), (1, "3"), (4, "5")]:
        store.postits.add(session.id, number, response)
    deleted = store.postits.add(session.id, 4, "5")
    store.postits.delete(deleted.id)
    assert store.postits.counts([session.id]) == {
        1: {"strongly_agree": 2, "neutral": 1},
        4: {"strongly_disagree": 1},
    }
    assert store.postits.statement_totals(session.id) == {1: 3, 4: 1}


def test_a_database_from_a_newer_facilitator_is_refused(data_dir: Path, store: Store) -> None:
    store.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store.close()
    with pytest.raises(FacilitatorError, match="newer facilitator"):
        open_folder(data_dir)


def test_an_old_database_is_migrated_on_open(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    sqlite3.connect(data_dir / DATABASE_NAME).close()  # version 0: an empty file, plain
    with open_folder(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert "postits" in store.db.table_names()


def test_a_data_folder_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    # Both ways a data folder is made: the store's own (a plain folder) and the setting up
    # of an encrypted one, which writes the key file first.
    with pytest.raises(FacilitatorError, match="cannot create the data folder"):
        Store.open(blocker / "data")
    with pytest.raises(FacilitatorError, match="cannot create the data folder"):
        Workspace.at(blocker / "data").create(TEST_PASSPHRASE)


def test_two_connections_write_at_once_without_error_or_loss(
    store: Store, session: Session, data_dir: Path
) -> None:
    other = open_folder(data_dir)
    errors: list[BaseException] = []

    def write(target: Store, tag: str) -> None:
        try:
            for index in range(60):
                target.postits.add(session.id, 1 + index % 4, "2", f"{tag}{index}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(s, t)) for s, t in ((store, "a"), (other, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.close()
    assert errors == []
    comments = {p.comment for p in store.postits.of(session.id)}
    assert comments == {f"{t}{i}" for t in "ab" for i in range(60)}


def test_deleting_a_session_tombstones_every_row_that_belongs_to_it(store: Store, session: Session) -> None:
    from facilitator.discussion import anonymity, roster
    from facilitator.discussion import notes as discussion

    store.postits.add(session.id, 1, "agree")
    roster.add_participant(store, session.id, "P1", "male")
    discussion.add_note(store, session.id, "They never listened", kind="quote", speaker="P1")
    anonymity.set_pseudonym(store, session.id, "Darren", "Dave")
    store.sessions.delete(session.id)
    for table in ("postits", "participants", "notes", "pseudonyms"):
        live = store.db.execute(f"SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0]
        total = store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        assert (live, total) == (0, 1), table


def test_a_migration_that_fails_half_way_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facilitator.store import database

    open_folder(tmp_path).close()

    def half_done(db: Database) -> None:
        db.executescript("CREATE TABLE half (id TEXT PRIMARY KEY); CREATE TABLE broken (id TEXT, id TEXT);")

    monkeypatch.setattr(database, "MIGRATIONS", [*database.MIGRATIONS, half_done])
    monkeypatch.setattr(database, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(FacilitatorError):
        open_folder(tmp_path)
    monkeypatch.undo()
    with open_folder(tmp_path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert "half" not in store.db.table_names()
