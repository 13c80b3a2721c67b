"""A bundle whose rows break a rule a local write keeps is refused whole, and says why.

Every forged bundle here starts as a real one from a laptop (a session with post-its, a
roster, a note tagged with a theme, a chart pool), has some rows edited, and is sealed
again with a correct checksum: the damage is in the rows, not in the file. The office
refuses it with one line naming the bundle, the sending device, the table, the row and
what is wrong, and its database stays exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from facilitator.discussion import notes, roster
from facilitator.exercise.pools import save_pool
from facilitator.store.records import MAX_COMMENT
from facilitator.sync import bundle
from facilitator.sync import merge as sync
from tests.sync_helpers import KNOWN_SIGNERS, new_session, open_store, whole_database
from tests.test_sync_bad_input import assert_refused, parts_of, run_import

Row = dict[str, Any]
Mutate = Callable[[list[Row]], None]

_forged = count(1)


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """A laptop's bundle of everything (every synced table has rows), and an empty office."""
    laptop_dir = tmp_path / "laptop"
    with open_store(laptop_dir) as laptop:
        first = new_session(laptop)
        second = new_session(laptop, "Adult focus group 2")
        laptop.postits.add(first.id, 1, "agree", "a comment", "P1")
        laptop.postits.add(first.id, 2, "disagree")
        roster.add_participant(laptop, first.id, "P1", "male", age_band="18-24")
        notes.add_note(
            laptop, first.id, "We were never listened to", kind="quote", speaker="P1", themes=["Voice"]
        )
        save_pool(laptop, "Adult focus groups 1 & 2", [first.id, second.id])
        (tmp_path / "plain").mkdir()
        plain = sync.export_bundle(laptop, tmp_path / "plain", everything=True, plaintext=True).path
        device = laptop.device_id
    with open_store(tmp_path / "office") as office:
        office.device_id  # noqa: B018  (the office's database exists before the bad import)
    return {"plain": plain, "office": tmp_path / "office", "tmp": tmp_path, "device": device}


def forge(world: dict[str, Any], table: str, mutate: Mutate, *, only: set[str] | None = None) -> Path:
    """The laptop's bundle with `table`'s rows edited by `mutate`, sealed again as a sender would.

    `only`, if given, keeps just those tables. Rows are dicts by column; JSON escapes
    keep text that is not UTF-8 (a lone surrogate) as a forger could write it.
    """
    manifest, payload = parts_of(world["plain"])
    tables = [json.loads(line) for line in zlib.decompress(payload).decode("utf-8").splitlines()]
    if only is not None:
        tables = [t for t in tables if t["table"] in only]
    [entry] = [t for t in tables if t["table"] == table]
    rows = [dict(zip(entry["columns"], row, strict=True)) for row in entry["rows"]]
    mutate(rows)
    entry["rows"] = [[row[c] for c in entry["columns"]] for row in rows]
    raw = ("\n".join(json.dumps(t, separators=(",", ":")) for t in tables) + "\n").encode("ascii")
    payload = zlib.compress(raw)
    manifest["tables"] = {t["table"]: len(t["rows"]) for t in tables}
    manifest["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    manifest["payload_bytes"] = len(raw)
    path = world["tmp"] / f"forged-{next(_forged)}.bundle"
    path.write_bytes(bundle.seal(manifest, payload, None, KNOWN_SIGNERS[world["device"]]))
    return path


def rows_of(world: dict[str, Any], table: str) -> list[Row]:
    _manifest, payload = parts_of(world["plain"])
    for line in zlib.decompress(payload).decode("utf-8").splitlines():
        entry = json.loads(line)
        if entry["table"] == table:
            return [dict(zip(entry["columns"], row, strict=True)) for row in entry["rows"]]
    raise AssertionError(f"no {table} in the bundle")


def setting(column: str, value: object, where: Callable[[Row], bool] = lambda row: True) -> Mutate:
    """Set a column of the first row that `where` picks."""

    def mutate(rows: list[Row]) -> None:
        next(row for row in rows if where(row))[column] = value

    return mutate


def refused(world: dict[str, Any], path: Path, table: str, problem: str, row_id: str | None = None) -> None:
    """Refused with one line naming the bundle, device, table, row and problem; nothing changed."""
    row_id = row_id or rows_of(world, table)[0]["id"]
    device = world["device"]
    assert_refused(world, path, f"refused {path.name} from device {device[:8]}: {table} row {row_id[:8]}: ")
    assert_refused(world, path, problem)


def check(world: dict[str, Any], table: str, column: str, value: object, problem: str) -> None:
    refused(world, forge(world, table, setting(column, value)), table, problem)


def test_the_unforged_bundle_imports(world):
    code, err = run_import(world, forge(world, "postits", lambda rows: None))
    assert code == 0, err


def test_a_participant_code_that_is_a_name(world):
    check(world, "participants", "code", "Kevin Bloggs", "code: participant 'Kevin Bloggs' must be a code")


def test_a_post_its_participant_that_is_a_name(world):
    check(world, "postits", "participant", "Kevin Bloggs", "never a name")


def test_a_gender_not_on_the_list(world):
    check(world, "participants", "gender", "zz", "gender 'zz' is not one we know: type m (male)")


def test_a_gender_alias_is_not_how_a_roster_stores_it(world):
    check(world, "participants", "gender", "M", "gender 'M' is not as a local write stores it ('male')")


def test_a_note_of_a_kind_that_does_not_exist(world):
    check(world, "notes", "kind", "bogus_kind", "kind 'bogus_kind' must be one of note, quote, case_study")


def test_a_twenty_megabyte_comment(world):
    # Random text, so the bundle does not compress past the expansion bound first.
    comment = os.urandom(10_000_000).hex()
    check(
        world,
        "postits",
        "comment",
        comment,
        f"comment is too long (20000000 characters; {MAX_COMMENT} at most)",
    )


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("facilitators", "[not json", "facilitators is not valid JSON"),
        ("facilitators", '{"a": 1}', "facilitators must be a JSON list of text"),
        ("facilitators", "[1, 2]", "facilitators must be a JSON list of text"),
        ("scale", "{{{", "scale is not valid JSON"),
        ("scale", '[{"key": "agree"}]', "scale: scale must have between 2 and 9 categories"),
        ("scale", "[]", "scale: scale must have between 2 and 9 categories"),
        ("statements", "nope", "statements is not valid JSON"),
        ("statements", '[{"number": 2, "text": "x"}]', "statements: statement 1 is numbered 2"),
        ("statements", '[{"number": 1, "text": "x", "extra": true}]', "statements are not in the form"),
    ],
)
def test_a_session_whose_json_columns_are_malformed(world, column, value, problem):
    check(world, "sessions", column, value, problem)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("garbage", "session_ids is not valid JSON"),
        ('"one id"', "session_ids must be a JSON list of session ids"),
        ('["not-an-id", "x"]', "session id 'not-an-id' is not a row id"),
    ],
)
def test_a_chart_pool_whose_sessions_are_garbage(world, value, problem):
    check(world, "chart_pools", "session_ids", value, problem)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (-5, "statement_number -5 is not a statement of its session (1-"),
        (99, "statement_number 99 is not a statement of its session (1-"),
        (1e308, "statement_number 1e+308 must be a whole number"),
        ("1", "statement_number '1' must be a whole number"),
    ],
)
def test_a_post_it_on_a_statement_its_session_lacks(world, value, problem):
    check(world, "postits", "statement_number", value, problem)


def test_a_post_it_on_a_statement_of_a_session_already_in_the_database(world):
    code, err = run_import(world, world["plain"])
    assert code == 0, err
    statements = len(json.loads(rows_of(world, "sessions")[0]["statements"]))
    forged = forge(world, "postits", setting("statement_number", 99), only={"devices", "postits"})
    refused(
        world, forged, "postits", f"statement_number 99 is not a statement of its session (1-{statements})"
    )


def test_a_response_not_on_its_sessions_scale(world):
    check(
        world,
        "postits",
        "response_key",
        "maybe",
        "response_key 'maybe' is not on its session's scale (agree, ",
    )


def test_a_response_not_on_the_scale_of_a_session_already_in_the_database(world):
    assert run_import(world, world["plain"])[0] == 0
    forged = forge(world, "postits", setting("response_key", "maybe"), only={"postits"})
    refused(world, forged, "postits", "response_key 'maybe' is not on its session's scale")


def test_a_session_whose_statements_change_after_it_was_stored(world):
    assert run_import(world, world["plain"])[0] == 0

    def fewer(rows: list[Row]) -> None:
        row = rows[0]
        row["statements"] = json.dumps(json.loads(row["statements"])[:1])
        row["updated_at"] = row["updated_at"].replace(row["updated_at"][:4], "2025")

    refused(world, forge(world, "sessions", fewer, only={"sessions"}), "sessions", "they are frozen")


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("postits", "updated_at"),
        ("postits", "created_at"),
        ("postits", "deleted_at"),
        ("sessions", "closed_at"),
    ],
)
def test_a_row_stamped_in_the_year_9999(world, table, column):
    check(
        world,
        table,
        column,
        "9999-01-01T00:00:00.000000Z",
        f"{column} 9999-01-01T00:00:00.000000Z is more than a day ahead",
    )


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("postits", "comment", "a \ud800 comment"),
        ("notes", "text", "said \udfff here"),
        ("sessions", "label", "Group \ud800"),
        ("sessions", "location", "\ud800"),
        ("consultations", "title", "Care \ud800"),
        ("themes", "name", "Voice \ud800"),
        ("participants", "cohort", "adults \ud800"),
        ("devices", "name", "\ud800"),
        ("chart_pools", "label", "Pool \ud800"),
        ("postits", "comment", "a \x00 comment"),
        ("notes", "text", "nul \x00"),
    ],
)
def test_text_that_sqlite_cannot_store(world, table, column, value):
    what = "a NUL character" if "\x00" in value else "a lone surrogate (not UTF-8)"
    check(world, table, column, value, f"holds {what}")


@pytest.mark.parametrize(
    ("table", "column", "value", "problem"),
    [
        ("postits", "session_id", "../../etc", "session_id '../../etc' is not a row id"),
        (
            "postits",
            "updated_at",
            "2010-02-30T10:00:00.000000Z",
            "updated_at '2010-02-30T10:00:00.000000Z' is not a real day",
        ),
        ("postits", "created_at", "2010-03-04 10:00:00", "is not a stamp such as"),
        ("postits", "deleted_at", 5, "deleted_at 5 must be text or nothing"),
        ("postits", "comment", None, "comment None must be text"),
        ("sessions", "setting", "school", "Choose a setting: prison or community"),
        ("sessions", "date", "2010-13-01", "is not a real date"),
        ("sessions", "male", 20_000, "Male: a whole number from 0 to 10000"),
        ("sessions", "participants", 12.0, "participants 12.0 must be a whole number or nothing"),
        ("participants", "consent", 2, "consent 2 must be 0 or 1"),
        ("participants", "age_band", "Kevin", "age band 'Kevin' must be a range"),
        ("notes", "text", "", "the note is empty"),
        ("themes", "name", "x" * 201, "theme name is too long"),
        ("sessions", "label", "", "label is empty"),
    ],
)
def test_other_broken_rules(world, table, column, value, problem):
    check(world, table, column, value, problem)


def test_an_id_that_is_not_a_row_id_is_shown_escaped(world):
    forged = forge(world, "postits", setting("id", "5E6F7A8B\u202e"))
    assert_refused(world, forged, "postits row '5E6F7A8B\\u202e': id '5E6F7A8B\\u202e' is not a row id")


def test_a_theme_of_no_codebook(world):
    def orphan(rows: list[Row]) -> None:
        rows[0]["consultation_id"] = rows[0]["session_id"] = None

    refused(world, forge(world, "themes", orphan), "themes", "it has neither")


def test_the_first_bad_row_is_named_when_several_are_bad(world):
    second = rows_of(world, "postits")[1]["id"]

    def two(rows: list[Row]) -> None:
        rows[1]["statement_number"] = 99
        rows[1]["comment"] = "\ud800"

    refused(world, forge(world, "postits", two), "postits", "lone surrogate", row_id=second)


def test_a_refused_bundle_leaves_a_sync_run_going_and_the_office_readable(world, tmp_path):
    """A bad bundle in a shared folder is skipped with its reason; the good ones are taken."""
    folder = tmp_path / "shared"
    folder.mkdir()
    forge(world, "postits", setting("comment", "\ud800")).rename(folder / "bad.bundle")
    with open_store(tmp_path / "other laptop") as other:
        new_session(other, "From the other laptop", data_dir=tmp_path / "other laptop")
        sync.export_bundle(other, folder, everything=True, plaintext=True)
    with open_store(world["office"]) as office:
        result = sync.sync_folder(office, folder, plaintext=True, allow_plaintext=True)
        assert [m for m in result.messages if "bad.bundle" in m and "lone surrogate" in m]
        assert len(result.imported) == 1
        assert [s.label for s in office.sessions.all()] == ["From the other laptop"]
    assert whole_database(world["office"])["postits"] == []
