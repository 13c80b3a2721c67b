"""The example consultation: loaded to practise on, marked as an example, removed in one go,
and never carried to the office."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from facilitator.actions.data_folder import Workspace
from facilitator.actions.example import EXAMPLE_FILE, example_sessions, load_example, remove_example
from facilitator.actions.sessions import create_session, edit_session
from facilitator.core.errors import FacilitatorError
from facilitator.exercise.pools import save_pool
from facilitator.store import SessionDetails, Store
from facilitator.sync import merge as sync
from facilitator.sync.bundle import BundleError
from facilitator.sync.merge import RowRefused
from tests.conftest import Cli
from tests.sync_helpers import new_session, open_store, read_back, reissue
from tests.test_cli import assert_refused

POOL = "Adult focus groups 2 & 3"


def live_count(store: Store, table: str) -> int:
    return int(store.db.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0])


def test_the_example_is_the_reports_five_groups_with_their_numbers(workspace: Workspace) -> None:
    loaded = load_example(workspace)
    sessions = workspace.store.sessions.all()
    assert [s.label for s in sessions] == [
        "Adult focus group 1",
        "Adult focus group 2",
        "Young offender focus group 4",
        "Adult focus group 3",
        "Young offender focus group 5",
    ]
    assert all(s.example for s in sessions)
    assert {s.id for s in loaded.sessions} == {s.id for s in example_sessions(workspace.store)}
    assert sum(s.male or 0 for s in sessions) == 37 and sum(s.female or 0 for s in sessions) == 9
    by_cohort = {
        c: sum(s.participants or 0 for s in sessions if s.cohort == c) for c in ("adults", "young offenders")
    }
    assert by_cohort == {"adults": 32, "young offenders": 14}
    # One post-it per participant on each of the four statements.
    assert live_count(workspace.store, "postits") == loaded.postits == 46 * 4
    assert live_count(workspace.store, "notes") == loaded.notes > 0
    assert [p.label for p in workspace.store.pools.all()] == [POOL]


def test_loading_twice_is_refused_and_changes_nothing(workspace: Workspace) -> None:
    load_example(workspace)
    with pytest.raises(FacilitatorError, match="already loaded"):
        load_example(workspace)
    assert live_count(workspace.store, "sessions") == 5


def test_removing_leaves_nothing_of_the_example_and_keeps_real_sessions(workspace: Workspace) -> None:
    real = new_session(workspace.store, "Our own group", workspace.data_dir)
    load_example(workspace)
    removed = remove_example(workspace.store)
    store = workspace.store
    assert len(removed) == 5
    assert [s.id for s in store.sessions.all()] == [real.id]
    for table in ("postits", "notes", "participants", "pseudonyms", "chart_pools"):
        assert live_count(store, table) == 0, table
    assert [c.title for c in store.consultations.all()] == ["Care 2010"]
    # A delete blanks the words at once: no comment or note of the example is left on disk.
    assert store.db.execute("SELECT count(*) FROM postits WHERE comment != ''").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM notes WHERE text != ''").fetchone()[0] == 0


def test_removing_takes_every_pool_that_names_an_example_session(workspace: Workspace) -> None:
    # A real group put into the example's consultation keeps it alive after the removal;
    # the example's pool, and one pooling the real group with an example group, still go.
    load_example(workspace)
    store = workspace.store
    consultation = example_sessions(store)[0].consultation_id
    statement_set = workspace.catalogue().get("does-social-work-care")
    real = store.sessions.create(
        statement_set,
        SessionDetails(
            label="Our own group",
            cohort="adults",
            setting="prison",
            consultation="Example: Does social work care? 2010",
        ),
    )
    assert real.consultation_id == consultation
    save_pool(store, "Practice pool", [real.id, example_sessions(store)[0].id])
    remove_example(store)
    assert store.pools.all() == []
    assert [s.id for s in store.sessions.all()] == [real.id]


def test_a_damaged_example_file_loads_nothing(workspace: Workspace, tmp_path: Path) -> None:
    broken = tmp_path / "example.toml"
    broken.write_text(EXAMPLE_FILE.read_text(encoding="utf-8").replace('"1111121123"', '"11111211239"'))
    with pytest.raises(FacilitatorError):
        load_example(workspace, broken)
    assert live_count(workspace.store, "sessions") == 0 and live_count(workspace.store, "postits") == 0


def test_the_command_line_loads_refuses_a_second_load_and_removes(cli: Cli) -> None:
    loaded = cli("example")
    assert loaded.exit_code == 0 and "5 sessions, 184 post-its" in loaded.stdout
    listed = json.loads(cli("session", "list", "--json").stdout)
    assert [s["example"] for s in listed] == [True] * 5
    assert "EXAMPLE" in cli("session", "list").stdout

    again = cli("example")
    assert again.exit_code == 2
    assert again.stderr.strip() == (
        "error: the example is already loaded: remove it first ('facilitator example --remove')"
    )

    asked = cli("example", "--remove", input="n\n")
    assert asked.exit_code == 2 and len(json.loads(cli("session", "list", "--json").stdout)) == 5

    removed = cli("example", "--remove", "--yes")
    assert removed.exit_code == 0 and removed.stdout.strip() == "removed the example: 5 sessions"
    assert json.loads(cli("session", "list", "--json").stdout) == []
    nothing = cli("example", "--remove", "--yes")
    assert nothing.exit_code == 2 and nothing.stderr.strip() == "error: there is no example to remove"


def test_no_bundle_carries_the_example(tmp_path: Path) -> None:
    laptop, office = open_store(tmp_path / "laptop"), open_store(tmp_path / "office")
    ws = Workspace.at(tmp_path / "laptop")
    real = new_session(laptop, "Our own group", tmp_path / "laptop")
    laptop.postits.add(real.id, 1, "agree", "We were heard")
    load_example(ws)
    examples = {s.id for s in example_sessions(laptop)}
    (tmp_path / "out").mkdir()
    both = [sync.export_bundle(laptop, tmp_path / "out", plaintext=True, everything=True).path]
    remove_example(laptop)  # the tombstones of a removal stay here too
    both.append(sync.export_bundle(laptop, tmp_path / "out", plaintext=True).path)
    for path in both:
        text = json.dumps([[t.table, t.rows] for t in read_back(path).tables], ensure_ascii=False)
        assert not any(session_id in text for session_id in examples)
        for word in ("Example", "Adult focus group", "Nobody asked me", "Darren", "Dave", POOL):
            assert word not in text, word
    sync.import_bundles(office, both, allow_plaintext=True)
    assert [s.label for s in office.sessions.all()] == ["Our own group"]
    assert live_count(office, "postits") == 1 and office.consultations.all()[0].title == "Care 2010"
    laptop.close(), office.close(), ws.close()


def test_the_example_is_not_counted_among_the_changes_to_send(tmp_path: Path) -> None:
    from facilitator.actions.sync import export_bundle, new_rows

    laptop = open_store(tmp_path / "laptop")
    ws = Workspace.at(tmp_path / "laptop")
    real = new_session(laptop, "Our own group", tmp_path / "laptop")
    (tmp_path / "out").mkdir()
    sync.export_bundle(laptop, tmp_path / "out", plaintext=True)
    load_example(ws)  # some 200 records written, none of which a bundle carries
    assert new_rows(laptop) == 0 and not sync.has_new_changes(laptop)
    laptop.postits.add(real.id, 1, "agree", "We were heard")
    assert new_rows(laptop) == 1 and sync.has_new_changes(laptop)
    exported = export_bundle(laptop, tmp_path / "out", plaintext=True)
    # The post-it is new; its session, consultation and device go again with it.
    assert exported.made.manifest.tables == {"consultations": 1, "devices": 1, "postits": 1, "sessions": 1}
    assert (exported.new_rows, exported.sent_again) == (1, 3)
    remove_example(laptop)  # the removal's tombstones stay here too
    assert new_rows(laptop) == 0 and not sync.has_new_changes(laptop)
    laptop.close(), ws.close()


def test_a_bundle_claiming_an_example_session_is_refused(tmp_path: Path) -> None:
    laptop, office = open_store(tmp_path / "laptop"), open_store(tmp_path / "office")
    new_session(laptop, "Our own group", tmp_path / "laptop")
    (tmp_path / "out").mkdir()
    honest = sync.export_bundle(laptop, tmp_path / "out", plaintext=True).path

    def claim_example(tables: list) -> list:  # type: ignore[type-arg]
        for rows in tables:
            if rows.table == "sessions":
                at = rows.columns.index("example")
                for row in rows.rows:
                    row[at] = 1
        return tables

    forged = reissue(honest, tmp_path / "forged.bundle", claim_example)
    with pytest.raises((RowRefused, BundleError), match="example session never travels in a bundle"):
        sync.import_bundle(office, forged, allow_plaintext=True)
    assert office.sessions.all() == []
    laptop.close(), office.close()


def test_every_export_of_an_example_session_says_it_is_example_data(cli: Cli, tmp_path: Path) -> None:
    import csv
    import io

    cli("example")
    first = json.loads(cli("session", "list", "--json").stdout)[0]["id"]
    line = "Example data, not a real consultation."

    summary = cli("export", first, "--format", "html", "--out", "-").stdout
    assert "EXAMPLE Session summary: Adult focus group 1" in summary and line in summary
    exported = json.loads(cli("export", first, "--format", "json", "--out", "-").stdout)
    assert exported["session"]["example"] is True and exported["session"]["example_note"] == line
    for table in ("postits", "notes"):
        text = cli("export", first, "--format", "csv", "--table", table, "--out", "-").stdout
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        assert rows and {row["example"] for row in rows} == {line}, table

    report = cli(
        "report",
        "--consultation",
        "Example: Does social work care? 2010",
        "--out",
        str(tmp_path / "r"),
        "--charts",
        "svg",
    )
    assert report.exit_code == 0, report.stderr
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "EXAMPLE" in html and line in html

    import openpyxl

    book = tmp_path / "book.xlsx"
    cli(
        "export",
        "--consultation",
        "Example: Does social work care? 2010",
        "--format",
        "xlsx",
        "--out",
        str(book),
    )
    sheet = openpyxl.load_workbook(book)["Sessions"]
    header = [cell.value for cell in sheet[1]]
    assert {row[header.index("example")] for row in sheet.iter_rows(min_row=2, values_only=True)} == {1}


def test_a_real_session_cannot_join_the_examples_consultation(cli: Cli) -> None:
    # Its charts and report would mix practice answers with real ones.
    cli("example")
    new = ("session", "new", "--set", "does-social-work-care", "--label", "Our group", "--cohort", "adults",
           "--setting", "prison")  # fmt: skip
    joined = cli(*new, "--consultation", "example: does social work care?  2010")
    assert_refused(joined, "is the example's consultation: give a real session a consultation of its own")
    assert len(json.loads(cli("session", "list", "--json").stdout)) == 5
    assert cli(*new, "--consultation", "Practice 2026").exit_code == 0


def test_an_edit_cannot_move_a_real_session_into_the_examples_consultation(workspace: Workspace) -> None:
    load_example(workspace)
    details = SessionDetails(label="Our group", cohort="adults", setting="prison", consultation="Practice")
    real = create_session(workspace, "does-social-work-care", details)
    example = example_sessions(workspace.store)[0]
    with pytest.raises(FacilitatorError, match="the example's consultation"):
        edit_session(workspace, real.id, replace(details, consultation=example.consultation))
    assert workspace.store.sessions.get(real.id).consultation == "Practice"
    # The example's own sessions keep their consultation when edited.
    kept = SessionDetails(label="Renamed", cohort=example.cohort, setting=example.setting,
                          consultation=example.consultation)  # fmt: skip
    assert edit_session(workspace, example.id, kept).consultation == example.consultation


def test_the_examples_words_raise_no_identity_warning_once_names_are_changed(workspace: Workspace) -> None:
    # A practice export should show the warning screen only for what a real session would have.
    from facilitator.actions.exports import identifying_details

    load_example(workspace)
    for session in example_sessions(workspace.store):
        found = identifying_details(workspace.store, [session], names=True)
        assert found == [], (session.label, found)
