"""A consultation's codebook to and from other programs: `facilitator themes export|import` (.qdc).

What goes out validates against the standard's codebook schema and comes back the
same; what comes in from elsewhere is hostile until read whole, and a file that is
not a well-formed codebook changes nothing.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from facilitator.core.statements import load_statement_set
from facilitator.discussion import codebook
from facilitator.outputs.refi_qda import read_codebook
from facilitator.outputs.refi_qda.codebook import MAX_BYTES
from facilitator.store import SessionDetails, Store
from tests import five_sessions
from tests.conftest import Cli
from tests.folders import open_folder
from tests.test_cli import assert_refused

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "refi-qda"
NS = {"c": "urn:QDA-XML:codebook:1.0"}
OTHER = "Youth justice survey 2011"
THEMES = ("Social workers do not listen", "Support after release", "Trust")


def themes_table(data_dir: Path) -> list[tuple[object, ...]]:
    """Every row of the themes table, to prove a refused import changed nothing."""
    with open_folder(data_dir) as store:
        return sorted(store.db.execute("SELECT * FROM themes").fetchall(), key=str)


def names_of(data_dir: Path, title: str) -> list[str]:
    """The live themes of a consultation's codebook, as the codebook lists them (by name)."""
    with open_folder(data_dir) as store:
        found = store.consultations.find(title)
        assert found is not None
        return [t.name for t in codebook.themes(store, codebook.Codebook(found.id))]


def other_consultation(store: Store) -> None:
    """A consultation whose one session has never used its codebook: an empty codebook."""
    store.sessions.create(
        load_statement_set(five_sessions.SET_PATH),
        SessionDetails(
            label="Youth group 1",
            cohort="young offenders",
            setting="prison",
            consultation=OTHER,
            location="Somewhere",
            date="2011-02-01",
            facilitators=["AB"],
        ),
    )


@pytest.fixture
def folder(data_dir: Path) -> Path:
    """The five groups with their discussion, and a second consultation with an empty codebook."""
    with open_folder(data_dir) as store:
        five_sessions.add_discussion(store, five_sessions.build(store))
        other_consultation(store)
    return data_dir


def qdc(body: str, root: str = '<CodeBook xmlns="urn:QDA-XML:codebook:1.0">') -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{root}<Codes>{body}</Codes></CodeBook>'.encode()


def code(name: str, guid: str = "5215cc69-b628-4e02-afb9-9beeaee55808") -> str:
    return f'<Code guid="{guid}" name="{name}" isCodable="true"/>'


def test_the_exported_codebook_validates_and_lists_the_themes_ranked(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "themes.qdc"
    result = cli("themes", "export", "--consultation", five_sessions.CONSULTATION, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {out} (3 themes)\n"
    text = out.read_text(encoding="utf-8")
    xmlschema.XMLSchema(FIXTURES / "Codebook-mrt2019.xsd").validate(text)
    top = ET.fromstring(text)
    assert top.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    assert top.get("origin", "").startswith("facilitator ")
    codes = top.findall("c:Codes/c:Code", NS)
    assert [c.get("name") for c in codes] == list(THEMES)
    assert [c.findtext("c:Description", namespaces=NS) for c in codes] == [
        "Rank 1: raised in 5 sessions, 10 notes.",
        "Rank 2: raised in 3 sessions, 4 notes.",
        "Rank 3: raised in 1 session, 1 note.",
    ]
    assert len({c.get("color") for c in codes}) == 3
    again = tmp_path / "again.qdc"
    cli("themes", "export", "--consultation", five_sessions.CONSULTATION, "--out", str(again))
    assert again.read_bytes() == out.read_bytes()


def test_a_codebook_exported_and_imported_into_an_empty_consultation_is_the_same_codebook(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "themes.qdc"
    cli("themes", "export", "--consultation", five_sessions.CONSULTATION, "--out", str(out))
    assert names_of(folder, OTHER) == []
    result = cli("themes", "import", "--consultation", OTHER, str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [*(f"added: {name}" for name in THEMES), "added 3 themes"]
    assert names_of(folder, OTHER) == names_of(folder, five_sessions.CONSULTATION)
    back = tmp_path / "back.qdc"
    cli("themes", "export", "--consultation", OTHER, "--out", str(back))
    assert sorted(read_codebook(back.read_bytes())) == sorted(read_codebook(out.read_bytes()))
    again = cli("themes", "import", "--consultation", OTHER, str(out))
    assert again.stdout == "added 0 themes; 3 were already there\n"


def test_an_import_adds_only_the_new_names_and_leaves_the_others_alone(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    before = {row for row in themes_table(folder) if row[3] in THEMES}
    file = tmp_path / "mixed.qdc"
    file.write_bytes(
        qdc(
            code("trust")
            + code("Housing", "d7aa29da-519b-4946-9b90-253b6db8fd0a")
            + code("  Social   workers do not listen ")
            + code("Family contact", "0dcef2f5-e55c-49da-8c33-9b0803c7aeb4")
        )
    )
    result = cli("themes", "import", "--consultation", five_sessions.CONSULTATION, str(file))
    assert result.stdout.splitlines() == [
        "added: Housing",
        "added: Family contact",
        "added 2 themes; 2 were already there",
    ]
    assert {row for row in themes_table(folder) if row[3] in THEMES} == before
    ranked = cli("themes", "--consultation", five_sessions.CONSULTATION).stdout.splitlines()
    assert ranked[1:] == [
        "1\t5\t10\tSocial workers do not listen",
        "2\t3\t4\tSupport after release",
        "3\t1\t1\tTrust",
        "4\t0\t0\tFamily contact",
        "4\t0\t0\tHousing",
    ]


def test_nested_codes_from_another_program_are_read_flat_parents_first() -> None:
    # As Annex A's first example: code folders (not codable) holding codes, GUIDs in braces.
    data = qdc(
        '<Code guid="{5215cc69-b628-4e02-afb9-9beeaee55808}" name="Topics" isCodable="false">'
        '<Code guid="{d7aa29da-519b-4946-9b90-253b6db8fd0a}" name="Economy" isCodable="true" color="#ffff00">'
        "<Description>Anything about jobs</Description></Code>"
        '<Code guid="{0dcef2f5-e55c-49da-8c33-9b0803c7aeb4}" name="Health care" isCodable="true"/>'
        "</Code>" + code("economy") + code("Values"),
        root='<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti">',
    )
    assert read_codebook(data) == ["Topics", "Economy", "Health care", "Values"]
    project_namespace = qdc(code("Trust"), root='<CodeBook xmlns="urn:QDA-XML:project:1.0">')
    assert read_codebook(project_namespace) == ["Trust"]


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    b'<Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="&lol3;" isCodable="true"/>'
    b"</Codes></CodeBook>"
)
EXTERNAL_DTD = (
    b'<?xml version="1.0"?>\n<!DOCTYPE CodeBook SYSTEM "http://example.org/codebook.dtd">'
    b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    b'<Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="Trust" isCodable="true"/>'
    b"</Codes></CodeBook>"
)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"Theme one, Theme two\n", "it is not an XML file"),
        (b"", "it is not an XML file"),
        (b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>', "root is <Project>"),
        (b"<CodeBook><Codes/></CodeBook>", "no namespace"),
        (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', "no <Codes>"),
        (qdc(""), "holds no codes"),
        (BILLION_LAUGHS, "DTD"),
        (EXTERNAL_DTD, "DTD"),
        (
            qdc(code("Housing") + '<Code guid="d7aa29da-519b-4946-9b90-253b6db8fd0a" isCodable="true"/>'),
            "code 2",
        ),
        (qdc(code("   ")), "has no name"),
        (qdc(code("Housing") + code("Hous\u009bing")), "control character (U+009B)"),
        (qdc(code("\u202eeltit")), "control character (U+202E)"),
        (qdc(code("Hous\x1bing")), "broken at line 2: not well-formed (invalid token)"),
        (qdc(code("x" * 201)), "too long"),
        (qdc(code("Trust") * 1001), "1001 codes"),
        (qdc(code("Trust")) + b" " * MAX_BYTES, "too large"),
        (qdc(code("Trust")).replace(b'"UTF-8"', b'"no-such-encoding"'), "save it as UTF-8"),
        (qdc(code("Trust")).replace(b'"UTF-8"', b'"Shift_JIS"'), "save it as UTF-8"),
        (qdc(code("\u200b\u00ad")), "has no name"),
    ],
    ids=[
        "not-xml",
        "empty",
        "project-root",
        "no-namespace",
        "no-codes",
        "no-code",
        "billion-laughs",
        "external-dtd",
        "code-without-name",
        "blank-name",
        "c1-control",
        "bidi-override",
        "escape",
        "over-long-name",
        "too-many-codes",
        "huge-file",
        "unknown-encoding",
        "multi-byte-encoding",
        "invisible-name",
    ],
)
def test_a_malformed_codebook_changes_nothing_and_exits_2(
    cli: Cli, folder: Path, tmp_path: Path, content: bytes, fragment: str
) -> None:
    file = tmp_path / "bad.qdc"
    file.write_bytes(content)
    before = themes_table(folder)
    for title in (OTHER, five_sessions.CONSULTATION):
        assert_refused(cli("themes", "import", "--consultation", title, str(file)), fragment)
    assert themes_table(folder) == before


def word_document() -> bytes:
    """The parts of a Word document (.docx) that say what it is: a zip, like every Office file."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def excel_workbook() -> bytes:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet("Themes").write(0, 0, "Trust")
    workbook.close()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("word", "is a Word document, not a REFI-QDA codebook (.qdc)"),
        ("excel", "is an Excel workbook, not a REFI-QDA codebook (.qdc)"),
        (
            "zip-cut-short",
            "is a zip file (a Word document or a REFI-QDA project?), not a REFI-QDA codebook (.qdc)",
        ),
        (
            "project",
            "is a REFI-QDA project (.qdpx), not a codebook: "
            "export its codebook from your QDA program as .qdc",
        ),
        ("text", "is not a REFI-QDA codebook (.qdc): it is not an XML file"),
        ("empty", "is not a REFI-QDA codebook (.qdc): it is not an XML file"),
        ("binary", "is not a REFI-QDA codebook (.qdc): it is not an XML file"),
    ],
)
def test_the_wrong_kind_of_file_is_named_in_words_not_in_a_parsers(
    cli: Cli, folder: Path, tmp_path: Path, kind: str, said: str
) -> None:
    file = tmp_path / f"{kind}.qdc"
    if kind == "project":
        project = tmp_path / "five.qdpx"
        assert cli("export", "--format", "qdpx", "--out", str(project)).exit_code == 0
        file = project
    else:
        contents = {
            "word": word_document(),
            "excel": excel_workbook(),
            "zip-cut-short": word_document()[:60],
            "text": b"Trust\nHousing\n",
            "empty": b"",
            "binary": bytes(range(256)) * 4,
        }
        file.write_bytes(contents[kind])
    before = themes_table(folder)
    result = cli("themes", "import", "--consultation", OTHER, str(file))
    assert_refused(result, said)
    assert result.stderr == f"error: {file} {said}\n"
    assert "column" not in result.stderr
    assert themes_table(folder) == before


def test_a_codebook_broken_part_way_names_the_line(cli: Cli, folder: Path, tmp_path: Path) -> None:
    file = tmp_path / "broken.qdc"
    lines = qdc("\n".join(code(f"Theme {n}", f"5215cc69-b628-4e02-afb9-9beeaee558{n:02}") for n in range(10)))
    file.write_bytes(lines.replace(b'Theme 7"', b"Theme 7"))  # a quote left open on line 9
    result = cli("themes", "import", "--consultation", OTHER, str(file))
    assert_refused(result, "the codebook file is broken at line 9: not well-formed (invalid token)")
    assert "column" not in result.stderr
    assert names_of(folder, OTHER) == []


def test_a_codebook_saved_as_utf16_with_its_mark_is_read() -> None:
    text = qdc(code("Trust") + code("Café culture")).decode().replace('"UTF-8"', '"UTF-16"')
    assert read_codebook(text.encode("utf-16")) == ["Trust", "Café culture"]


def test_a_good_name_before_a_bad_one_is_not_added_either(cli: Cli, folder: Path, tmp_path: Path) -> None:
    file = tmp_path / "half.qdc"
    file.write_bytes(qdc(code("Housing") + code("x" * 201)))
    before = themes_table(folder)
    assert_refused(cli("themes", "import", "--consultation", OTHER, str(file)), "code 2")
    assert themes_table(folder) == before and names_of(folder, OTHER) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="pipes in the file system are POSIX")
@pytest.mark.parametrize("kind", ["a-pipe", "a-folder", "a-device"])
def test_a_pipe_a_folder_or_a_device_as_the_file_is_refused_at_once(
    cli: Cli, folder: Path, tmp_path: Path, kind: str, no_hang: None
) -> None:
    file = tmp_path / "codebook.qdc"
    if kind == "a-pipe":  # opening it for reading would wait for a writer for ever
        os.mkfifo(file)
    elif kind == "a-folder":
        file.mkdir()
    else:
        file = Path(os.devnull)
    before = themes_table(folder)
    assert_refused(cli("themes", "import", "--consultation", OTHER, str(file)), "cannot read")
    assert themes_table(folder) == before


def test_a_name_written_with_a_combining_accent_is_the_theme_typed_here(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    typed = tmp_path / "composed.qdc"
    typed.write_bytes(qdc(code("Caf\u00e9 culture")))
    cli("themes", "import", "--consultation", OTHER, str(typed))
    file = tmp_path / "decomposed.qdc"
    file.write_bytes(qdc(code("Cafe\u0301 culture")))
    result = cli("themes", "import", "--consultation", OTHER, str(file))
    assert result.stdout.splitlines() == ["added 0 themes; 1 was already there"]
    assert names_of(folder, OTHER) == ["Caf\u00e9 culture"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("themes", "import", "--consultation", "Nothing", "{file}"), "unknown consultation 'Nothing'"),
        (("themes", "export", "--consultation", "Nothing", "--out", "{out}"), "unknown consultation"),
        (("themes", "export", "--consultation", OTHER, "--out", "{out}"), "no themes yet"),
        (("themes", "export", "--consultation", OTHER, "--out", "-"), "give --out FILE.qdc"),
        (("themes", "import", "--consultation", OTHER, "{missing}"), "cannot read"),
        (("themes", "import", "--consultation", OTHER), "Missing argument"),
    ],
)
def test_bad_arguments_exit_2_and_change_nothing(
    cli: Cli, folder: Path, tmp_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    file = tmp_path / "good.qdc"
    file.write_bytes(qdc(code("Housing")))
    out = tmp_path / "out.qdc"
    paths = {"{file}": str(file), "{out}": str(out), "{missing}": str(tmp_path / "missing.qdc")}
    before = themes_table(folder)
    assert_refused(cli(*(paths.get(a, a) for a in args)), fragment)
    assert themes_table(folder) == before and not out.exists()


def test_themes_still_ranks_a_session_or_a_consultation(cli: Cli, folder: Path) -> None:
    with open_folder(folder) as store:
        first = next(s for s in store.sessions.all() if s.label == "Adult focus group 1")
    lines = cli("themes", first.id, "--used").stdout.splitlines()
    assert lines == [
        "rank\tsessions\tnotes\ttheme",
        "1\t1\t2\tSocial workers do not listen",
        "2\t1\t1\tSupport after release",
    ]
    lines = cli("themes", "--consultation", five_sessions.CONSULTATION, "--used").stdout.splitlines()
    assert lines[1:] == [
        "1\t5\t10\tSocial workers do not listen",
        "2\t3\t4\tSupport after release",
        "3\t1\t1\tTrust",
    ]
    assert cli("themes", "--used", "--consultation", five_sessions.CONSULTATION).stdout.splitlines() == lines


def test_themes_help_lists_the_codebook_commands_and_explains_the_ranking(cli: Cli) -> None:
    result = cli("themes", "--help")
    assert result.exit_code == 0
    assert "facilitator themes SESSION [--used]" in result.stdout
    assert "rank themes by the sessions that raised them" in result.stdout
    commands = result.stdout.split("Commands:")[1].split()
    assert "export" in commands and "import" in commands and "rank" not in commands


def test_themes_help_shows_the_ranking_options_and_the_commands_whole(cli: Cli) -> None:
    help_text = cli("themes", "--help").stdout
    options = help_text.split("Options:")[1].split("Commands:")[0]
    flags = [line.split()[0] for line in options.splitlines() if line.startswith("  --")]
    assert flags[:2] == ["--consultation", "--used"] and "--help" in flags
    assert "--consultation TITLE  Rank over every session of this consultation." in options
    commands = help_text.split("Commands:")[1].splitlines()
    assert "  export  Write a consultation's codebook as a REFI-QDA codebook (.qdc)." in commands
    assert "  import  Add the themes of a REFI-QDA codebook (.qdc) made elsewhere." in commands
    listed = cli("--help").stdout.splitlines()
    themes = next(line for line in listed if line.startswith("  themes "))
    assert themes.split(maxsplit=1)[1] == "Rank the themes, or move a codebook to or from QDA programs."


@pytest.mark.parametrize("args", [(), ("--used",)])
def test_themes_with_nothing_to_rank_says_what_to_give(cli: Cli, folder: Path, args: tuple[str, ...]) -> None:
    result = cli("themes", *args)
    assert_refused(result, "one of them")
    assert result.stderr == (
        "error: give SESSION or --consultation TITLE (one of them), "
        "or 'export' / 'import' (see 'facilitator themes --help')\n"
    )


def test_a_theme_name_the_pseudonym_map_lengthens_still_exports_whole(
    cli: Cli, data_dir: Path, tmp_path: Path
) -> None:
    """Other programs take long code names: the export writes the file, says so, and exits 0."""
    from facilitator.discussion import anonymity
    from facilitator.discussion import notes as discussion
    from facilitator.store.codebook import MAX_THEME

    name = ("Al " * MAX_THEME)[:MAX_THEME].strip()
    with open_folder(data_dir) as store:
        first = five_sessions.build(store)["Adult focus group 1"].id
        anonymity.set_pseudonym(store, first, "Al", "Alexander")
        discussion.add_note(store, first, "Point", themes=[name])
    out = tmp_path / "themes.qdc"
    result = cli("themes", "export", "--consultation", five_sessions.CONSULTATION, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {out} (1 theme)\n"
    codes = ET.fromstring(out.read_bytes()).findall("c:Codes/c:Code", NS)
    assert [c.get("name") for c in codes] == [name.replace("Al", "Alexander")]
