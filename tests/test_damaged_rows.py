"""A stored row that does not parse never stops a command: it is left out, named in one
warning line on stderr, and everything else is still shown, with exit code 0."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitator.store import Session
from tests.folders import connect_to

from .conftest import Cli
from .sync_helpers import new_session, open_store


def plant(data_dir: Path, sql: str, *params: object) -> None:
    """Write straight into the database, as an old version or an unchecked import could have."""
    connection = connect_to(data_dir)
    try:
        with connection:
            connection.execute(sql, params)
    finally:
        connection.close()


@pytest.fixture
def two_sessions(data_dir: Path) -> Iterator[tuple[Session, Session]]:
    """Two sessions of one consultation, each with a post-it carrying a comment."""
    with open_store(data_dir) as store:
        good = new_session(store, "Good group", data_dir=data_dir)
        other = new_session(store, "Other group", data_dir=data_dir)
        store.postits.add(good.id, 1, "agree", "kept comment")
        store.postits.add(other.id, 2, "disagree", "other comment")
    yield good, other


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def one_warning(stderr: str, row_id: str, kind: str) -> str:
    (line,) = warnings(stderr)
    assert line.startswith(f"warning: {kind} {row_id[:8]} is damaged (") and line.endswith("): left out")
    assert "Traceback" not in stderr
    return line


def commands(data_dir: Path, good: Session) -> dict[str, tuple[str, ...]]:
    out = data_dir.parent / "out"
    out.mkdir(exist_ok=True)
    return {
        "list": ("session", "list"),
        "json": ("export", good.id, "--format", "json", "--out", "-"),
        "csv": ("export", good.id, "--format", "csv", "--out", "-"),
        "summary": ("export", good.id, "--format", "html", "--out", "-"),
        "md": ("export", good.id, "--format", "md", "--out", str(out / "summary.md")),
        "charts": ("charts", "--out", str(out / "charts"), "--format", "svg"),
        "report": ("report", "--out", str(out / "report"), "--format", "svg"),
    }


def shown(data_dir: Path, name: str, stdout: str) -> str:
    """What a command produced: its stdout, or the files it wrote."""
    out = data_dir.parent / "out"
    if name == "md":
        return (out / "summary.md").read_text(encoding="utf-8")
    if name == "charts":
        return (out / "charts" / "index.json").read_text(encoding="utf-8")
    if name == "report":
        return (out / "report" / "report.html").read_text(encoding="utf-8")
    return stdout


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("scale", "{not json", "its scale is not JSON"),
        ("statements", "[{", "its statements are not JSON"),
        ("facilitators", "nope", "its facilitators are not JSON"),
        ("scale", '[{"key": "a"}]', "its scale is not a list of 2 to 9 categories"),
        ("statements", '[{"number": 7, "text": "x"}]', "its statements are not a numbered list"),
        ("facilitators", '{"a": 1}', "its facilitators are not a list of text"),
    ],
)
def test_a_damaged_session_is_left_out_of_every_command_with_one_warning(
    cli: Cli, data_dir: Path, two_sessions: tuple[Session, Session], column: str, value: str, reason: str
) -> None:
    good, bad = two_sessions
    plant(data_dir, f"UPDATE sessions SET {column} = ? WHERE id = ?", value, bad.id)
    for name, args in commands(data_dir, good).items():
        result = cli(*args)
        assert result.exit_code == 0, (name, result.stderr)
        if name in ("list", "charts", "report"):
            line = one_warning(result.stderr, bad.id, "session")
            assert reason in line, (name, line)
        else:  # the export of another session never reads the damaged one
            assert warnings(result.stderr) == [], name
        text = shown(data_dir, name, result.stdout)
        if name in ("list", "charts", "report"):
            assert "Good group" in text and "Other group" not in text, name
        if name in ("json", "csv", "summary", "md", "report"):
            assert "kept comment" in text and "other comment" not in text, name


def test_naming_a_damaged_session_is_one_error_line(
    cli: Cli, data_dir: Path, two_sessions: tuple[Session, Session]
) -> None:
    _good, bad = two_sessions
    plant(data_dir, "UPDATE sessions SET scale = '{not json' WHERE id = ?", bad.id)
    result = cli("export", bad.id, "--format", "json", "--out", "-")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "cannot be read: its scale is not JSON" in line


@pytest.mark.parametrize(
    ("number", "key", "reason"),
    [
        (-5, "agree", "its statement number -5 is not one of the session's 1 to"),
        (99, "agree", "its statement number 99 is not one of the session's 1 to"),
        (1e308, "agree", "its statement number 1e+308 is not one of"),
        ("two", "agree", "its statement number 'two' is not one of"),
        (1, "maybe", "its response 'maybe' is not on the session's scale"),
    ],
)
def test_a_damaged_postit_is_left_out_alone(
    cli: Cli,
    data_dir: Path,
    two_sessions: tuple[Session, Session],
    number: object,
    key: str,
    reason: str,
) -> None:
    good, _other = two_sessions
    with open_store(data_dir) as store:
        bad = store.postits.add(good.id, 3, "neutral", "damaged comment")
    plant(
        data_dir,
        "UPDATE postits SET statement_number = ?, response_key = ? WHERE id = ?",
        number,
        key,
        bad.id,
    )
    for name, args in commands(data_dir, good).items():
        result = cli(*args)
        assert result.exit_code == 0, (name, result.stderr)
        line = one_warning(result.stderr, bad.id, "post-it")
        assert f"session {good.id[:8]}: {reason}" in line, (name, line)
        text = shown(data_dir, name, result.stdout)
        assert "Good group" in text or name in ("json", "csv", "charts"), name
        if name in ("json", "csv", "summary", "md", "report"):
            assert "kept comment" in text and "damaged comment" not in text, name
    exported = json.loads(cli(*commands(data_dir, good)["json"]).stdout)
    assert sum(len(s["postits"]) for s in exported["statements"]) == 1
    listed = cli("session", "list").stdout.splitlines()
    assert any(line.startswith(good.id) and "\t1\t" in line for line in listed)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("{not json", "its session ids are not JSON"),
        ('{"a": 1}', "its session ids are not a list of ids"),
        ("[1, 2]", "its session ids are not a list of ids"),
        ('["00000000-dead-4000-8000-000000000000", "X"]', "it names a session that does not exist"),
    ],
)
def test_a_damaged_pool_is_left_out_and_its_sessions_are_charted_alone(
    cli: Cli, data_dir: Path, two_sessions: tuple[Session, Session], value: str, reason: str
) -> None:
    good, other = two_sessions
    saved = cli("pool", "add", "--label", "Both groups", good.id, other.id)
    assert saved.exit_code == 0
    pool_id = saved.stdout.strip()
    plant(data_dir, "UPDATE chart_pools SET session_ids = ? WHERE id = ?", value, pool_id)
    for name in ("charts", "report"):
        result = cli(*commands(data_dir, good)[name])
        assert result.exit_code == 0, (name, result.stderr)
        assert reason in one_warning(result.stderr, pool_id, "chart pool")
        text = shown(data_dir, name, result.stdout)
        assert "Good group" in text and "Other group" in text and "Both groups" not in text
    listed = cli("pool", "list")
    assert listed.exit_code == 0
    assert reason in one_warning(listed.stderr, pool_id, "chart pool")
