"""The discussion on the command line: roster, notes, themes and the pseudonym map."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from facilitator.core.paths import DATABASE_NAME
from facilitator.store import MIGRATIONS, SCHEMA_VERSION, SYNCED_TABLES
from facilitator.store.connection import Database
from tests.conftest import Cli
from tests.folders import open_folder
from tests.test_cli import NEW_SESSION, assert_refused, new_session

DISCUSSION_TABLES = ("participants", "themes", "notes", "note_themes", "pseudonyms")


def snapshot(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the discussion tables, to prove a refused command changed nothing."""
    with open_folder(data_dir) as store:
        return {
            table: sorted(store.db.execute(f"SELECT * FROM {table}").fetchall(), key=str)
            for table in DISCUSSION_TABLES
        }


@pytest.fixture
def session_id(cli: Cli) -> str:
    found = new_session(cli)
    assert cli("participant", "add", found, "P1", "--gender", "m", "--consent", "--interview").exit_code == 0
    assert cli("participant", "add", found, "P2", "--gender", "female", "--age-band", "18-24").exit_code == 0
    return found


def test_a_new_session_gets_its_sets_starter_codebook(cli: Cli, session_id: str) -> None:
    lines = cli("themes", session_id).stdout.splitlines()
    assert lines[0] == "rank\tsessions\tnotes\ttheme"
    assert len(lines) == 12
    assert {line.split("\t")[:3] == ["1", "0", "0"] for line in lines[1:]} == {True}


def test_the_roster_lists_codes_and_descriptors(cli: Cli, session_id: str) -> None:
    result = cli("participant", "list", session_id)
    assert result.stdout.splitlines() == [
        "code\tgender\tcohort\tage_band\tconsent\tinterview\tdescriptor",
        "P1\tmale\tadults\t\tyes\tyes\tMale adult",
        "P2\tfemale\tadults\t18-24\tno\tno\tFemale adult",
    ]
    assert "2 participants (1 male, 1 female" in result.stderr and "from the roster" in result.stderr
    assert cli("participant", "edit", session_id, "P2", "--interview", "--code", "P3").stdout == "P3\n"
    assert cli("participant", "remove", session_id, "p1").stdout == "removed P1\n"
    lines = cli("participant", "list", session_id).stdout.splitlines()
    assert [line.split("\t")[0] for line in lines[1:]] == ["P3"]


def test_notes_themes_ranking_and_the_notes_of_a_theme(cli: Cli, session_id: str) -> None:
    first = cli(
        "note", "add", session_id, "They never listen", "--kind", "quote", "--speaker", "P1",
        "--theme", "Heavy workloads", "--theme", "Housing",
    )  # fmt: skip
    assert first.exit_code == 0 and first.stderr == ""
    note_id = first.stdout.strip()
    cli("note", "add", session_id, "Too many changes", "--theme", "housing")
    lines = cli("themes", session_id, "--used").stdout.splitlines()
    assert lines[1:] == ["1\t1\t2\tHousing", "2\t1\t1\tHeavy workloads"]
    listed = cli("theme", "notes", session_id, "HOUSING").stdout.splitlines()
    assert [line.split("\t")[-1] for line in listed[1:]] == ["They never listen", "Too many changes"]
    assert listed[1].split("\t")[:3] == [note_id, "quote", "P1"]
    assert cli("theme", "rename", session_id, "Housing", "Homes").stdout == "Homes\n"
    assert cli("theme", "merge", session_id, "Heavy workloads", "homes").stdout == "Homes\n"
    lines = cli("themes", "--consultation", "does social work care? 2010", "--used").stdout.splitlines()
    assert lines[1:] == ["1\t1\t2\tHomes"]
    cli("note", "edit", note_id[:8], "--no-themes", "--kind", "case_study")
    assert cli("note", "list", session_id, "--kind", "case_study").stdout.splitlines()[1].split("\t")[3] == ""
    assert cli("note", "delete", note_id).stdout == f"deleted {note_id}\n"
    assert len(cli("note", "list", session_id).stdout.splitlines()) == 2


def test_note_add_warns_about_identifying_details_but_records_the_note(cli: Cli, session_id: str) -> None:
    cli("pseudonym", "set", session_id, "Darren", "Dave")
    result = cli("note", "add", session_id, "Darren rang Kevin on 07700 900123")
    assert result.exit_code == 0 and len(result.stdout.strip()) == 36
    warnings = result.stderr.splitlines()
    assert [w.split(": ")[-1] for w in warnings] == [
        "it will be replaced on export",
        "a capitalised word that may be a name",
        "looks like a phone number",
    ]
    check = cli("check", session_id, "born 12/03/1995, number A1234BC").stdout.splitlines()
    assert [line.split("\t")[2] for line in check] == ["date", "prison_number"]


def test_the_pseudonym_map_is_shown_only_by_list_and_applied_on_export(
    cli: Cli, session_id: str, tmp_path: Path
) -> None:
    assert cli("pseudonym", "set", session_id, "Darren", "Dave").stdout == ""
    cli("pseudonym", "set", session_id, "Sharon", "Sue")
    assert cli("pseudonym", "list", session_id).stdout == "Darren\tDave\nSharon\tSue\n"
    cli("record", session_id, "1", "agree", "--comment", "DARREN's idea; Darrenby")
    cli("note", "add", session_id, "Sharon's social worker and Darrens")
    out = tmp_path / "notes.csv"
    assert cli("export", session_id, "--format", "csv", "--table", "notes", "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["text"] == "Sue's social worker and Daves"
    exported = cli("export", session_id, "--format", "json", "--out", "-").stdout
    assert "Darren" not in exported.replace("Darrenby", "") and "Sharon" not in exported
    assert json.loads(exported)["statements"][0]["postits"][0]["comment"] == "DAVE's idea; Darrenby"
    postits_csv = cli("export", session_id, "--format", "csv", "--out", "-").stdout
    assert "DAVE's idea; Darrenby" in postits_csv
    cli("pseudonym", "remove", session_id, "sharon")
    assert cli("pseudonym", "list", session_id).stdout == "Darren\tDave\n"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("participant", "add", "{s}", "Darren", "--gender", "m"), "never a name"),
        (("participant", "add", "{s}", "P1", "--gender", "f"), "already"),
        (("participant", "add", "{s}", "P9", "--gender", "bloke"), "gender"),
        (("participant", "add", "{s}", "P9", "--gender", "m", "--age-band", "old"), "age band"),
        (("participant", "edit", "{s}", "P7", "--gender", "m"), "no participant"),
        (("participant", "remove", "{s}", "P7"), "no participant"),
        (("participant", "add", "nope", "P9", "--gender", "m"), "unknown session"),
        (("note", "add", "{s}", "   "), "empty"),
        (("note", "add", "{s}", "said", "--kind", "gossip"), "kind"),
        (("note", "add", "{s}", "said", "--speaker", "P9", "--theme", "New"), "not in this session's roster"),
        (("note", "add", "{s}", "said", "--theme", " "), "theme name is empty"),
        (("note", "edit", "ffffffff"), "unknown note"),
        (("note", "delete", "ffffffff"), "unknown note"),
        (("themes",), "one of them"),
        (("themes", "{s}", "--consultation", "x"), "one of them"),
        (("themes", "--consultation", "Nothing"), "unknown consultation"),
        (("theme", "rename", "{s}", "Heavy workloads", "Lack of trust in social workers"), "merge"),
        (("theme", "rename", "{s}", "No such", "Other"), "unknown theme"),
        (("theme", "merge", "{s}", "Heavy workloads", "heavy workloads"), "itself"),
        (("theme", "notes", "{s}", "No such"), "unknown theme"),
        (("pseudonym", "set", "{s}", "Darren", "darren"), "differ"),
        (("pseudonym", "set", "{s}", "P1", "Dave"), "name or word"),
        (("pseudonym", "remove", "{s}", "Nobody"), "not in this session's pseudonym map"),
        (("export", "{s}", "--format", "json", "--table", "notes", "--out", "-"), "CSV only"),
        (("export", "{s}", "--format", "csv", "--table", "themes", "--out", "-"), "--table"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    cli: Cli, data_dir: Path, session_id: str, args: tuple[str, ...], fragment: str
) -> None:
    cli("note", "add", session_id, "a note", "--speaker", "P1", "--theme", "Heavy workloads")
    before = snapshot(data_dir)
    assert_refused(cli(*(a.replace("{s}", session_id) for a in args)), fragment)
    assert snapshot(data_dir) == before


def test_migration_upgrades_a_database_of_the_first_schema(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    # Plain on purpose: a folder of the first schema predates encryption, and opens as it is.
    db = Database(sqlite3.connect(str(data_dir / DATABASE_NAME)))
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.conn.commit()
    db.close()
    with open_folder(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION >= 2
        for table in DISCUSSION_TABLES:
            columns = {row[1] for row in store.db.execute(f"PRAGMA table_info({table})").fetchall()}
            assert {"id", "created_at", "updated_at", "device_id", "deleted_at"} <= columns, table
            assert not any("name" in c and c != "name" for c in columns)


def test_synced_tables_list_the_discussion_parents_first_and_never_the_map() -> None:
    order = [SYNCED_TABLES.index(t) for t in ("sessions", "participants", "themes", "notes", "note_themes")]
    assert order == sorted(order)
    assert "pseudonyms" not in SYNCED_TABLES


def test_session_new_seeds_only_an_unused_consultation_codebook(cli: Cli) -> None:
    first = new_session(cli)
    cli("theme", "rename", first, "Heavy workloads", "Workloads")
    second = new_session(cli, *NEW_SESSION, "--label", "Adult focus group 2")
    lines = cli("themes", second).stdout.splitlines()
    assert len(lines) == 12 and any(line.endswith("\tWorkloads") for line in lines)


def test_a_case_study_gets_a_title_and_notes_move_up_and_down(cli: Cli, session_id: str) -> None:
    case = cli("note", "add", session_id, "Moved eleven times", "--kind", "case_study", "--title", "Darren")
    assert case.exit_code == 0
    note = cli("note", "add", session_id, "Waiting lists").stdout.strip()
    assert cli("note", "edit", case.stdout.strip(), "--title", "Darren at 15").exit_code == 0
    moved = cli("note", "move", note, "--up")
    assert moved.exit_code == 0 and moved.stdout.strip() == f"moved {note} to place 1"
    listed = [line.split("\t")[-1] for line in cli("note", "list", session_id).stdout.splitlines()]
    assert listed == ["text", "Waiting lists", "Moved eleven times"]
    with open_folder(cli.data_dir) as store:
        titles = store.db.execute("SELECT title FROM notes ORDER BY position").fetchall()
        assert [t[0] for t in titles] == ["", "Darren at 15"]
    before = snapshot(cli.data_dir)
    assert_refused(cli("note", "move", note, "--up"), "the note is already first in its session")
    assert_refused(cli("note", "move", note), "--up or --down")
    assert_refused(cli("note", "move", note, "--down", "--up"), "--up or --down (one of them)")
    assert_refused(cli("note", "move", note, "--up", "--down"), "--up or --down (one of them)")
    assert_refused(
        cli("note", "add", session_id, "x", "--kind", "quote", "--title", "T"), "only a case study"
    )
    assert_refused(cli("note", "edit", note, "--kind", "case_study", "--title", "x" * 81), "too long")
    assert snapshot(cli.data_dir) == before
