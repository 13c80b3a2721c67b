"""The REFI-QDA project (.qdpx): what NVivo, ATLAS.ti, MAXQDA and QualCoder import.

The five groups of *Does social work care?* with their discussion go out as one
project: it validates against the standard's schema, every note's coded range is
the note, every post-it's comment can be coded by a partner, names are changed, and
the same data always gives the same file.
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
from facilitator.outputs.refi_qda.common import PALETTE, guid
from facilitator.outputs.refi_qda.project import comments_names, place_comments, place_notes
from facilitator.store import NewPostit, Postit, Session, Store
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
# A comment as hard, its accent decomposed (which the pseudonym map composes, shortening the
# text by one), on statement 2 by P2 (on the roster); then one by nobody known.
HARD_COMMENT = "Darren never came 😠\nmy caseworker was nai\u0308ve — 𝒳 nothing"
COMMENTS = " · post-it comments"


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


def discussions(top: ET.Element) -> list[ET.Element]:
    """The sources of the sessions' discussions, without those of their post-its' comments."""
    return [s for s in top.iterfind("q:Sources/q:TextSource", NS) if not s.get("name", "").endswith(COMMENTS)]


def comment_sources(top: ET.Element) -> list[ET.Element]:
    """The sources of the sessions' post-it comments."""
    return [s for s in top.iterfind("q:Sources/q:TextSource", NS) if s.get("name", "").endswith(COMMENTS)]


def commented(store: Store, session: Session) -> list[Postit]:
    """The session's post-its that carry a comment, by statement, then in the order placed."""
    return [p for p in store.postits.of(session.id) if p.comment.strip()]


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


def with_hard_comments(store: Store, session: Session) -> None:
    store.postits.add_many(
        session.id, [NewPostit(2, "agree", HARD_COMMENT, "P2"), NewPostit(2, "agree", "Me too", None)]
    )


def in_order(store: Store) -> list[Session]:
    return store.sessions.all()


def test_the_project_validates_against_the_standards_schema(store: Store, five: dict[str, Session]) -> None:
    data = project_bytes(store, in_order(store))
    members = unzip(data)
    assert sorted(members) == list(members)  # entries sorted
    # The standard's folder name, lower case (section 8.1): zip names are case-sensitive.
    assert [n for n in members if not n.startswith("sources/")] == ["project.qde"]
    # Two texts per session (its discussion, its post-its' comments), and the note of the counts.
    assert len([n for n in members if n.startswith("sources/") and n.endswith(".txt")]) == 11
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
    sources = discussions(project_of(data))
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
    for session, source in zip(sessions, discussions(top), strict=True):
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
    linked = [r.get("targetGUID") for r in case.iterfind("q:SelectionRef", NS)]
    notes = {s.get("guid"): s for s in discussions(top)[0].iterfind("q:PlainTextSelection", NS)}
    said = [notes[g].findtext("q:Description", namespaces=NS) for g in linked if g in notes]
    assert len(said) == 2 and all("speaker P2" in (d or "") for d in said)
    # And the comments P1 wrote on post-its, which the roster knows by the same code.
    case = next(c for c in cases if c.get("name") == "Adult focus group 1 · P1")
    written = [guid("comment", p.id) for p in commented(store, first) if p.participant == "P1"]
    assert len(written) == 4  # one per statement
    assert [r.get("targetGUID") for r in case.iterfind("q:SelectionRef", NS)][-4:] == written


def test_sessions_are_sets_and_the_counts_are_the_projects_note(
    store: Store, five: dict[str, Session]
) -> None:
    sessions = in_order(store)
    data = project_bytes(store, sessions)
    top = project_of(data)
    sets = top.findall("q:Sets/q:Set", NS)
    assert [s.get("name") for s in sets] == [s.label for s in sessions]
    members = [[m.get("targetGUID") for m in s.iterfind("q:MemberSource", NS)] for s in sets]
    sources = zip(discussions(top), comment_sources(top), strict=True)
    assert members == [[said.get("guid"), written.get("guid")] for said, written in sources]
    assert sets[0].findtext("q:Description", namespaces=NS) == (
        "Cohort: adults. Setting: community. Date: 2010-03-01. "
        "10 took part: 7 male, 3 female; 2 are on the speakers' roster."
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
    store.postits.add_many(five["Adult focus group 3"].id, [NewPostit(1, "agree", "Another comment", "P1")])
    later = project_bytes(store, store.sessions.all())
    assert later != first
    assert guids(first) < guids(later)


def test_one_session_is_a_project_of_its_own(store: Store, five: dict[str, Session]) -> None:
    session = five["Young offender focus group 5"]
    data = project_bytes(store, [session])
    top = project_of(data)
    assert top.get("name") == "Young offender focus group 5"
    assert [s.get("name") for s in top.iterfind("q:Sources/q:TextSource", NS)] == [
        "Young offender focus group 5",
        "Young offender focus group 5 · post-it comments",
    ]
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
    assert len(discussions(found["consultation"])) == len(comment_sources(found["consultation"])) == 5
    assert len(discussions(found["all"])) == 5
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
    assert "Adult focus group 1 (Does social work care? 2010, 2010-03-01) · post-it comments" in sources
    assert "Adult focus group 1 (Another 2011, 2011-01-10) · post-it comments" not in sources  # none written


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


def test_each_sessions_post_it_comments_are_a_source_a_partner_can_code(
    store: Store, five: dict[str, Session]
) -> None:
    with_hard_comments(store, five["Adult focus group 1"])
    sessions = in_order(store)
    data = project_bytes(store, sessions)
    top = project_of(data)
    texts = source_texts(data)
    sources = list(top.iterfind("q:Sources/q:TextSource", NS))
    # Each session's comments follow its discussion, named after it.
    assert [s.get("name") for s in sources] == [
        name for s in sessions for name in (s.label, s.label + COMMENTS)
    ]
    own = Anonymiser.per_session(store, [s.id for s in sessions])
    for session, source in zip(sessions, comment_sources(top), strict=True):
        text = texts[source.get("guid", "")]
        postits = commented(store, session)
        selections = source.findall("q:PlainTextSelection", NS)
        assert len(selections) == len(postits) >= 8
        # One paragraph per comment written, by statement, then in the order placed.
        assert text == "\n\n".join(own[session.id](p.comment) for p in postits)
        for postit, selection in zip(postits, selections, strict=True):
            start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
            assert text[start:end] == own[session.id](postit.comment)
            assert selection.get("guid") == guid("comment", postit.id)
            label = session.scale.get(postit.response_key).label
            assert selection.get("name") == f"Statement {postit.statement_number} · {label}"
            statement = session.statement(postit.statement_number).text
            assert f'"{statement}"' in (selection.findtext("q:Description", namespaces=NS) or "")
            assert selection.find("q:Coding", NS) is None  # left for the partner to code
    # A comment by a participant on the roster names their descriptor; one by a code not on it, the code.
    first = comment_sources(top)[0]
    descriptions = [
        s.findtext("q:Description", namespaces=NS) for s in first.iterfind("q:PlainTextSelection", NS)
    ]
    assert (
        'Statement 2: "I expect my social worker to tell me what to do". Category: Agree. '
        "Participant P2 (Female adult)." in descriptions
    )
    assert any(d and d.endswith(" Participant P3.") for d in descriptions)
    assert any(d and "Participant" not in d for d in descriptions)  # "Me too", written by no one known


def test_a_comments_range_counts_code_points_through_emoji_accents_and_line_breaks(
    store: Store, five: dict[str, Session]
) -> None:
    first = five["Adult focus group 1"]
    with_hard_comments(store, first)
    data = project_bytes(store, [first])
    xmlschema.XMLSchema(FIXTURES / "Project-mrt2019.xsd").validate(unzip(data)["project.qde"].decode("utf-8"))
    top = project_of(data)
    source = comment_sources(top)[0]
    text = source_texts(data)[source.get("guid", "")]
    cut = {
        text[int(s.get("startPosition", "")) : int(s.get("endPosition", ""))]
        for s in source.iterfind("q:PlainTextSelection", NS)
    }
    expected = unicodedata.normalize("NFC", HARD_COMMENT.replace("Darren", "Dave"))
    assert expected in cut and "Me too" in cut  # and the comment after the emoji still lands
    hostile = set(five_sessions.HOSTILE) - {five_sessions.HOSTILE[2]}
    assert hostile < cut  # markup, a formula and escapes arrive as written


def test_positions_of_comments_skip_post_its_without_one() -> None:
    postits = [
        Postit("a" * 36, "s", 1, "agree", "👍🏽 Zoë", None, "t", "t", "d"),
        Postit("b" * 36, "s", 1, "agree", "", "P1", "t", "t", "d"),
        Postit("c" * 36, "s", 2, "neutral", "  ", "P2", "t", "t", "d"),
        Postit("d" * 36, "s", 3, "agree", "one\r\ntwo", None, "t", "t", "d"),
    ]
    text, written = place_comments(postits, Anonymiser({}))
    assert [(w.postit.id[0], w.start, w.end) for w in written] == [("a", 0, 6), ("d", 8, 15)]
    assert text == "👍🏽 Zoë\n\none\ntwo"


def test_a_session_without_comments_gets_no_comments_source(store: Store, five: dict[str, Session]) -> None:
    from facilitator.core.statements import load_statement_set
    from facilitator.store import SessionDetails

    quiet = store.sessions.create(
        load_statement_set(five_sessions.SET_PATH),
        SessionDetails(label="Quiet group", cohort="adults", setting="community"),
    )
    store.postits.add_many(quiet.id, [NewPostit(1, "agree", "", "P1"), NewPostit(2, "neutral", "", None)])
    discussion.add_note(store, quiet.id, "Nobody wrote on their post-its.", themes=["Trust"])
    data = project_bytes(store, [quiet, five["Adult focus group 2"]])
    top = project_of(data)
    assert [s.get("name") for s in top.iterfind("q:Sources/q:TextSource", NS)] == [
        "Quiet group",
        "Adult focus group 2",
        "Adult focus group 2" + COMMENTS,
    ]
    quiet_set = next(s for s in top.iterfind("q:Sets/q:Set", NS) if s.get("name") == "Quiet group")
    assert len(quiet_set.findall("q:MemberSource", NS)) == 1
    assert len([n for n in unzip(data) if n.startswith("sources/")]) == 4  # and the counts note


def test_a_comments_source_never_takes_the_name_of_a_session() -> None:
    named = {"a": "Drop-in", "b": "Drop-in · post-it comments"}
    assert comments_names(["a", "b"], named) == {
        "a": "Drop-in · post-it comments (2)",
        "b": "Drop-in · post-it comments · post-it comments",
    }


def test_names_in_comments_are_changed_and_real_names_never_leave(
    store: Store, five: dict[str, Session]
) -> None:
    with_hard_comments(store, five["Adult focus group 1"])
    data = project_bytes(store, in_order(store))
    comments = [source_texts(data)[s.get("guid", "")] for s in comment_sources(project_of(data))]
    assert "Dave never came" in comments[0]
    assert all("Darren" not in text for text in comments)
    assert b"Darren" not in b"".join(unzip(data).values())
