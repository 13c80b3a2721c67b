"""The rules a synced row keeps, one set for local writes and for rows from a bundle.

`facilitator.store.validation` holds a rule for every column of every synced table,
built from the checks local writes use. These tests check the rules themselves, that
rows a local write made always pass them, and that a local write refuses what an
incoming row is refused for, with the same words.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from facilitator.core.clock import STAMP_FORMAT, Clock
from facilitator.core.errors import FacilitatorError
from facilitator.discussion import codebook, notes, roster
from facilitator.exercise.pools import save_pool
from facilitator.store import SYNCED_TABLES, SessionDetails, Store
from facilitator.store.records import MAX_COMMENT
from facilitator.store.sync_state import CONFLICTS
from facilitator.store.validation import RULES, RowInvalid, check_incoming, check_rows, fields_of
from tests.folders import open_folder
from tests.sync_helpers import new_session

NOW = datetime(2010, 3, 4, 9, 30, tzinfo=UTC)
STAMP = NOW.strftime(STAMP_FORMAT)
DEVICE = "1a2b3c4d-0000-4000-8000-000000000001"
SESSION = "5e6f7a8b-0000-4000-8000-000000000002"
POSTIT = "9c0d1e2f-0000-4000-8000-000000000003"
SCALE = [
    {"key": key, "label": key.title(), "short": key.title(), "entry": str(n), "symbol": "", "neutral": False}
    for n, key in enumerate(("agree", "neutral", "disagree"), start=1)
]
STATEMENTS = [{"number": n, "text": f"Statement {n}"} for n in (1, 2, 3)]


def session_row(**changes: Any) -> dict[str, Any]:
    row = {
        "id": SESSION,
        "consultation_id": None,
        "label": "Adult focus group 1",
        "cohort": "adults",
        "setting": "prison",
        "location": "",
        "date": "2010-03-04",
        "facilitators": '["AB"]',
        "participants": 10,
        "male": 6,
        "female": 4,
        "statement_set_id": "test",
        "statement_set_title": "Test",
        "scale": json.dumps(SCALE),
        "statements": json.dumps(STATEMENTS),
        "closed_at": None,
        "created_at": STAMP,
        "updated_at": STAMP,
        "device_id": DEVICE,
        "deleted_at": None,
    }
    return {**row, **changes}


def postit_row(**changes: Any) -> dict[str, Any]:
    row = {
        "id": POSTIT,
        "session_id": SESSION,
        "statement_number": 2,
        "response_key": "agree",
        "comment": "",
        "participant": None,
        "created_at": STAMP,
        "updated_at": STAMP,
        "device_id": DEVICE,
        "deleted_at": None,
    }
    return {**row, **changes}


def rows(*dicts: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    columns = list(dicts[0])
    return columns, [[d[c] for c in columns] for d in dicts]


def check(now: datetime = NOW, stored: dict[str, tuple[str, str]] | None = None, **tables: Any) -> None:
    check_rows(
        {name: rows(*dicts) for name, dicts in tables.items()},
        now=now,
        stored_sessions=lambda ids: {i: stored[i] for i in ids if i in stored} if stored else {},
    )


def refused(problem: str, **tables: Any) -> RowInvalid:
    with pytest.raises(RowInvalid) as caught:
        check(**tables)
    assert problem in str(caught.value)
    return caught.value


def test_good_rows_pass():
    check(sessions=[session_row()], postits=[postit_row()])


def test_every_column_of_every_synced_table_has_a_rule(tmp_path: Path):
    with open_folder(tmp_path / "d") as store:
        for table in SYNCED_TABLES:
            if table == CONFLICTS:
                assert table not in RULES  # being made local only: it never travels
                continue
            fields = fields_of(table)
            assert fields is not None, table
            assert set(fields) == set(store.sync.columns(table)), table


def test_rows_a_local_write_made_pass_the_rules(tmp_path: Path):
    """Every row of a data folder that used every table passes, as it would arriving in a bundle."""
    with open_folder(tmp_path / "d") as store:
        first = new_session(store)
        second = new_session(store, "Adult focus group 2")
        store.postits.add(first.id, 3, "agree", "a comment ✓ with 'quotes' and\ttabs", "P1")
        deleted = store.postits.add(first.id, 1, "disagree")
        store.postits.delete(deleted.id)
        roster.add_participant(store, first.id, "P1", "f", age_band="18 - 24", consent=True)
        roster.add_participant(store, first.id, "P2", "m")
        roster.remove_participant(store, first.id, "P2")
        note = notes.add_note(
            store, first.id, "  A case study  ", kind="case study", speaker="p1", themes=["Voice"]
        )
        codebook.add_theme(store, first, "Being heard")
        notes.delete_note(store, note.id)
        save_pool(store, "Adult focus groups 1 & 2", [first.id, second.id])
        store.sessions.close(second.id)
        # Tombstones keep no text: their blanks pass too.
        third = new_session(store, "Adult focus group 3")
        notes.add_note(store, third.id, "gone with its session", themes=["Own theme"])
        fourth = new_session(store, "Adult focus group 4")
        store.pools.remove(save_pool(store, "Pooled, then removed", [third.id, fourth.id]).id)
        store.sessions.delete(third.id)
        tables = {
            table: (
                store.sync.columns(table),
                list(store.sync.all_rows(table, store.sync.columns(table)).values()),
            )
            for table in SYNCED_TABLES
        }
        assert all(tables[t][1] for t in SYNCED_TABLES if t != CONFLICTS)
        check_incoming(store, tables)


def test_a_tombstone_may_hold_the_blanks_a_live_row_may_not():
    blank = {
        "label": "",
        "cohort": "",
        "facilitators": "[]",
        "participants": None,
        "male": None,
        "female": None,
    }
    refused("label", sessions=[session_row(**blank)])
    check(sessions=[session_row(**blank, deleted_at=STAMP)])
    # Anything else a tombstone holds is checked as on a live row.
    refused("NUL", sessions=[session_row(**{**blank, "location": "a\x00b"}, deleted_at=STAMP)])
    refused("setting", sessions=[session_row(**blank, setting="", deleted_at=STAMP)])
    check(
        sessions=[session_row()],
        postits=[postit_row(comment="", participant=None, deleted_at=STAMP)],
    )


def test_a_session_in_the_same_rows_or_stored_already():
    with pytest.raises(RowInvalid, match="statement_number 4 is not a statement of its session \\(1-3\\)"):
        check(sessions=[session_row()], postits=[postit_row(statement_number=4)])
    stored = {SESSION: (json.dumps(SCALE), json.dumps(STATEMENTS))}
    with pytest.raises(RowInvalid, match="statement_number 4 is not a statement of its session \\(1-3\\)"):
        check(stored=stored, postits=[postit_row(statement_number=4)])
    with pytest.raises(RowInvalid, match="response_key 'maybe' is not on its session's scale"):
        check(stored=stored, postits=[postit_row(response_key="maybe")])
    check(stored=stored, postits=[postit_row(statement_number=3)])


def test_a_post_it_of_an_unknown_session_is_left_to_the_parents_check():
    check(postits=[postit_row(statement_number=99)])


def test_a_stored_sessions_statements_are_frozen():
    stored = {SESSION: (json.dumps(SCALE), json.dumps(STATEMENTS[:2]))}
    with pytest.raises(RowInvalid, match="they are frozen"):
        check(stored=stored, sessions=[session_row()])


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"statement_number": True}, "statement_number True must be a whole number"),
        ({"statement_number": 2.0}, "statement_number 2.0 must be a whole number"),
        ({"statement_number": None}, "statement_number None must be a whole number"),
        ({"comment": None}, "comment None must be text"),
        ({"participant": 5}, "participant 5 must be text or nothing"),
        ({"participant": " P1"}, "participant ' P1' is not as a local write stores it ('P1')"),
        ({"id": "x"}, "id 'x' is not a row id"),
        ({"device_id": DEVICE.upper()}, "is not a row id"),
        ({"updated_at": "2010-03-04T09:30:00Z"}, "is not a stamp such as"),
        ({"updated_at": "2010-03-04T24:00:00.000000Z"}, "is not a stamp such as"),
        ({"created_at": "2010-02-29T09:30:00.000000Z"}, "is not a real day"),
        ({"deleted_at": ""}, "deleted_at '' is not a stamp"),
        ({"comment": "x" * (MAX_COMMENT + 1)}, "comment is too long (10001 characters; 10000 at most)"),
        ({"comment": "\ud83d"}, "comment holds a lone surrogate (not UTF-8) at position 1"),
        ({"comment": "ok\x00"}, "comment holds a NUL character at position 3"),
        ({"response_key": "\x00"}, "response_key holds a NUL character"),
    ],
)
def test_post_it_rules(changes, problem):
    error = refused(problem, sessions=[session_row()], postits=[postit_row(**changes)])
    assert error.table == "postits"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"male": 8}, "Male (8) and female (4) add up to more than the 10 participants"),
        ({"male": -1}, "Male: a whole number from 0 to 10000"),
        ({"setting": "Prison"}, "setting 'Prison' is not as a local write stores it ('prison')"),
        ({"date": "4 March 2010"}, "is not a real date"),
        ({"facilitators": '["AB", ""]'}, "facilitator '' is not as a session stores it"),
        ({"facilitators": '["  AB"]'}, "is not as a session stores it"),
        ({"scale": json.dumps([*SCALE, SCALE[0]])}, "scale has a repeated key"),
        (
            {"scale": json.dumps([{**SCALE[0], "symbol": 1}, *SCALE[1:]])},
            "scale is not in the form a session stores",
        ),
        ({"statements": "[]"}, "there are no statements"),
        ({"statements": "[" * 100_000}, "statements is not valid JSON"),
        ({"label": "x" * 201}, "label is too long (201 characters; 200 at most)"),
        ({"closed_at": "yesterday"}, "closed_at 'yesterday' is not a stamp"),
    ],
)
def test_session_rules(changes, problem):
    refused(problem, sessions=[session_row(**changes)])


def test_a_stamp_more_than_a_day_ahead_of_the_wall_clock():
    day_ahead = (NOW + timedelta(days=1)).strftime(STAMP_FORMAT)
    check(sessions=[session_row(updated_at=day_ahead)])
    beyond = (NOW + timedelta(days=1, microseconds=1)).strftime(STAMP_FORMAT)
    for column in ("created_at", "updated_at", "deleted_at"):
        error = refused(
            f"{column} {beyond} is more than a day ahead of this machine's clock "
            "(2010-03-05T09:30:00Z at most)",
            sessions=[session_row(**{column: beyond})],
        )
        assert (error.table, error.row_id) == ("sessions", SESSION)


def test_the_wall_clock_is_the_stores_source_not_its_raised_floor(tmp_path: Path):
    """The store's clock is raised to stamps it has seen; the rule compares with the wall."""
    store = open_folder(tmp_path / "d", clock=Clock(lambda: NOW))
    try:
        later = (NOW + timedelta(hours=23)).strftime(STAMP_FORMAT)
        store.clock.observe(later)
        assert store.clock.now() > later
        tables = {"sessions": rows(session_row(updated_at=later))}
        check_incoming(store, tables)
        beyond = (NOW + timedelta(hours=25)).strftime(STAMP_FORMAT)
        with pytest.raises(RowInvalid, match="more than a day ahead"):
            check_incoming(store, {"sessions": rows(session_row(updated_at=beyond))})
    finally:
        store.close()


def test_the_first_bad_row_in_the_rows_order_is_named():
    bad = [
        postit_row(id=f"00000000-0000-4000-8000-00000000000{n}", comment=c)
        for n, c in enumerate("ab\x00\x00")
    ]
    error = refused("NUL", sessions=[session_row()], postits=bad)
    assert error.row_id == "00000000-0000-4000-8000-000000000002"


# ---------------------------------------------------------------- local writes refuse the same


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with open_folder(tmp_path / "d") as opened:
        yield opened


def test_a_participant_code_that_is_a_name_is_refused_locally_and_incoming(store: Store):
    session = new_session(store)
    with pytest.raises(FacilitatorError) as local:
        roster.add_participant(store, session.id, "Kevin Bloggs", "male")
    with pytest.raises(FacilitatorError) as post_it:
        store.postits.add(session.id, 1, "agree", participant="Kevin Bloggs")
    incoming = refused("", sessions=[session_row()], postits=[postit_row(participant="Kevin Bloggs")])
    assert str(local.value) == str(post_it.value) == incoming.reason
    assert "never a name" in incoming.reason


@pytest.mark.parametrize(
    ("write", "table", "column", "value"),
    [
        (lambda s, sid: roster.add_participant(s, sid, "P1", "zz"), "participants", "gender", "zz"),
        (
            lambda s, sid: roster.add_participant(s, sid, "P1", "m", age_band="Kevin"),
            "participants",
            "age_band",
            "Kevin",
        ),
        (lambda s, sid: notes.add_note(s, sid, "said", kind="bogus_kind"), "notes", "kind", "bogus_kind"),
        (lambda s, sid: notes.add_note(s, sid, "said \ud800"), "notes", "text", "said \ud800"),
        (lambda s, sid: s.postits.add(sid, 1, "agree", "x" * 20_000), "postits", "comment", "x" * 20_000),
        (lambda s, sid: s.postits.add(sid, 1, "agree", "\ud800"), "postits", "comment", "\ud800"),
        (lambda s, sid: s.postits.add(sid, 1, "agree", "nul\x00"), "postits", "comment", "nul\x00"),
        (lambda s, sid: codebook.add_theme(s, s.sessions.get(sid), "x\udfff"), "themes", "name", "x\udfff"),
    ],
)
def test_a_local_write_refuses_what_an_incoming_row_is_refused_for(store: Store, write, table, column, value):
    session = new_session(store)
    with pytest.raises(FacilitatorError) as local:
        write(store, session.id)
    incoming = _incoming_refusal(store, table, column, value)
    assert str(local.value) in incoming.reason


def _incoming_refusal(store: Store, table: str, column: str, value: object) -> RowInvalid:
    """The refusal of a real row of `table`, from a second data folder, with one column changed."""
    other_dir = store.path.parent.parent / "other"
    with open_folder(other_dir) as other:
        session = new_session(other, data_dir=other_dir)
        other.postits.add(session.id, 1, "agree")
        roster.add_participant(other, session.id, "P1", "male")
        notes.add_note(other, session.id, "said", themes=["Voice"])
        tables: dict[str, Any] = {}
        for name in SYNCED_TABLES:
            columns = other.sync.columns(name)
            found = [list(r) for r in other.sync.all_rows(name, columns).values()]
            tables[name] = (columns, found)
    columns, found = tables[table]
    found[0][columns.index(column)] = value
    with pytest.raises(RowInvalid) as caught:
        check_incoming(store, tables)
    assert (caught.value.table, caught.value.row_id) == (table, found[0][0])
    return caught.value


def test_a_session_label_that_sqlite_cannot_store_is_refused_by_the_form_too(store: Store):
    with pytest.raises(FacilitatorError, match="the label holds a lone surrogate"):
        SessionDetails(label="Group \ud800", cohort="adults", setting="prison").validated()
    with pytest.raises(FacilitatorError, match="the location holds a NUL character"):
        SessionDetails(label="Group", cohort="adults", setting="prison", location="\x00").validated()
