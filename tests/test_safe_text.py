"""Everything a person reads is safe for the terminal; the data itself is never changed.

`facilitator.core.literal.visible` is the one function that makes text safe:
C0 controls show as their Unicode control picture (ESC as ␛, BEL as ␇, NUL as ␀),
DEL as ␡, and C1 controls and bidirectional marks, overrides and isolates as
their code (``\\u009b``, ``\\u202e``). A whole escape sequence (CSI, OSC ended by
BEL or ST) thereby shows as the characters it is made of. The result is one
line unless the caller asks for several: then newlines and tabs are kept.

The app (`facilitator.ui.text`), terminal charts, summaries and every command
line output holding user or bundle text (labels, comments, notes, codes, file
names, error messages quoting input) go through it. CSV and JSON exports keep
every comment byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from facilitator.actions.data_folder import Workspace
from facilitator.core.literal import markdown, visible
from facilitator.outputs.document import Document, Paragraph, Section
from facilitator.outputs.render_html import render_html
from facilitator.outputs.render_markdown import render_markdown
from facilitator.ui.text import literal, one_line
from tests.conftest import DEFAULT_SET, Cli

OSC_52 = "\x1b]52;c;cm0gLXJmIH4K\x07"  # writes "rm -rf ~" to the terminal's clipboard
HOSTILE_LABEL = f"Group {OSC_52} 1"
SHOWN_LABEL = "Group ␛]52;c;cm0gLXJmIH4K␇ 1"

# Every character that must never reach a terminal raw.
UNSAFE = {
    *map(chr, range(0x20)),
    "\x7f",
    *map(chr, range(0x80, 0xA0)),
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}

CASES = [
    ("CSI", "red \x1b[31mtext\x1b[0m", "red ␛[31mtext␛[0m"),
    ("OSC ended by BEL", OSC_52, "␛]52;c;cm0gLXJmIH4K␇"),
    ("OSC ended by ST", "\x1b]0;title\x1b\\", "␛]0;title␛\\"),
    ("other ESC sequence", "\x1bc reset \x1b7", "␛c reset ␛7"),
    ("8-bit CSI", "\x9b2J clear", "\\u009b2J clear"),
    ("C1 NEL and OSC", "a\x85b\x9d0;t\x9c", "a\\u0085b\\u009d0;t\\u009c"),
    ("bidi override", "abc\u202edcba", "abc\\u202edcba"),
    ("bidi isolate and marks", "\u2066x\u2069\u200e\u200f\u061c", "\\u2066x\\u2069\\u200e\\u200f\\u061c"),
    ("NUL", "a\x00b", "a␀b"),
    ("DEL", "a\x7fb", "a␡b"),
    ("carriage return", "safe\roverwritten", "safe␍overwritten"),
    ("noncharacters", "a\ufffeb\uffff", "a\\ufffeb\\uffff"),
]


def assert_safe(shown: str) -> None:
    assert not UNSAFE & set(shown), sorted(UNSAFE & set(shown))


@pytest.mark.parametrize(("raw", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_visible_shows_every_control_and_passes_none_through(raw: str, expected: str) -> None:
    shown = visible(raw + "\n")
    assert_safe(shown)
    assert shown == expected + "␊"


def test_nothing_unsafe_survives_any_character() -> None:
    every = "".join(map(chr, range(0x3000)))
    assert_safe(visible(every))
    assert set(visible(every, multiline=True)) & UNSAFE == {"\n", "\t"}


def test_newlines_and_tabs_are_kept_only_when_asked() -> None:
    assert visible("one\ttwo\nthree") == "one two␊three"
    assert visible("one\ttwo\nthree", multiline=True) == "one\ttwo\nthree"
    assert visible("one\r\nthree", multiline=True) == "one␍\nthree"


def test_plain_text_and_markup_are_left_as_typed() -> None:
    typed = "café 👍🏽 مرحبا [bold]x[/] <b>y</b> \\x1b"
    assert visible(typed) == typed
    assert literal(typed).plain == typed and not literal(typed).spans


@pytest.mark.parametrize("raw", [case[1] for case in CASES], ids=[case[0] for case in CASES])
def test_the_app_summaries_and_charts_show_what_visible_shows(raw: str) -> None:
    sample = f"x {raw} y\nz"
    assert literal(sample).plain == visible(sample)
    assert literal(sample, keep_newlines=True).plain == visible(sample, multiline=True)
    assert one_line(sample).plain == visible(sample.replace("\n", " "))
    assert_safe(markdown(sample).replace("\n", ""))
    document = Document(sample, None, (Section(sample, 1, (Paragraph(sample),)),))
    for rendered in (render_html(document), render_markdown(document)):
        assert_safe(rendered.replace("\n", ""))


def test_app_notifications_make_quoted_text_visible(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.app import App

    from facilitator.ui.app import make_app

    sent: list[tuple[str, str, bool]] = []

    def notify(_app: App[None], message: str, *, title: str = "", markup: bool = True, **_: Any) -> None:
        sent.append((message, title, markup))

    monkeypatch.setattr(App, "notify", notify)
    make_app(workspace, blink=False).notify(f"unknown theme {OSC_52}", title="\u202e", markup=False)
    assert sent == [("unknown theme ␛]52;c;cm0gLXJmIH4K␇", "\\u202e", False)]


# ------------------------------------------------------------------ the command line


def session_with(cli: Cli, label: str = HOSTILE_LABEL) -> str:
    result = cli(
        "session", "new", "--set", DEFAULT_SET, "--label", label, "--cohort", "adults\u202e",
        "--setting", "community", "--date", "2010-03-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def assert_terminal_safe(output: bytes) -> None:
    assert b"\x1b" not in output and b"\x07" not in output
    assert_safe(output.decode("utf-8").replace("\n", "").replace("\t", ""))


def test_session_list_shows_a_hostile_label_visibly(cli: Cli) -> None:
    session_id = session_with(cli)
    result = cli("session", "list")
    assert result.exit_code == 0
    assert_terminal_safe(result.stdout_bytes)
    assert_terminal_safe(result.stderr_bytes)
    row = result.stdout.splitlines()[1].split("\t")
    assert row[:4] == [session_id, "2010-03-01", SHOWN_LABEL, "adults\\u202e"]


def test_session_list_json_escapes_what_it_must_and_reads_back_exactly(cli: Cli) -> None:
    session_with(cli)
    result = cli("session", "list", "--json")
    assert_terminal_safe(result.stdout_bytes)
    listed = json.loads(result.stdout)
    assert (listed[0]["label"], listed[0]["cohort"]) == (HOSTILE_LABEL, "adults\u202e")


def test_session_commands_quote_the_label_visibly(cli: Cli) -> None:
    session_id = session_with(cli)
    closed = cli("session", "close", session_id)
    assert_terminal_safe(closed.stdout_bytes)
    assert closed.stdout == f"closed {SHOWN_LABEL}\n"
    deleted = cli("session", "delete", session_id, "--yes")
    assert_terminal_safe(deleted.stdout_bytes)
    assert deleted.stdout == f"deleted {SHOWN_LABEL}\n"


def test_note_list_shows_a_hostile_note_visibly(cli: Cli) -> None:
    session_id = session_with(cli)
    added = cli("note", "add", session_id, f"said {OSC_52} then\u202e left", "--theme", "trust\x1b[2J")
    assert added.exit_code == 0, added.stderr
    for result in (cli("note", "list", session_id), cli("theme", "notes", session_id, "trust\x1b[2J")):
        assert result.exit_code == 0, result.stderr
        assert_terminal_safe(result.stdout_bytes)
        cells = result.stdout.splitlines()[1].split("\t")
        assert cells[3:] == ["trust␛[2J", "said ␛]52;c;cm0gLXJmIH4K␇ then\\u202e left"]
    ranked = cli("themes", session_id, "--used")
    assert_terminal_safe(ranked.stdout_bytes)
    assert ranked.stdout.splitlines()[1].split("\t")[3] == "trust␛[2J"


def test_an_error_quoting_a_hostile_argument_shows_it_visibly(cli: Cli, tmp_path: Path) -> None:
    session_id = session_with(cli)
    missing = tmp_path / f"wall {OSC_52}.csv"
    result = cli("import-postits", session_id, str(missing))
    assert result.exit_code == 2
    assert_terminal_safe(result.stderr_bytes)
    assert result.stderr.startswith(f"error: cannot read {tmp_path}/wall ␛]52;c;cm0gLXJmIH4K␇.csv")
    unknown = cli("session", "close", f"nope {OSC_52}")
    assert unknown.exit_code == 2
    assert_terminal_safe(unknown.stderr_bytes)


def test_exports_keep_the_comment_byte_for_byte(cli: Cli) -> None:
    session_id = session_with(cli)
    # Every control character but NUL, which the store refuses (it refuses it in a bundle's rows too).
    comment = f"they said {OSC_52}\x9b2J\u202e [b]x[/b] <i>\x01\x7f\r\nline two\ttab"
    recorded = cli("record", session_id, "1", "agree", "--comment", comment, "--participant", "P1")
    assert recorded.exit_code == 0, recorded.stderr
    as_json = cli("export", session_id, "--format", "json", "--out", "-").stdout_bytes
    assert json.loads(as_json.decode("utf-8"))["statements"][0]["postits"][0]["comment"] == comment
    assert json.dumps(comment, ensure_ascii=False).encode("utf-8") in as_json
    as_csv = cli("export", session_id, "--format", "csv", "--out", "-").stdout_bytes
    assert comment.encode("utf-8") in as_csv
    rows = csv.DictReader(io.StringIO(as_csv.decode("utf-8"), newline=""))
    assert [row["comment"] for row in rows] == [comment]
