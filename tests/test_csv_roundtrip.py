"""A session's post-its survive `export --format csv` and `import-postits` of that file, unchanged.

The file the export writes is imported as it is: no column renamed or deleted.
Every post-it comes back exactly, as the same statement, response key, comment
and participant code, whatever the comment holds (commas, quotes, line breaks,
CR, CRLF, tabs, emoji, right-to-left text, a BOM, up to the store's 10,000
characters, or nothing). NUL is not among them: the store refuses it, as it does
in a bundle's rows. The post-its come back as new post-its of the session
they are imported into: new ids, new stamps, this device's.

How a cell crosses a spreadsheet, precisely (`export.neutralise_cell` and
`export.restore_cell`):

- The export puts one apostrophe in front of a cell that starts with `=`, `+`,
  `-`, `@`, a tab, a carriage return or an apostrophe, so that a spreadsheet
  shows it as text: `=x` is written `'=x`, `'=x` is written `''=x`, and `'tis`
  is written `''tis`.
- The import takes one leading apostrophe off a cell when one of those
  characters follows it, and leaves every other cell as it is. The rule is the
  same for a file typed by hand: `'quoted'` keeps its apostrophe, while `'=x`
  becomes `=x` and `''tis` becomes `'tis`.
- The store's limit of 10,000 characters applies to the comment as restored.
"""

from __future__ import annotations

import csv
import io
import string
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from facilitator.core.paths import builtin_statement_dirs
from facilitator.core.statements import load_catalogue
from facilitator.outputs import export
from facilitator.store import MAX_COMMENT, PARTICIPANT_CODE, Postit
from tests.conftest import DEFAULT_SET, Cli
from tests.folders import open_folder

STATEMENT_SET = load_catalogue(builtin_statement_dirs()).get(DEFAULT_SET)
RESPONSE_KEYS = STATEMENT_SET.scale.keys
# What a spreadsheet would run as a formula, and the apostrophe that marks one.
MARKED_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")

Row = tuple[int, str, str, str | None]

# Characters that test the CSV quoting and the spreadsheet neutralisation most,
# drawn as often as the whole of Unicode.
TRICKY = [
    *",\"'\n\r\t =+-@;|\\",
    "\r\n",
    "''",
    "😀",
    "👩🏽‍⚕️",
    "שלום",
    "مرحبا",
    "\u200f",
    "\u202e",
    "\ufeff",
    "é",
    "e\u0301",
]
stored_characters = st.characters(codec="utf-8", exclude_characters="\x00")
comment_text = st.lists(st.one_of(stored_characters, st.sampled_from(TRICKY)), max_size=40).map("".join)
comments = st.one_of(
    st.just(""),
    comment_text,
    st.tuples(
        st.sampled_from([*MARKED_STARTS, "'=", "''-", "'''", "'x", " =", "\ufeff=", "\ufeff'="]), comment_text
    ).map("".join),
    # At the store's limit, or one short of it, often starting as a formula would.
    st.tuples(
        st.sampled_from(["", *MARKED_STARTS, "'=", "''"]),
        st.text(stored_characters, min_size=1, max_size=8),
        st.sampled_from([MAX_COMMENT, MAX_COMMENT - 1]),
    ).map(lambda parts: (parts[0] + parts[1] * MAX_COMMENT)[: parts[2]]),
)
code_characters = string.ascii_letters + string.digits + "_-"
participants = st.one_of(
    st.none(),
    st.sampled_from(["P1", "p12", "-A1", "-1", "_9", "P1-2"]),
    st.tuples(st.text(code_characters, max_size=11), st.sampled_from(string.digits), st.integers(0, 11))
    .map(lambda parts: parts[0][: parts[2]] + parts[1] + parts[0][parts[2] :])
    .filter(lambda code: PARTICIPANT_CODE.match(code) is not None),
)
postits = st.lists(
    st.tuples(
        st.integers(1, len(STATEMENT_SET.statements)),
        st.sampled_from(RESPONSE_KEYS),
        comments,
        participants,
    ),
    max_size=25,
)


def new_session(cli: Cli, label: str) -> str:
    result = cli(
        "session", "new", "--set", DEFAULT_SET, "--label", label, "--cohort", "adults", "--setting", "prison"
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def postits_of(data_dir: Path, session_id: str) -> list[Postit]:
    with open_folder(data_dir) as store:
        return store.postits.of(session_id)


def recorded(data_dir: Path, session_id: str) -> Counter[Row]:
    return Counter(
        (p.statement_number, p.response_key, p.comment, p.participant)
        for p in postits_of(data_dir, session_id)
    )


def postit_count(data_dir: Path) -> int:
    with open_folder(data_dir) as store:
        return int(store.db.execute("SELECT COUNT(*) FROM postits").fetchone()[0])


def export_csv(cli: Cli, session_id: str, out: Path) -> Path:
    result = cli("export", session_id, "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def exported_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def assert_refused(result: object, fragment: str) -> None:
    """Exit code 2, one line on stderr naming the problem, nothing on stdout."""
    assert result.exit_code == 2  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]
    assert result.stdout == ""  # type: ignore[attr-defined]


@settings(max_examples=40, deadline=None)
@given(postits)
@example([])
@example(
    [
        (1, "strongly_agree", '=HYPERLINK("http://x","click")', "-A1"),
        (1, "strongly_agree", '\'=HYPERLINK("http://x","click")', "-1"),
        (2, "neutral", 'they said "no", then\r\nleft\ttwice\r', "P1"),
        (2, "neutral", "\tindented\x7f", None),
        (3, "disagree", "", None),
        (3, "disagree", "", None),
        (4, "agree", "'=already quoted", "p2"),
        (4, "agree", "''=twice quoted", "p2"),
        (4, "agree", "'tis true", None),
        (4, "agree", "'", None),
        (4, "agree", "\ufeff=BOM first", None),
        (4, "agree", "שלום, مرحبا 👋🏽", None),
    ]
)
@example(
    [
        (1, "agree", "=" + "x" * (MAX_COMMENT - 1), "P-9"),
        (2, "agree", "-" + "x" * (MAX_COMMENT - 2), None),
        (3, "agree", "'=" + "x" * (MAX_COMMENT - 2), None),
        (4, "agree", "'" + "x" * (MAX_COMMENT - 1), None),
    ]
)
def test_export_csv_then_import_postits_of_the_file_brings_back_every_postit(rows: list[Row]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        office, laptop = Cli(root / "office"), Cli(root / "laptop")
        source = new_session(laptop, "Adult focus group 1")
        with open_folder(laptop.data_dir) as store:
            for number, key, comment, participant in rows:
                store.postits.add(source, number, key, comment, participant)
        assert recorded(laptop.data_dir, source) == Counter(rows)

        wall = export_csv(laptop, source, root / "wall.csv")
        target = new_session(office, "Adult focus group 1")
        imported = office("import-postits", target, str(wall))
        assert imported.exit_code == 0, imported.stderr
        assert imported.stdout == f"imported {len(rows)} post-its into Adult focus group 1\n"

        assert recorded(office.data_dir, target) == Counter(rows)
        # New post-its of the office's session: no id or stamp is copied from the file.
        sources = postits_of(laptop.data_dir, source)
        copies = postits_of(office.data_dir, target)
        assert {p.id for p in copies}.isdisjoint(p.id for p in sources)
        assert {p.device_id for p in copies}.isdisjoint(p.device_id for p in sources)
        assert all(p.session_id == target for p in copies)


@settings(max_examples=200, deadline=None)
@given(st.one_of(comments, st.text()))
def test_restore_cell_undoes_neutralise_cell(text: str) -> None:
    cell = export.neutralise_cell(text)
    assert export.restore_cell(cell) == text
    assert cell == text or cell == "'" + text


def test_a_formula_and_the_same_text_with_an_apostrophe_are_written_apart_and_come_back_apart(
    cli: Cli, tmp_path: Path
) -> None:
    session_id = new_session(cli, "Adult focus group 1")
    comments = ["=SUM(A1)", "'=SUM(A1)", "''=SUM(A1)", "'tis", "'quoted'", "plain"]
    for comment in comments:
        assert cli("record", session_id, "1", "agree", "--comment", comment).exit_code == 0
    wall = export_csv(cli, session_id, tmp_path / "wall.csv")
    assert [row["comment"] for row in exported_rows(wall)] == [
        "'=SUM(A1)",
        "''=SUM(A1)",
        "'''=SUM(A1)",
        "''tis",
        "''quoted'",
        "plain",
    ]
    copy = new_session(cli, "Adult focus group 2")
    assert cli("import-postits", copy, str(wall)).exit_code == 0
    assert [p.comment for p in postits_of(cli.data_dir, copy)] == comments


def test_an_export_of_another_session_copies_its_wall_as_new_postits(cli: Cli, tmp_path: Path) -> None:
    source = new_session(cli, "Adult focus group 1")
    for statement, response, comment, participant in [
        ("1", "agree", "-they never came", "-P1"),
        ("3", "strongly_disagree", "@ the office", "P2"),
    ]:
        result = cli(
            "record", source, statement, response, "--comment", comment, "--participant", participant
        )
        assert result.exit_code == 0, result.stderr
    wall = export_csv(cli, source, tmp_path / "wall.csv")
    target = new_session(cli, "Adult focus group 2")

    result = cli("import-postits", target, str(wall))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "imported 2 post-its into Adult focus group 2\n"
    assert result.stderr == ""  # another session's post-its are not repeats of this one's
    assert recorded(cli.data_dir, target) == recorded(cli.data_dir, source)
    originals, copies = postits_of(cli.data_dir, source), postits_of(cli.data_dir, target)
    assert len(originals) == 2 and {p.session_id for p in copies} == {target}
    assert {p.id for p in copies}.isdisjoint(p.id for p in originals)
    assert {p.created_at for p in copies}.isdisjoint(p.created_at for p in originals)


def test_importing_a_sessions_own_export_warns_of_the_repeats(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli, "Adult focus group 1")
    assert cli("record", session_id, "2", "agree", "--comment", "=same again").exit_code == 0
    wall = export_csv(cli, session_id, tmp_path / "wall.csv")
    result = cli("import-postits", session_id, str(wall))
    assert result.exit_code == 0, result.stderr
    assert "1 of these 1 post-its match ones already recorded" in result.stderr
    assert [p.comment for p in postits_of(cli.data_dir, session_id)] == ["=same again", "=same again"]


def test_a_handmade_transcription_loses_an_apostrophe_only_before_a_formula_or_another_apostrophe(
    cli: Cli, tmp_path: Path
) -> None:
    session_id = new_session(cli, "Adult focus group 1")
    wall = tmp_path / "wall.csv"
    wall.write_text(
        "statement,response,comment,participant\n"
        "1,agree,'quoted',P1\n"
        "1,agree,'tis true,'P2\n"
        "1,agree,'=SUM(A1),'-P3\n"
        "1,agree,''tis,\n"
        "1,agree,' =spaced,\n"
        "1,agree,',\n"
        "1,'-1,\"'\t\",\n",
        encoding="utf-8",
    )
    result = cli("import-postits", session_id, str(wall))
    assert result.exit_code == 2, result.stdout  # a code never holds an apostrophe: 'P2 is refused
    assert 'line 3: participant "\'P2" must be a code' in result.stderr
    assert postit_count(cli.data_dir) == 0

    wall.write_text(wall.read_text(encoding="utf-8").replace(",'P2", ",P2"), encoding="utf-8")
    result = cli("import-postits", session_id, str(wall))
    assert result.exit_code == 2, result.stdout  # '-1 is the response -1, which is not on the scale
    assert "line 8: unknown response '-1'" in result.stderr

    wall.write_text(wall.read_text(encoding="utf-8").replace(",'-1,", ",2,"), encoding="utf-8")
    result = cli("import-postits", session_id, str(wall))
    assert result.exit_code == 0, result.stderr
    assert [(p.comment, p.participant) for p in postits_of(cli.data_dir, session_id)] == [
        ("'quoted'", "P1"),
        ("'tis true", "P2"),
        ("=SUM(A1)", "-P3"),
        ("'tis", None),
        ("' =spaced", None),
        ("'", None),
        ("\t", None),
    ]


def test_a_comment_of_the_largest_size_starting_as_a_formula_comes_back(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli, "Adult focus group 1")
    longest = "=" + "x" * (MAX_COMMENT - 1)
    with open_folder(cli.data_dir) as store:
        store.postits.add(session_id, 1, "agree", longest)
        store.postits.add(session_id, 1, "agree", "'" + longest[1:])
    wall = export_csv(cli, session_id, tmp_path / "wall.csv")
    assert [len(row["comment"]) for row in exported_rows(wall)] == [MAX_COMMENT + 1, MAX_COMMENT + 1]
    copy = new_session(cli, "Adult focus group 2")
    assert cli("import-postits", copy, str(wall)).exit_code == 0
    assert [p.comment for p in postits_of(cli.data_dir, copy)] == [longest, "'" + longest[1:]]

    # The limit applies to the comment as restored: one character more is refused.
    wall.write_text("statement,response,comment\n1,agree,'=" + "x" * MAX_COMMENT + "\n", encoding="utf-8")
    assert_refused(cli("import-postits", copy, str(wall)), "line 2: comment is too long (10001 characters")


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        # An export's header with one column more.
        (",".join([*export.CSV_COLUMNS, "notes"]), "line 1: unknown column 'notes'"),
        # A transcription's header with one of the export's other columns.
        ("statement,response,comment,session_label", "line 1: unknown column 'session_label'"),
        # Export and transcription names mixed.
        ("statement_number,response,comment", "line 1: unknown column 'response'"),
        ("statement,response_key,comment", "line 1: missing column 'statement_number'"),
        ("session_id,statement_number,comment", "line 1: missing column 'response_key'"),
        ("statement,response,comment,comment", "line 1: column 'comment' appears twice"),
        # The notes table is not post-its.
        (",".join(export.NOTE_CSV_COLUMNS), "line 1: unknown column 'session_id'"),
    ],
)
def test_an_unknown_column_is_refused_in_one_line_and_nothing_is_imported(
    cli: Cli, tmp_path: Path, header: str, fragment: str
) -> None:
    session_id = new_session(cli, "Adult focus group 1")
    wall = tmp_path / "wall.csv"
    cells = len(header.split(","))
    wall.write_text(f"{header}\n" + ",".join(["1", "agree", *[""] * (cells - 2)]) + "\n", encoding="utf-8")
    result = cli("import-postits", session_id, str(wall))
    assert_refused(result, fragment)
    assert "or those of 'facilitator export --format csv'" in result.stderr
    assert postit_count(cli.data_dir) == 0
