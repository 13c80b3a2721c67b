"""The REFI-QDA project (.qdpx): what NVivo, ATLAS.ti, MAXQDA and QualCoder import.

The five groups of *Does social work care?* with their discussion go out as one
project: it validates against the standard's schema, every note's coded range is
the note, names are changed, and the same data always gives the same file.
"""

from __future__ import annotations

import io
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema

from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.anonymity import Anonymiser
from facilitator.outputs.refi_qda import project_bytes
from facilitator.outputs.refi_qda.common import PALETTE
from facilitator.outputs.refi_qda.project import place_notes
from facilitator.store import Session, Store
from tests import five_sessions
from tests.conftest import Cli
from tests.folders import open_folder

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "refi-qda"
REFERENCE = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "refi-qda"
NS = {"q": "urn:QDA-XML:project:1.0"}
# A quote with accents (one composed, one decomposed), an emoji with a skin tone (two code
# points), a letter outside the Basic Multilingual Plane, a newline, and a real name.
HARD_NOTE = "Darren said: café 👍🏽\nZoe\u0308 is naïve — 𝒳 marks it"
AFTER_HARD_NOTE = "Housing came up again after that."


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def project_of(data: bytes) -> ET.Element:
    return ET.fromstring(unzip(data)["project.qde"])


def source_texts(data: bytes) -> dict[str, str]:
    """Each text source's text, by the source's GUID."""
    members = unzip(data)
    texts = {}
    for source in project_of(data).iterfind("q:Sources/q:TextSource", NS):
        path = source.get("plainTextPath", "")
        assert path.startswith("internal://")
        texts[source.get("guid", "")] = members[f"sources/{path.removeprefix('internal://')}"].decode("utf-8")
    return texts


def counts_note(data: bytes) -> str:
    """The text of the project's note of the statement exercise's counts: a file in sources/."""
    top = project_of(data)
    note = top.find("q:Notes/q:Note", NS)
    assert note is not None and note.find("q:PlainTextContent", NS) is None  # a path or content, not both
    path = note.get("plainTextPath", "")
    assert path.startswith("internal://")
    return unzip(data)[f"sources/{path.removeprefix('internal://')}"].decode("utf-8")


@pytest.fixture
def five(store: Store) -> dict[str, Session]:
    """The five groups with their discussion, and a hard note in Adult focus group 1."""
    sessions = five_sessions.build(store)
    five_sessions.add_discussion(store, sessions)
    first = sessions["Adult focus group 1"].id
    discussion.add_note(store, first, HARD_NOTE, kind="quote", speaker="P2", themes=["Trust"])
    discussion.add_note(store, first, AFTER_HARD_NOTE, themes=["Support after release"])
    return sessions


def in_order(store: Store) -> list[Session]:
    return store.sessions.all()


def test_the_project_validates_against_the_standards_schema(store: Store, five: dict[str, Session]) -> None:
    data = project_bytes(store, in_order(store))
    members = unzip(data)
    assert sorted(members) == list(members)  # entries sorted
    # The standard's folder name, lower case (section 8.1): zip names are case-sensitive.
    assert [n for n in members if not n.startswith("sources/")] == ["project.qde"]
    # One text per session, and the note of the statement exercise's counts.
    assert len([n for n in members if n.startswith("sources/") and n.endswith(".txt")]) == 6
    schema = xmlschema.XMLSchema(FIXTURES / "Project-mrt2019.xsd")
    schema.validate(members["project.qde"].decode("utf-8"))
    top = project_of(data)
    assert top.get("name") == five_sessions.CONSULTATION
    assert top.get("origin", "").startswith("facilitator ")


def test_the_vendored_schema_is_the_standards_schema_unchanged() -> None:
    reference = REFERENCE / "Project-mrt2019.xsd"
    if not reference.exists():
        pytest.skip(f"the reference schema is not beside the repository ({reference})")
    vendored = (FIXTURES / "Project-mrt2019.xsd").read_bytes()
    assert vendored == reference.read_bytes()
    assert b"licensed under the MIT license" in vendored


def test_each_notes_coded_range_cut_from_its_source_is_the_pseudonymised_note(
    store: Store, five: dict[str, Session]
) -> None:
    sessions = in_order(store)
    data = project_bytes(store, sessions)
    texts = source_texts(data)
    sources = project_of(data).findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sources] == [s.label for s in sessions]
    own = Anonymiser.per_session(store, [s.id for s in sessions])
    cut_by_text: dict[str, str] = {}
    for session, source in zip(sessions, sources, strict=True):
        text = texts[source.get("guid", "")]
        selections = source.findall("q:PlainTextSelection", NS)
        notes = discussion.notes(store, session.id)
        assert len(selections) == len(notes) >= 3
        for note, selection in zip(notes, selections, strict=True):
            start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
            cut = text[start:end]
            assert cut == own[session.id](note.text)
            cut_by_text[note.text] = cut
        # One paragraph per note, in the order the notes were taken.
        assert text == "\n\n".join(own[session.id](n.text) for n in discussion.notes(store, session.id))
    expected = unicodedata.normalize("NFC", HARD_NOTE.replace("Darren", "Dave"))
    assert cut_by_text[HARD_NOTE] == expected
    assert cut_by_text[AFTER_HARD_NOTE] == AFTER_HARD_NOTE  # positions after the emoji still land
    assert cut_by_text[five_sessions.FORMULA_NOTE] == five_sessions.FORMULA_NOTE


def test_positions_count_code_points_and_line_breaks_become_newlines() -> None:
    notes = [
        discussion.Note("a" * 36, "s", "👍🏽 Zoë", "note", None, (), "t", "t", "d"),
        discussion.Note("b" * 36, "s", "one\r\ntwo\rthree", "note", None, (), "t", "t", "d"),
    ]
    text, placed = place_notes(notes, Anonymiser({}))
    assert [(p.start, p.end) for p in placed] == [(0, 6), (8, 21)]
    assert text[8:21] == "one\ntwo\nthree"


def test_a_source_never_starts_with_what_a_program_takes_for_a_byte_order_mark() -> None:
    """Programs that read a UTF-8 file drop a U+FEFF at its start: the positions after it
    would all be one off. The source leaves the invisible character out."""
    notes = [
        discussion.Note("a" * 36, "s", "\ufeffPasted from a file", "note", None, (), "t", "t", "d"),
        discussion.Note("b" * 36, "s", "Then\ufeff this", "note", None, (), "t", "t", "d"),
    ]
    text, placed = place_notes(notes, Anonymiser({}))
    assert not text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert [text[p.start : p.end] for p in placed] == ["Pasted from a file", "Then this"]


def test_each_note_is_coded_with_its_themes_and_the_codes_are_ranked(
    store: Store, five: dict[str, Session]
) -> None:
    sessions = in_order(store)
    top = project_of(project_bytes(store, sessions))
    codes = top.findall("q:CodeBook/q:Codes/q:Code", NS)
    ranked = codebook.rank_across(store, [s.id for s in sessions])
    assert [c.get("name") for c in codes[: len(ranked)]] == [r.name for r in ranked]
    assert [c.get("name") for c in codes[:3]] == [
        "Social workers do not listen",
        "Support after release",
        "Trust",
    ]
    assert [c.get("guid") for c in codes[:3]] == [r.theme.id for r in ranked[:3]]
    assert [c.get("color") for c in codes] == [PALETTE[i % len(PALETTE)] for i in range(len(codes))]
    assert {c.get("isCodable") for c in codes} == {"true"}
    assert codes[0].findtext("q:Description", namespaces=NS) == "Rank 1: raised in 5 sessions, 10 notes."
    name_of = {c.get("guid"): c.get("name") for c in codes}
    for session, source in zip(sessions, top.findall("q:Sources/q:TextSource", NS), strict=True):
        notes = discussion.notes(store, session.id)
        for note, selection in zip(notes, source.findall("q:PlainTextSelection", NS), strict=True):
            coded = [name_of[r.get("targetGUID")] for r in selection.iterfind("q:Coding/q:CodeRef", NS)]
            assert sorted(coded) == sorted(note.theme_names)
    hard = next(
        s for s in top.iter(f"{{{NS['q']}}}PlainTextSelection") if s.get("name") == "Quote · Female adult"
    )
    assert hard.findtext("q:Description", namespaces=NS) == "Quote; speaker P2 (Female adult)."


def test_participants_are_cases_with_descriptors_and_their_notes_never_interview_flags(
    store: Store, five: dict[str, Session]
) -> None:
    first = five["Adult focus group 1"]
    roster.edit_participant(store, first.id, "P1", consent=True, wants_interview=True)
    sessions = in_order(store)
    data = project_bytes(store, sessions)
    top = project_of(data)
    variables = {v.get("guid"): v.get("name") for v in top.iterfind("q:Variables/q:Variable", NS)}
    assert sorted(variables.values()) == ["Age band", "Cohort", "Gender", "Session"]
    assert {v.get("typeOfVariable") for v in top.iterfind("q:Variables/q:Variable", NS)} == {"Text"}
    cases = top.findall("q:Cases/q:Case", NS)
    assert len(cases) == 10
    case = next(c for c in cases if c.get("name") == "Adult focus group 1 · P2")
    values = {
        variables[v.find("q:VariableRef", NS).get("targetGUID")]: v.findtext("q:TextValue", namespaces=NS)  # type: ignore[union-attr]
        for v in case.iterfind("q:VariableValue", NS)
    }
    assert values == {
        "Gender": "Female",
        "Cohort": "adults",
        "Age band": "25+",
        "Session": "Adult focus group 1",
    }
    spoken = {r.get("targetGUID") for r in case.iterfind("q:SelectionRef", NS)}
    selections = {s.get("guid"): s for s in top.iter(f"{{{NS['q']}}}PlainTextSelection")}
    said = [selections[g].findtext("q:Description", namespaces=NS) for g in spoken]
    assert len(said) == 2 and all("speaker P2" in d for d in said if d)
    qde = unzip(data)["project.qde"].decode("utf-8").casefold()
    assert "interview" not in qde and "consent" not in qde


def test_sessions_are_sets_and_the_counts_are_the_projects_note(
    store: Store, five: dict[str, Session]
) -> None:
    sessions = in_order(store)
    data = project_bytes(store, sessions)
    top = project_of(data)
    sets = top.findall("q:Sets/q:Set", NS)
    sources = top.findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sets] == [s.label for s in sessions]
    assert [s.find("q:MemberSource", NS).get("targetGUID") for s in sets] == [s.get("guid") for s in sources]  # type: ignore[union-attr]
    assert sets[0].findtext("q:Description", namespaces=NS) == (
        "Cohort: adults. Setting: community. Date: 2010-03-01. 2 took part: 1 male, 1 female."
    )
    note = top.find("q:Notes/q:Note", NS)
    assert note is not None and top.find("q:NoteRef", NS).get("targetGUID") == note.get("guid")  # type: ignore[union-attr]
    text = counts_note(data)
    labels = [p.label for p in five_sessions.PLANS]
    for number in range(1, 5):
        counts = five_sessions.expected_counts(labels, number)
        n = sum(counts.values())
        block = text.split(f"Statement {number}: ")[1].split("\nStatement ")[0]
        everyone = next(
            line for line in block.splitlines() if line.startswith(f"  {five_sessions.CONSULTATION} ")
        )
        assert f"(n = {n})" in everyone
        for key, label in zip(
            five_sessions.KEYS, ["Strongly agree", "Agree", "Not sure", "Disagree"], strict=False
        ):
            assert f"{label} {counts[key]} ({round(100 * counts[key] / n)}%)" in everyone
    only_first = five_sessions.expected_counts(["Adult focus group 1"], 1)
    first_line = text.split("Statement 1: ")[1].splitlines()[1]
    assert first_line.startswith("  Adult focus group 1 (n = 10): ")
    assert f"Agree {only_first['agree']} (" in first_line


def test_names_are_changed_everywhere_and_the_map_never_leaves(
    store: Store, five: dict[str, Session]
) -> None:
    data = project_bytes(store, in_order(store))
    members = unzip(data)
    assert all(b"Darren" not in content for content in members.values())
    assert b"Darren" not in data
    assert any(
        "Dave" in content.decode("utf-8") for name, content in members.items() if name.startswith("sources/")
    )


def test_the_same_data_gives_the_same_bytes_and_new_data_keeps_the_guids(
    store: Store, five: dict[str, Session]
) -> None:
    sessions = in_order(store)
    first = project_bytes(store, sessions)
    assert project_bytes(store, sessions) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}

    def guids(data: bytes) -> set[str]:
        return {e.get("guid", "") for e in project_of(data).iter() if e.get("guid")}

    discussion.add_note(store, five["Adult focus group 3"].id, "Another point", themes=["Trust"])
    later = project_bytes(store, store.sessions.all())
    assert later != first
    assert guids(first) < guids(later)


def test_one_session_is_a_project_of_its_own(store: Store, five: dict[str, Session]) -> None:
    session = five["Young offender focus group 5"]
    data = project_bytes(store, [session])
    top = project_of(data)
    assert top.get("name") == "Young offender focus group 5"
    assert len(top.findall("q:Sources/q:TextSource", NS)) == 1
    xmlschema.XMLSchema(FIXTURES / "Project-mrt2019.xsd").validate(unzip(data)["project.qde"].decode("utf-8"))


def test_export_qdpx_from_the_command_line(cli: Cli, data_dir: Path, tmp_path: Path) -> None:
    with open_folder(data_dir) as store:
        sessions = five_sessions.build(store)
        five_sessions.add_discussion(store, sessions)
        first = sessions["Adult focus group 1"].id
    schema = xmlschema.XMLSchema(FIXTURES / "Project-mrt2019.xsd")
    runs = {
        "consultation": ("--consultation", five_sessions.CONSULTATION),
        "session": (first,),
        "all": (),
    }
    found = {}
    for name, args in runs.items():
        out = tmp_path / f"{name}.qdpx"
        result = cli("export", *args, "--format", "qdpx", "--out", str(out))
        assert result.exit_code == 0, result.stderr
        assert f"wrote {out} (" in result.stderr
        members = unzip(out.read_bytes())
        schema.validate(members["project.qde"].decode("utf-8"))
        assert all(b"Darren" not in content for content in members.values())
        found[name] = ET.fromstring(members["project.qde"])
    assert len(found["consultation"].findall("q:Sources/q:TextSource", NS)) == 5
    assert len(found["all"].findall("q:Sources/q:TextSource", NS)) == 5
    assert found["session"].get("name") == "Adult focus group 1"
    assert (tmp_path / "consultation.qdpx").read_bytes() == (tmp_path / "all.qdpx").read_bytes()


def test_the_counts_follow_the_reports_chart_groups_with_a_saved_pool(
    store: Store, five: dict[str, Session]
) -> None:
    from facilitator.exercise.pools import save_pool

    save_pool(store, five_sessions.POOLED, [five["Adult focus group 2"].id, five["Adult focus group 3"].id])
    text = counts_note(project_bytes(store, in_order(store)))
    groups = [line.split(" (n = ")[0].strip() for line in text.split("Statement 1: ")[1].splitlines()[1:9]]
    assert groups == [
        "Adult focus group 1",
        five_sessions.POOLED,
        "Young offender focus group 4",
        "Young offender focus group 5",
        "adults",
        "young offenders",
        five_sessions.CONSULTATION,
        "",
    ]
    pooled = five_sessions.expected_counts(["Adult focus group 2", "Adult focus group 3"], 1)
    line = next(x for x in text.splitlines() if x.startswith(f"  {five_sessions.POOLED} (n = 22): "))
    assert f"Strongly disagree {pooled['strongly_disagree']} (" in line


def test_every_session_with_other_statements_and_hostile_text_still_makes_a_valid_project(
    store: Store, five: dict[str, Session]
) -> None:
    from facilitator.core.statements import load_statement_set
    from facilitator.store import NewPostit, SessionDetails

    base = load_statement_set(five_sessions.SET_PATH)
    other_set = type(base)(base.id + "-short", "Short set", base.scale, base.statements[:2])
    loose = store.sessions.create(
        other_set, SessionDetails(label="Drop-in", cohort="adults", setting="community")
    )
    store.postits.add_many(loose.id, [NewPostit(1, "agree", "", None), NewPostit(2, "neutral", "", None)])
    hostile = "\x1b[31mred\x1b[0m <b>bold</b> & ]]> \u202eevil"
    discussion.add_note(store, loose.id, hostile, themes=["Bell\x07 theme", "<Trust & care>"])
    data = project_bytes(store, store.sessions.all())
    members = unzip(data)
    xmlschema.XMLSchema(FIXTURES / "Project-mrt2019.xsd").validate(members["project.qde"].decode("utf-8"))
    top = project_of(data)
    assert top.get("name") == "All sessions"
    names = [c.get("name") for c in top.iterfind("q:CodeBook/q:Codes/q:Code", NS)]
    assert "Bell\ufffd theme" in names and "<Trust & care>" in names  # ESC and BEL cannot be XML
    texts = source_texts(data)
    source = next(s for s in top.iterfind("q:Sources/q:TextSource", NS) if s.get("name") == "Drop-in")
    selection = source.find("q:PlainTextSelection", NS)
    assert selection is not None
    start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
    assert texts[source.get("guid", "")][start:end] == hostile  # the source keeps the note as written
    text = counts_note(data)
    assert "Statements of Short set:" in text and "  Drop-in (n = 1): " in text
    assert f"  All sessions of {base.title} (n = 46): " in text


def test_sessions_of_two_consultations_with_one_label_get_names_of_their_own(
    store: Store, five: dict[str, Session]
) -> None:
    """QualCoder keeps one case of a name (and NVivo one source of a name in a folder), so
    every session exported needs its own name, even when two consultations reuse a label."""
    from facilitator.core.statements import load_statement_set
    from facilitator.store import SessionDetails

    details = SessionDetails(
        label="Adult focus group 1",
        cohort="adults",
        setting="prison",
        consultation="Another 2011",
        date="2011-01-10",
    )
    other = store.sessions.create(load_statement_set(five_sessions.SET_PATH), details)
    roster.add_participant(store, other.id, "P1", "male")
    discussion.add_note(store, other.id, "Housing again.", speaker="P1", themes=["Trust"])
    data = project_bytes(store, store.sessions.all())
    xmlschema.XMLSchema(FIXTURES / "Project-mrt2019.xsd").validate(unzip(data)["project.qde"].decode("utf-8"))
    top = project_of(data)
    for path in ("q:Sources/q:TextSource", "q:Sets/q:Set", "q:Cases/q:Case"):
        names = [e.get("name", "") for e in top.iterfind(path, NS)]
        assert len({n.casefold() for n in names}) == len(names), path
    sources = [s.get("name") for s in top.iterfind("q:Sources/q:TextSource", NS)]
    assert "Adult focus group 1 (Does social work care? 2010, 2010-03-01)" in sources
    assert "Adult focus group 1 (Another 2011, 2011-01-10)" in sources
    assert "Adult focus group 2" in sources  # a label no other session has stays as it is


def test_the_consultations_title_is_changed_once_in_the_counts_as_in_the_projects_name(store: Store) -> None:
    """One session changes Darren to Dave, another a real Dave to Dan: the title "Darren's
    review" reads "Dave's review" everywhere, not "Dan's review" where it was changed twice."""
    from facilitator.core.statements import load_statement_set
    from facilitator.discussion import anonymity
    from facilitator.store import NewPostit, SessionDetails

    statements = load_statement_set(five_sessions.SET_PATH)
    made = []
    for number, (real, changed) in enumerate([("Darren", "Dave"), ("Dave", "Dan")], start=1):
        details = SessionDetails(
            label=f"Group {number}", cohort="adults", setting="prison", consultation="Darren's review"
        )
        session = store.sessions.create(statements, details)
        store.postits.add_many(session.id, [NewPostit(1, "agree", "", None)])
        anonymity.set_pseudonym(store, session.id, real, changed)
        made.append(session)
    data = project_bytes(store, made)
    top = project_of(data)
    assert top.get("name") == "Dave's review"
    text = counts_note(data)
    assert "  Dave's review (n = 2): " in text
    assert "Dan's review" not in text
