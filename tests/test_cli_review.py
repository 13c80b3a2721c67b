"""Command-line behaviour a new user met: hints that run, warnings that say what happened.

Through the real entry point: exit codes, one line on stderr for errors, stdout as scripts expect.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.cli import core, main
from facilitator.discussion import privacy
from facilitator.store import Store
from tests.conftest import Cli
from tests.folders import open_folder
from tests.test_cli import NEW_SESSION, assert_refused, new_session, table_count, write_csv


def live_sessions(data_dir: Path) -> int:
    with open_folder(data_dir) as store:
        return len(store.sessions.all())


# ---------------------------------------------------------------- 1. hints that point the right way


def test_an_unknown_theme_hint_names_a_command_that_runs(cli: Cli) -> None:
    session_id = new_session(cli)

    result = cli("theme", "rename", session_id, "Nope", "New")

    assert_refused(result, f"'facilitator themes {session_id}' lists them")
    assert cli("themes", session_id).exit_code == 0


def test_receipt_verify_on_a_missing_file_says_it_does_not_exist(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "receipt.png"

    result = cli("receipt", "verify", str(missing))

    assert_refused(result, f"{missing} does not exist")
    assert_refused(cli("receipt", "verify", "hello"), "not a facilitator receipt")


def test_a_short_session_ref_says_a_prefix_needs_four_characters(cli: Cli) -> None:
    new_session(cli)

    assert_refused(cli("record", "2a", "1", "1"), "give at least 4 characters of its id")
    assert_refused(cli("record", "2a2a2a", "1", "1"), "unknown session '2a2a2a'")


def test_a_data_folder_setting_that_names_a_file_says_so_and_where_it_came_from(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    runner = CliRunner()

    from_env = runner.invoke(main, ["session", "list"], env={"FACILITATOR_DATA_DIR": str(a_file)})
    inside = runner.invoke(main, ["--data-dir", str(a_file / "data"), "session", "list"])

    assert_refused(from_env, "is a file, not a folder")
    assert "FACILITATOR_DATA_DIR" in from_env.stderr
    assert_refused(inside, f"(set by --data-dir) is inside {a_file}, which is a file, not a folder")
    assert a_file.read_text() == "not a folder"


# ---------------------------------------------------------------- 2. privacy check on export

PRISON_NUMBER = "A1234BC"
PHONE = "07700 900123"


@pytest.fixture
def identifying_session(cli: Cli) -> str:
    session_id = new_session(cli)
    for args in (
        (
            "record",
            session_id,
            "3",
            "agree",
            "--comment",
            f"Darren is {PRISON_NUMBER}",
            "--participant",
            "P2",
        ),
        ("record", session_id, "1", "agree", "--comment", "my worker listened"),
        ("note", "add", session_id, f"ring me on {PHONE}"),
        ("pseudonym", "set", session_id, "Darren", "Dave"),
    ):
        assert cli(*args).exit_code == 0
    return session_id


def test_privacy_findings_are_what_would_be_exported(cli: Cli, identifying_session: str) -> None:
    with open_folder(cli.data_dir) as store:
        session = store.sessions.get(identifying_session)
        found = privacy.session_findings(store, session)
        with_names = privacy.session_findings(store, session, kinds=None)

    assert [(f.location, f.kind, f.excerpt) for f in found] == [
        ("statement 3 post-it P2", "prison_number", PRISON_NUMBER),
        ("note", "phone", PHONE),
    ]
    # The map replaced Darren; the pseudonym it put there is not flagged as a name.
    assert not any(f.excerpt in ("Darren", "Dave") for f in with_names)


@pytest.mark.parametrize(
    ("fmt", "table", "expected"),
    [("json", "postits", 2), ("csv", "postits", 1), ("csv", "notes", 1), ("md", "postits", 2)],
)
def test_every_export_warns_on_stderr_and_leaves_stdout_and_the_numbers_alone(
    cli: Cli, identifying_session: str, tmp_path: Path, fmt: str, table: str, expected: int
) -> None:
    out = tmp_path / f"export.{fmt}"

    result = cli("export", identifying_session, "--format", fmt, "--table", table, "--out", str(out))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    warning = next(i for i, line in enumerate(lines) if line.startswith("warning:"))
    assert lines[warning].startswith(f"warning: {expected} possible identifying detail")
    details = lines[warning + 1 : warning + 1 + expected]
    assert all(line.startswith("  ") for line in details)
    written = out.read_text(encoding="utf-8")
    if table == "postits":
        assert any(PRISON_NUMBER in line and "statement 3 post-it P2" in line for line in details)
        assert PRISON_NUMBER in written and "Darren" not in written  # numbers are not altered
    if table == "notes" or fmt != "csv":
        assert any(PHONE in line for line in details) and PHONE in written


def test_export_to_stdout_keeps_stdout_exactly_the_data(cli: Cli, identifying_session: str) -> None:
    result = cli("export", identifying_session, "--format", "json", "--out", "-")

    assert result.exit_code == 0
    assert json.loads(result.stdout)["session"]["id"] == identifying_session
    assert "warning: 2 possible identifying details" in result.stderr


def test_a_clean_export_warns_about_nothing(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    cli("record", session_id, "1", "agree", "--comment", "they listened to me")

    result = cli("export", session_id, "--format", "csv", "--out", str(tmp_path / "a.csv"))

    assert result.exit_code == 0 and "warning" not in result.stderr


def test_the_report_warns_naming_each_session(cli: Cli, identifying_session: str, tmp_path: Path) -> None:
    other = new_session(
        cli, *[("Adult focus group 2" if a == "Adult focus group 1" else a) for a in NEW_SESSION]
    )
    cli("record", other, "2", "agree", "--comment", "call 07700 900456")
    draw = tmp_path / "report"

    result = cli("report", "--out", str(draw), "--format", "svg")

    assert result.exit_code == 0, result.stderr
    assert "warning: 3 possible identifying details" in result.stderr
    assert "Adult focus group 2: statement 2 post-it: phone '07700 900456'" in result.stderr
    assert result.stdout == ""


def test_the_privacy_command_lists_every_finding(cli: Cli, identifying_session: str) -> None:
    result = cli("privacy", identifying_session)

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "where\tkind\texcerpt\treason",
        f"statement 3 post-it P2\tprison_number\t{PRISON_NUMBER}\tlooks like a prison number",
        f"note\tphone\t{PHONE}\tlooks like a phone number",
    ]
    names = cli("record", identifying_session, "2", "agree", "--comment", "my worker Sharon helped")
    assert names.exit_code == 0
    assert "Sharon" in cli("privacy", identifying_session, "--names").stdout
    assert "Sharon" not in cli("privacy", identifying_session).stdout


# ---------------------------------------------------------------- 3. importing a file twice

ROWS = "statement,response,comment,participant\n1,agree,listened,P1\n2,disagree,,P2\n2,disagree,,P2\n"


def test_importing_the_same_file_twice_warns_but_still_imports(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    wall = write_csv(tmp_path / "wall.csv", ROWS)

    first = cli("import-postits", session_id, str(wall))
    second = cli("import-postits", session_id, str(wall))

    assert first.exit_code == 0 and first.stderr == ""  # two identical rows in one file: no warning
    assert second.exit_code == 0
    assert second.stdout == "imported 3 post-its into Adult focus group 1\n"
    [warning] = second.stderr.splitlines()
    assert warning.startswith("warning: 3 of these 3 post-its match ones already recorded in this session")
    assert table_count(cli.data_dir, "postits") == 6


def test_a_file_that_only_partly_repeats_counts_the_repeats(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    cli("record", session_id, "1", "agree", "--comment", "listened", "--participant", "P1")

    result = cli("import-postits", session_id, str(write_csv(tmp_path / "wall.csv", ROWS)))

    assert result.exit_code == 0
    assert "warning: 1 of these 3 post-its match" in result.stderr


# ---------------------------------------------------------------- 4. closed sessions


def test_closing_twice_says_already_closed_and_recording_on_a_closed_session_warns(cli: Cli) -> None:
    session_id = new_session(cli)

    assert cli("session", "close", session_id).stdout == "closed Adult focus group 1\n"
    again = cli("session", "close", session_id)
    recorded = cli("record", session_id, "1", "agree")

    assert (again.exit_code, again.stdout) == (0, "already closed Adult focus group 1\n")
    assert recorded.exit_code == 0 and len(recorded.stdout.strip()) == 36  # the post-it's id, as before
    [warning] = recorded.stderr.splitlines()
    assert warning.startswith("warning: session 'Adult focus group 1' is closed")
    assert table_count(cli.data_dir, "postits") == 1


# ---------------------------------------------------------------- 5. duplicate labels


def test_a_duplicate_label_in_the_same_consultation_is_refused(cli: Cli) -> None:
    new_session(cli)

    assert_refused(cli(*NEW_SESSION), "a session labelled 'Adult focus group 1' already exists")
    shouted = [a.upper() if a == "Adult focus group 1" else a for a in NEW_SESSION]
    assert_refused(cli(*shouted), "already exists in this consultation")
    assert live_sessions(cli.data_dir) == 1
    elsewhere = [("Another consultation" if a == "Does social work care? 2010" else a) for a in NEW_SESSION]
    assert cli(*elsewhere).exit_code == 0


def test_a_duplicate_label_among_sessions_without_a_consultation_is_refused(cli: Cli) -> None:
    loose = [a for a in NEW_SESSION if a not in ("--consultation", "Does social work care? 2010")]
    new_session(cli, *loose)

    assert_refused(cli(*loose), "already exists without a consultation")


def test_renaming_a_session_onto_another_label_is_refused(store: Store, statement_set, session) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from facilitator.core.errors import FacilitatorError
    from facilitator.store import SessionDetails

    details = SessionDetails(
        label="Adult focus group 2",
        cohort="adults",
        setting="community",
        consultation="Does social work care? 2010",
    )
    second = store.sessions.create(statement_set, details)
    with pytest.raises(FacilitatorError, match="already exists"):
        store.sessions.update(second.id, replace(details, label="adult focus group 1"))
    # Saving a session under its own label is fine.
    assert store.sessions.update(second.id, details).label == "Adult focus group 2"
    # A deleted session's label is free again.
    store.sessions.delete(session.id)
    assert store.sessions.update(second.id, replace(details, label="Adult focus group 1")).label


# ---------------------------------------------------------------- 6. deleting a session


def test_deleting_without_a_terminal_needs_yes(cli: Cli) -> None:
    session_id = new_session(cli)
    cli("record", session_id, "1", "agree")

    assert_refused(cli("session", "delete", session_id), "add --yes")
    assert live_sessions(cli.data_dir) == 1

    done = cli("session", "delete", session_id, "--yes")

    assert (done.exit_code, done.stdout) == (0, "deleted Adult focus group 1\n")
    assert live_sessions(cli.data_dir) == 0
    assert_refused(cli("record", session_id, "1", "agree"), "unknown session")


def test_deleting_in_a_terminal_asks_for_the_label(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    session_id = new_session(cli)
    monkeypatch.setattr(core, "stdin_is_terminal", lambda: True)

    wrong = cli("session", "delete", session_id, input="Adult focus group 2\n")
    assert wrong.exit_code == 2 and "does not match: nothing deleted" in wrong.stderr
    assert live_sessions(cli.data_dir) == 1

    right = cli("session", "delete", session_id, input="adult focus group 1\n")
    assert right.exit_code == 0 and right.stdout == "deleted Adult focus group 1\n"
    assert live_sessions(cli.data_dir) == 0


# ---------------------------------------------------------------- 9. what an export re-sends


def test_both_export_commands_say_how_many_records_are_new(tmp_path: Path) -> None:
    from tests.sync_helpers import new_session as make_session
    from tests.sync_helpers import open_store

    data = tmp_path / "laptop"
    with open_store(data) as store:
        session = make_session(store, "Group A")
        store.postits.add(session.id, 1, "agree", "one")
    laptop = Cli(data)

    first = laptop("sync", "export", "--plaintext", "--out", str(tmp_path / "1.bundle"))
    second = laptop("sync", "export", "--plaintext", "--out", str(tmp_path / "2.bundle"))

    assert first.exit_code == second.exit_code == 0
    rows = int(second.stdout.split(": ")[1].split(" records")[0])
    assert re.search(r": \d+ records: 1 laptop, 1 consultation, 1 session, 1 post-it", second.stdout)
    assert first.stdout.startswith("wrote ") and second.stdout.startswith("wrote ")  # the contract
    assert "note:" not in first.stderr  # everything in the first bundle is new
    assert f"note: nothing new since the last export: all {rows} records are sent again" in second.stderr

    with open_store(data) as store:
        store.postits.add(session.id, 2, "agree", "two")
    share = tmp_path / "share"
    share.mkdir()
    run = laptop("sync", "run", "--plaintext", str(share))
    assert run.exit_code == 0 and run.stdout.startswith("wrote ")
    assert re.search(r"note: 1 record is new since the last export, \d+ sent again", run.stderr)
    # Nothing new, but the office has not confirmed the session: it goes on the stick again.
    again = laptop("sync", "run", "--plaintext", str(share)).stdout
    assert again.startswith("wrote ") and "1 session on the stick for the office, 0 confirmed" in again


def test_the_sync_commands_help_speaks_of_records_not_rows(cli: Cli) -> None:
    for command in ("export", "conflicts", "resolve"):
        shown = cli("sync", command, "--help")
        assert shown.exit_code == 0, command
        assert not re.search(r"\brows?\b", shown.stdout), (command, shown.stdout)
