"""The command line contract, through the real entry point."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest

from facilitator.cli import main
from tests.conftest import DEFAULT_SET, Cli
from tests.folders import open_folder

NEW_SESSION = (
    "session",
    "new",
    "--set",
    DEFAULT_SET,
    "--label",
    "Adult focus group 1",
    "--cohort",
    "adults",
    "--setting",
    "community",
    "--consultation",
    "Does social work care? 2010",
    "--location",
    "Leeds",
    "--date",
    "2010-03-01",
    "--facilitator",
    "MJ",
    "--facilitator",
    "DK",
    "--participants",
    "10",
    "--male",
    "8",
    "--female",
    "2",
)


def new_session(cli: Cli, *args: str) -> str:
    result = cli(*(args or NEW_SESSION))
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def assert_refused(result: object, fragment: str) -> None:
    """Exit code 2, one line on stderr naming the problem, nothing on stdout."""
    assert result.exit_code == 2  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]


def table_count(data_dir: Path, table: str) -> int:
    with open_folder(data_dir) as store:
        return int(store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_session_new_prints_the_id_alone(cli: Cli) -> None:
    session_id = new_session(cli)
    assert len(session_id) == 36 and "\n" not in session_id
    listed = json.loads(cli("session", "list", "--json").stdout)
    assert listed == [
        {
            "id": session_id,
            "label": "Adult focus group 1",
            "cohort": "adults",
            "setting": "community",
            "location": "Leeds",
            "date": "2010-03-01",
            "consultation": "Does social work care? 2010",
            "statement_set": DEFAULT_SET,
            "postits": 0,
            "closed": False,
            "example": False,
            "sync_status": "local",
            "confirmed_at": None,
        }
    ]


def test_session_list_is_a_table_in_date_order(cli: Cli) -> None:
    later = new_session(cli, *NEW_SESSION[:-6], "--date", "2010-04-01", "--label", "Adult focus group 2")
    earlier = new_session(cli, *NEW_SESSION)
    cli("record", later, "1", "agree")
    lines = cli("session", "list").stdout.splitlines()
    assert lines[0] == "id\tdate\tlabel\tcohort\tsetting\tpostits\tstatus\toffice"
    assert [line.split("\t")[0] for line in lines[1:]] == [earlier, later]
    assert lines[2].split("\t")[5] == "1"
    assert lines[2].split("\t")[7] == "not sent"


def test_an_empty_session_list_says_how_to_start(cli: Cli) -> None:
    result = cli("session", "list")
    assert result.exit_code == 0 and result.stdout == ""
    assert "session new" in result.stderr
    assert json.loads(cli("session", "list", "--json").stdout) == []


def test_data_dir_works_after_the_command_and_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from facilitator.cli import main

    runner = CliRunner()
    here = tmp_path / "after"
    result = runner.invoke(main, [*NEW_SESSION, "--data-dir", str(here)])
    assert result.exit_code == 0, result.stderr
    assert (here / "facilitator.db").exists()
    monkeypatch.setenv("FACILITATOR_DATA_DIR", str(tmp_path / "env"))
    result = runner.invoke(main, list(NEW_SESSION))
    assert result.exit_code == 0
    assert (tmp_path / "env" / "facilitator.db").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--set", "nope"), "unknown statement set 'nope'"),
        (("--setting", "school"), "'school' is not one of"),
        (("--date", "2010-13-01"), "real date"),
        (("--male", "20"), "add up to more"),
        (("--participants", "many"), "'many' is not a valid integer"),
    ],
)
def test_session_new_refuses_bad_input_and_writes_nothing(
    cli: Cli, args: tuple[str, ...], fragment: str
) -> None:
    base = dict(zip(NEW_SESSION[2::2], NEW_SESSION[3::2], strict=False))
    base.pop("--facilitator")
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [item for pair in base.items() for item in pair]
    assert_refused(cli("session", "new", *flat), fragment)
    assert table_count(cli.data_dir, "sessions") == 0


def test_a_missing_option_is_one_line(cli: Cli) -> None:
    assert_refused(cli("session", "new", "--set", DEFAULT_SET), "Missing option")


def test_record_prints_the_post_it_id_and_stores_it(cli: Cli) -> None:
    session_id = new_session(cli)
    result = cli("record", session_id, "2", "Strongly disagree", "--comment", "not me", "--participant", "P3")
    assert result.exit_code == 0, result.stderr
    postit_id = result.stdout.strip()
    with open_folder(cli.data_dir) as store:
        postit = store.postits.get(postit_id)
    assert (postit.statement_number, postit.response_key, postit.comment, postit.participant) == (
        2,
        "strongly_disagree",
        "not me",
        "P3",
    )


@pytest.mark.parametrize("response", ["agree", "Agree", "2"])
def test_record_takes_a_key_a_label_or_an_entry_key(cli: Cli, response: str) -> None:
    session_id = new_session(cli)
    assert cli("record", session_id, "1", response).exit_code == 0
    with open_folder(cli.data_dir) as store:
        assert [p.response_key for p in store.postits.of(session_id)] == ["agree"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("nosuchsession", "1", "agree"), "unknown session 'nosuchsession'"),
        (("{session}", "5", "agree"), "statement 5 is out of range"),
        (("{session}", "0", "agree"), "statement 0 is out of range"),
        (("{session}", "one", "agree"), "statement 'one' must be a number"),
        (("{session}", "1", "maybe"), "unknown response 'maybe'"),
        (("{session}", "1", "6"), "unknown response '6'"),
        (("{session}", "1", "agree", "--participant", "Darren"), "never a name"),
    ],
)
def test_record_refuses_bad_input_and_writes_nothing(cli: Cli, args: tuple[str, ...], fragment: str) -> None:
    session_id = new_session(cli)
    assert_refused(cli("record", *(a.format(session=session_id) for a in args)), fragment)
    assert table_count(cli.data_dir, "postits") == 0


def test_a_data_folder_that_is_not_writable_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = Cli(blocker / "data")("session", "list")
    assert_refused(result, "which is a file, not a folder")


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_postits_transcribes_a_wall(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    wall = write_csv(
        tmp_path / "wall.csv",
        "statement,response,comment,participant\n"
        '1,strongly agree,"they should, always",P1\n'
        "1,2,,\n"
        "\n"
        "4,Strongly disagree,they never met my mum,P2\n",
    )
    result = cli("import-postits", session_id, str(wall))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "imported 3 post-its into Adult focus group 1"
    with open_folder(cli.data_dir) as store:
        rows = [
            (p.statement_number, p.response_key, p.comment, p.participant)
            for p in store.postits.of(session_id)
        ]
    assert rows == [
        (1, "strongly_agree", "they should, always", "P1"),
        (1, "agree", "", None),
        (4, "strongly_disagree", "they never met my mum", "P2"),
    ]


def test_import_accepts_an_excel_csv_with_a_bom_and_no_participant_column(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    wall = tmp_path / "excel.csv"
    wall.write_bytes("\ufeffStatement,Response,Comment\r\n3,Not sure,café\r\n".encode())
    assert cli("import-postits", session_id, str(wall)).exit_code == 0
    with open_folder(cli.data_dir) as store:
        assert [(p.response_key, p.comment) for p in store.postits.of(session_id)] == [("neutral", "café")]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (
            "statement,response,comment\n1,agree,ok\n2,agree,ok\n9,agree,bad\n",
            "line 4: statement 9 is out of range",
        ),
        ("statement,response,comment\n1,agree,ok\n\n2,perhaps,bad\n", "line 4: unknown response 'perhaps'"),
        ("statement,response,comment\n1,agree,ok\nx,agree,\n", "line 3: statement 'x' must be a number"),
        ("statement,response,coment\n1,agree,ok\n", "line 1: unknown column 'coment'"),
        ("response,comment\nagree,ok\n", "line 1: missing column 'statement'"),
        ("statement,response,comment\n1,agree,ok,extra\n", "line 2: more cells than columns"),
        ("", "is empty"),
    ],
)
def test_import_is_all_or_nothing_and_names_the_bad_line(
    cli: Cli, tmp_path: Path, content: str, fragment: str
) -> None:
    session_id = new_session(cli)
    wall = write_csv(tmp_path / "wall.csv", content)
    assert_refused(cli("import-postits", session_id, str(wall)), fragment)
    assert table_count(cli.data_dir, "postits") == 0


def test_import_of_an_unreadable_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    assert_refused(cli("import-postits", session_id, str(tmp_path / "missing.csv")), "cannot read")
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert_refused(cli("import-postits", session_id, str(binary)), "not UTF-8")


def test_export_json_has_the_contracted_shape(cli: Cli) -> None:
    session_id = new_session(cli)
    first = cli("record", session_id, "1", "1", "--comment", "listen!", "--participant", "P1").stdout.strip()
    cli("record", session_id, "1", "neutral")
    result = cli("export", session_id, "--format", "json", "--out", "-")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["session"] == {
        "id": session_id,
        "label": "Adult focus group 1",
        "cohort": "adults",
        "setting": "community",
        "location": "Leeds",
        "date": "2010-03-01",
        "consultation": "Does social work care? 2010",
        "participants": 10,
        "male": 8,
        "female": 2,
        "statement_set": DEFAULT_SET,
        "example": False,
    }
    assert data["scale"][0] == {"key": "strongly_agree", "label": "Strongly agree"}
    assert [s["number"] for s in data["statements"]] == [1, 2, 3, 4]
    one = data["statements"][0]
    assert one["text"] == "I expect my social worker to listen to me"
    assert one["counts"] == {
        "strongly_agree": 1,
        "agree": 0,
        "neutral": 1,
        "disagree": 0,
        "strongly_disagree": 0,
    }
    assert one["total"] == 2
    assert set(one["postits"][0]) == {"id", "response", "comment", "participant", "created_at"}
    assert one["postits"][0]["id"] == first and one["postits"][0]["participant"] == "P1"
    assert data["statements"][3]["total"] == 0 and data["statements"][3]["postits"] == []


def test_export_csv_is_tidy_excel_friendly_and_neutralises_formulas(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    for comment in ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain, with comma", "é 👍"]:
        cli("record", session_id, "3", "disagree", "--comment", comment)
    out = tmp_path / "out.csv"
    result = cli("export", session_id, "--format", "csv", "--out", str(out))
    assert result.exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "session_id",
        "session_label",
        "cohort",
        "setting",
        "statement_number",
        "statement",
        "response_key",
        "response_label",
        "comment",
        "participant",
        "created_at",
        "example",
    ]
    assert {r["example"] for r in rows} == {""}
    assert [r["comment"] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain, with comma",
        "é 👍",
    ]
    assert {r["response_label"] for r in rows} == {"Disagree"}
    assert rows[0]["statement"] == "My social worker must put my best interests first"


def test_export_to_a_missing_folder_makes_it(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    result = cli("export", session_id, "--format", "json", "--out", str(tmp_path / "no" / "x.json"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "no" / "x.json").is_file()


def test_export_into_a_folder_that_cannot_be_made_is_one_line_and_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    session_id = new_session(cli)
    (tmp_path / "no").write_text("a file where the folder would go")
    assert_refused(
        cli("export", session_id, "--format", "json", "--out", str(tmp_path / "no" / "x.json")),
        "a file is in the way",
    )
    assert (tmp_path / "no").read_text() == "a file where the folder would go"


HOSTILE = [
    "emoji 👍🏽 and accents: café naïve Łódź",
    "right-to-left: مرحبا بالعالم שלום",
    "x" * 2000,
    "[red]markup[/] [bold]and[/bold]",
    "\x1b[31mred\x1b[0m and \x1b[2J",
    "<script>alert('x')</script>",
    "line one\nline two\ttabbed",
]


def test_hostile_and_unicode_comments_round_trip_byte_for_byte(cli: Cli) -> None:
    session_id = new_session(cli)
    for comment in HOSTILE:
        assert cli("record", session_id, "1", "agree", "--comment", comment).exit_code == 0
    data = json.loads(
        cli("export", session_id, "--format", "json", "--out", "-").stdout_bytes.decode("utf-8")
    )
    assert [p["comment"] for p in data["statements"][0]["postits"]] == HOSTILE


def test_session_close_marks_it_closed(cli: Cli) -> None:
    session_id = new_session(cli)
    assert cli("session", "close", session_id[:8]).stdout.strip() == "closed Adult focus group 1"
    assert json.loads(cli("session", "list", "--json").stdout)[0]["closed"] is True


@pytest.mark.parametrize(
    ("fmt", "name", "said"),
    [
        ("md", "summary.docx", "summary.docx ends in .docx, but the format is md"),
        ("html", "summary.md", "summary.md ends in .md, but the format is html"),
        ("json", "session.csv", "session.csv ends in .csv, but the format is json"),
    ],
)
def test_an_export_under_another_formats_ending_is_refused(
    cli: Cli, tmp_path: Path, fmt: str, name: str, said: str
) -> None:
    session = new_session(cli)

    result = cli("export", session, "--format", fmt, "--out", str(tmp_path / name))

    assert_refused(result, said)
    assert not (tmp_path / name).exists()


def test_every_help_calls_the_first_screen_the_sessions_screen(cli: Cli) -> None:
    def helps(command: click.Command, words: tuple[str, ...]) -> list[tuple[str, str]]:
        found = [(" ".join(words), cli(*words, "--help").output)]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found += helps(sub, (*words, name))
        return found

    every = helps(main, ())
    assert "opens the app on the sessions screen" in every[0][1]
    assert [words for words, text in every if "home screen" in text.lower()] == []
