"""Every input error on the command line is one line on stderr with exit code 2, and an
error nobody expected is one line too (exit code 1) with a log entry that holds no text."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.actions.data_folder import Workspace
from facilitator.core.error_log import log_path
from facilitator.core.paths import DATABASE_NAME
from tests.folders import connect_to

from .conftest import Cli


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_an_argument_that_is_not_utf8_is_refused_and_nothing_is_written(cli: Cli, data_dir: Path) -> None:
    # Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape).
    label = "bad\udc9blabel"
    result = cli("session", "new", "--set", "does-social-work-care", "--label", label, "--cohort", "a",
                 "--setting", "prison")  # fmt: skip
    assert result.exit_code == 2
    line = _one_line(result.stderr)
    assert "not valid UTF-8" in line and "bad\\x9blabel" in line
    assert not (data_dir / DATABASE_NAME).exists()


def test_a_statement_file_nested_too_deeply_is_skipped_with_one_warning(cli: Cli, data_dir: Path) -> None:
    (data_dir / "statements").mkdir(parents=True)
    deep = 'id = "deep"\ntitle = "Deep"\nx = ' + "[" * 5000 + "]" * 5000 + "\n"
    (data_dir / "statements" / "deep.toml").write_text(deep, encoding="utf-8")
    result = cli("sets")
    assert result.exit_code == 0
    assert "does-social-work-care" in result.stdout
    assert "nested too deeply" in _one_line(result.stderr)
    refused = cli("session", "new", "--set", "deep", "--label", "x", "--cohort", "a", "--setting", "prison")
    assert refused.exit_code == 2
    assert "unknown statement set 'deep'" in _one_line(refused.stderr)


def test_a_stored_row_that_does_not_parse_is_one_warning_line_and_the_rest_is_listed(
    cli: Cli, data_dir: Path
) -> None:
    ids = []
    for label in ("Group", "Other group"):
        made = cli("session", "new", "--set", "does-social-work-care", "--label", label, "--cohort", "adults",
                   "--setting", "prison")  # fmt: skip
        assert made.exit_code == 0
        ids.append(made.stdout.strip())
    connection = connect_to(data_dir)
    with connection:
        connection.execute("UPDATE sessions SET scale = '{not json' WHERE id = ?", [ids[0]])
    connection.close()
    result = cli("session", "list")
    assert result.exit_code == 0
    line = _one_line(result.stderr)
    assert line == f"warning: session {ids[0][:8]} is damaged (its scale is not JSON): left out"
    assert "Other group" in result.stdout and ids[0] not in result.stdout
    named = cli("export", ids[0], "--format", "json", "--out", "-")
    assert named.exit_code == 2
    assert "cannot be read: its scale is not JSON" in _one_line(named.stderr)


def test_an_unexpected_fault_is_one_line_exit_1_and_a_log_without_the_words(
    cli: Cli, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Workspace) -> None:
        said = "Darren said he was at HMP Leeds"
        raise RuntimeError(said)

    monkeypatch.setattr(Workspace, "catalogue", broken)
    result = cli("sets")
    assert result.exit_code == 1
    line = _one_line(result.stderr)
    assert "RuntimeError" in line and "Darren" not in line
    entry = log_path(data_dir).read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in entry and "in broken" in entry
    assert "Darren" not in entry
