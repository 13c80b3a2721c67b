"""Which sessions an export for analysts covers, and the mistakes the export command refuses.

An Excel or REFI-QDA export covers one SESSION, a `--consultation`, or, with
neither, every session; the other formats export one session. A wrong
combination is one line and exit 2, and writes nothing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from facilitator.actions.exports import choose_sessions, export_for_analysts
from facilitator.core.errors import FacilitatorError
from facilitator.core.statements import load_statement_set
from facilitator.discussion import notes
from facilitator.discussion.anonymity import remove_pseudonym
from facilitator.store import SessionDetails
from tests import five_sessions
from tests.conftest import Cli
from tests.folders import open_folder
from tests.test_cli import NEW_SESSION, assert_refused, new_session


def test_one_session_a_consultation_or_every_session_in_the_order_they_met(tmp_path: Path) -> None:
    with open_folder(tmp_path / "data") as store:
        built = five_sessions.build(store)
        store.sessions.create(
            load_statement_set(five_sessions.SET_PATH),
            SessionDetails(label="Elsewhere", cohort="adults", setting="prison", date="2009-01-01"),
        )
        by_date = [s.label for s in sorted(built.values(), key=lambda s: s.date)]
        chosen = choose_sessions(store, consultation="does social work care?  2010")
        assert [s.label for s in chosen.sessions] == by_date
        assert chosen.purged == []
        one = choose_sessions(store, built["Young offender focus group 5"].id[:8])
        assert [s.label for s in one.sessions] == ["Young offender focus group 5"]
        assert [s.label for s in choose_sessions(store).sessions] == ["Elsewhere", *by_date]


def test_an_unknown_consultation_names_the_known_ones(tmp_path: Path) -> None:
    with open_folder(tmp_path / "data") as store:
        five_sessions.build(store)
        with pytest.raises(FacilitatorError, match="unknown consultation 'Nope' \\(known: 'Does social work"):
            choose_sessions(store, consultation="Nope")


def test_an_empty_folder_has_nothing_to_export(tmp_path: Path) -> None:
    with (
        open_folder(tmp_path / "data") as store,
        pytest.raises(FacilitatorError, match="no sessions to export"),
    ):
        choose_sessions(store)


def test_a_binary_file_never_goes_to_the_terminal(tmp_path: Path) -> None:
    with open_folder(tmp_path / "data") as store:
        sessions = list(five_sessions.build(store).values())
        with pytest.raises(FacilitatorError, match=r"^an Excel workbook cannot go to the terminal"):
            export_for_analysts(store, sessions, "xlsx", Path("-"))


def test_the_export_command_refuses_mixed_choices(cli: Cli, tmp_path: Path) -> None:
    session = new_session(cli, *NEW_SESSION)
    out = tmp_path / "out.json"
    assert_refused(
        cli(
            "export",
            session,
            "--format",
            "xlsx",
            "--consultation",
            "Does social work care? 2010",
            "--out",
            "x",
        ),
        "give SESSION or --consultation, not both",
    )
    assert_refused(
        cli("export", "--format", "json", "--consultation", "Does social work care? 2010", "--out", str(out)),
        "--consultation is for xlsx and qdpx",
    )
    assert_refused(cli("export", "--format", "csv", "--out", str(out)), "give the SESSION to export as csv")
    assert_refused(
        cli("export", "--format", "qdpx", "--out", "-"), "a REFI-QDA project cannot go to the terminal"
    )
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "qdpx"])
def test_a_name_another_session_of_the_consultation_changes_never_leaves_in_one_session_alone(
    tmp_path: Path, fmt: str
) -> None:
    # Every session maps Darren to Dave but Adult focus group 2, whose notes, post-its and a theme
    # of the shared codebook name him: exported alone, it carries Dave, as its bundle does.
    out = tmp_path / f"group-2.{fmt}"
    with open_folder(tmp_path / "data") as store:
        sessions = five_sessions.build(store)
        five_sessions.add_discussion(store, sessions)
        alone = sessions["Adult focus group 2"]
        remove_pseudonym(store, alone.id, five_sessions.REAL_NAME)
        notes.add_note(store, alone.id, "Darren's worker left.", themes=["Darren's worries"])
        store.postits.add(alone.id, 2, "agree", "DARREN never got a letter")
        export_for_analysts(store, [alone], fmt, out)
    with zipfile.ZipFile(out) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    assert "darren" not in everything.casefold()
    assert "Dave's worker left." in everything and "Dave's worries" in everything
    assert fmt == "qdpx" or "DAVE never got a letter" in everything  # the project holds no post-its


@pytest.mark.parametrize("fmt", ["xlsx", "qdpx"])
def test_out_a_folder_or_a_link_to_one_is_refused_and_the_link_stays(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    session = new_session(cli, *NEW_SESSION)
    folder = tmp_path / f"exports.{fmt}"
    folder.mkdir()
    link = tmp_path / f"link.{fmt}"
    link.symlink_to(folder, target_is_directory=True)
    for out in (link, folder):
        assert_refused(cli("export", session, "--format", fmt, "--out", str(out)), "it is a folder")
    assert link.is_symlink() and link.resolve() == folder.resolve()
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", f"exports.{fmt}", f"link.{fmt}"]


@pytest.mark.parametrize(("fmt", "what"), [("xlsx", "an Excel workbook"), ("qdpx", "a REFI-QDA project")])
def test_a_file_without_its_ending_is_refused_so_it_is_not_lost(
    cli: Cli, tmp_path: Path, fmt: str, what: str
) -> None:
    session = new_session(cli, *NEW_SESSION)
    for name in ("all", "care.csv", f"care.{fmt}.txt"):
        assert_refused(
            cli("export", session, "--format", fmt, "--out", str(tmp_path / name)),
            f"{what} needs a file name ending in .{fmt}, not {name!r}",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    upper = tmp_path / f"CARE.{fmt.upper()}"
    assert cli("export", session, "--format", fmt, "--out", str(upper)).exit_code == 0
    assert upper.is_file()


def test_a_usage_mistake_is_said_in_one_line(cli: Cli) -> None:
    assert_refused(cli("export", "--out", "x.xlsx"), "Choose from: json, csv, md, html, docx, xlsx, qdpx")


def test_a_codebook_file_needs_its_ending_too(cli: Cli, tmp_path: Path) -> None:
    session = new_session(cli, *NEW_SESSION)
    assert cli("note", "add", session, "Nobody came", "--theme", "Trust").exit_code == 0
    out = tmp_path / "codebook.xml"
    assert_refused(
        cli("themes", "export", "--consultation", "Does social work care? 2010", "--out", str(out)),
        "a REFI-QDA codebook needs a file name ending in .qdc, not 'codebook.xml'",
    )
    assert not out.exists()


def test_an_export_for_analysts_counts_the_words_that_may_still_be_names(cli: Cli, tmp_path: Path) -> None:
    session = new_session(cli, *NEW_SESSION)
    assert cli("note", "add", session, "Sharon from the council never came").exit_code == 0
    result = cli("export", session, "--format", "xlsx", "--out", str(tmp_path / "care.xlsx"))
    assert result.exit_code == 0
    assert (
        "check: 1 capitalised word may be a name the pseudonym map does not change; "
        "'facilitator privacy SESSION --names' lists them for the session"
    ) in result.stderr
    assert cli("pseudonym", "set", session, "Sharon", "Sue").exit_code == 0
    result = cli("export", session, "--format", "qdpx", "--out", str(tmp_path / "care.qdpx"))
    assert result.exit_code == 0 and "check:" not in result.stderr


@pytest.mark.parametrize("fmt", ["json", "html", "xlsx"])
def test_a_file_name_too_long_for_the_disk_is_refused_in_one_line(cli: Cli, tmp_path: Path, fmt: str) -> None:
    session = new_session(cli, *NEW_SESSION)
    out = tmp_path / f"{'g' * 300}.{fmt}"
    assert_refused(cli("export", session, "--format", fmt, "--out", str(out)), "cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
