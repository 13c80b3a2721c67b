"""A REFI-QDA project (.qdpx) of some sessions, for NVivo, ATLAS.ti, MAXQDA and QualCoder.

The zip holds `project.qde` (QDA-XML in the project namespace) and the plain-text
sources, `sources/<guid>.txt`: the standard names the folder "sources"
(section 8.1), and zip names are case-sensitive, so an importer that looks for
"sources" (as MAXQDA writes it) finds it; those that accept "Sources" take it too.

- Codes: the themes ranked over the sessions, as the report ranks them (sessions
  that raised each, then notes), then the themes no note raised, by name.
- Sources: a session's discussion, one paragraph per note in the order taken, each
  note a PlainTextSelection coded with its themes. Positions count Unicode code
  points from 0, the end one past the note's last character (as the standard's
  examples count), so that `text[start:end]` is the note.
- Post-it comments: a second source per session that has any, "<session> · post-it
  comments", one paragraph per comment written (by statement, then in the order
  placed), each a selection named by its statement and category ("Statement 2 ·
  Agree"), its description giving the statement and who wrote it. Left uncoded: the
  themes are the discussion's, and a partner codes the comments themselves.
- Cases: one per participant on a session's roster, with the variables Gender,
  Cohort, Age band and Session, and the selections of the notes they spoke and the
  comments they wrote. Never who consented or asked for an interview.
- Sets: one per session, holding its sources, its description giving the cohort,
  setting, date and who took part. A session's sources, set and cases are named by
  its label; when two exported sessions share one (sessions of two consultations),
  the consultation and date tell them apart, since programs such as QualCoder keep
  one of each name only. The standard's sets hold codes, sources and
  notes but not cases, so a case finds its session through its Session variable.
- The project's note: the statement exercise's counts (`counts`), as a text file
  beside the sources (`sources/<guid>.txt`), which QDA programs keep as a memo.

Every session's text (notes and comments) passes through its own pseudonym map, then those of the other
sessions of its consultation, and what sessions share (theme names, the
consultation's title, pooled labels) through all those maps at once, as a bundle to
the office does (`findings.consultation_maps`); the map itself is never written. Nor are users:
the schema does not need them, and a device's id would only point at a laptop.
Stamps come from the data, never the clock (the project's creation is the first
session's), so the same data gives the same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitator.core.errors import FacilitatorError
from facilitator.core.example import EXAMPLE_LINE, EXAMPLE_MARK
from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.anonymity import Anonymiser
from facilitator.exercise.charts import ALL_SESSIONS
from facilitator.outputs.findings import (
    consultation_maps,
    headcount,
    participants_sentence,
    speaker_descriptor,
    theme_key,
)
from facilitator.outputs.refi_qda.common import (
    ORIGIN,
    PROJECT_NAMESPACE,
    add,
    colour,
    document,
    guid,
    rank_description,
    root,
    zip_bytes,
)
from facilitator.outputs.refi_qda.counts import counts_text
from facilitator.store import Postit, Session, Store

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

NS = PROJECT_NAMESPACE
# The folder of the sources inside the zip, as the standard spells it.
SOURCES_FOLDER = "sources"
# Between two notes in a session's text: an empty line, so each note is a paragraph.
SEPARATOR = "\n\n"
GENDER_VALUES = {"male": "Male", "female": "Female", "other": "Other", "not_given": "Not given"}
VARIABLES = {
    "Gender": "Male, Female, Other or Not given.",
    "Cohort": "The participant's cohort, e.g. adults or young offenders.",
    "Age band": "A range such as 18-21 or 25+, when it was recorded.",
    "Session": "The focus group the participant took part in.",
}
KIND_LABELS = discussion.KIND_LABELS
COUNTS_NOTE = "Statement exercise counts"
# What a session's second source, its post-its' comments, adds to the session's name.
COMMENTS = "post-it comments"


@dataclass(frozen=True)
class Code:
    """A theme as a code: its GUID, what makes two names one theme, its shown name and description."""

    guid: str
    key: str
    name: str
    description: str


@dataclass(frozen=True)
class Placed:
    """A note as it stands in its session's text: characters start to end (end excluded)."""

    note: discussion.Note
    guid: str
    start: int
    end: int


@dataclass(frozen=True)
class Written:
    """A post-it's comment as it stands in its session's comments text: characters start to end."""

    postit: Postit
    guid: str
    start: int
    end: int


def source_text(text: str) -> str:
    """A note's text as its source holds it: every line break a newline (programs reading
    the source count a CR LF as one character, or drop the CR), and without U+FEFF, an
    invisible character that most programs drop when a file starts with it (they take it
    for a byte-order mark), which would shift every position in the source by one."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")


def paragraphs(texts: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The texts as one, a paragraph each, and where each stands in it (start, end excluded)."""
    spans: list[tuple[int, int]] = []
    position = 0
    for text in texts:
        if spans:
            position += len(SEPARATOR)
        spans.append((position, position + len(text)))
        position += len(text)
    return SEPARATOR.join(texts), spans


def place_notes(notes: Sequence[discussion.Note], anonymise: Anonymiser) -> tuple[str, list[Placed]]:
    """A session's text, one paragraph per note, and where each note stands in it."""
    text, spans = paragraphs([source_text(anonymise(note.text)) for note in notes])
    placed = [Placed(n, guid("selection", n.id), *span) for n, span in zip(notes, spans, strict=True)]
    return text, placed


def place_comments(postits: Sequence[Postit], anonymise: Anonymiser) -> tuple[str, list[Written]]:
    """A session's comments text, one paragraph per comment written (post-its without one
    are left out), in the order given, and where each comment stands in it."""
    written = [(p, source_text(anonymise(p.comment))) for p in postits]
    written = [(p, comment) for p, comment in written if comment.strip()]
    text, spans = paragraphs([comment for _, comment in written])
    found = [Written(p, guid("comment", p.id), *span) for (p, _), span in zip(written, spans, strict=True)]
    return text, found


def ranked_codes(store: Store, sessions: Sequence[Session], names: Anonymiser) -> list[Code]:
    """The themes the sessions raised, ranked; then those of their codebooks no note raised, by name."""
    codes = [
        Code(r.theme.id, theme_key(r.name), names(r.name), rank_description(r.rank, r.sessions, r.notes))
        for r in codebook.rank_across(store, [s.id for s in sessions])
    ]
    known = {c.key for c in codes}
    unused: dict[str, codebook.Theme] = {}
    for session in sessions:
        for theme in codebook.themes(store, codebook.Codebook.of(session)):
            unused.setdefault(theme_key(theme.name), theme)
    for key, theme in sorted(unused.items(), key=lambda item: (item[1].name.casefold(), item[1].id)):
        if key not in known:
            codes.append(Code(theme.id, key, names(theme.name), "Not raised in the sessions exported."))
    return codes


def project_title(sessions: Sequence[Session], names: Anonymiser) -> str:
    """One session's label; else the consultation's title when all share one; else 'All sessions'."""
    if len(sessions) == 1:
        return names(sessions[0].label)
    titles = {s.consultation for s in sessions}
    if len(titles) == 1 and "" not in titles:
        return names(titles.pop())
    return ALL_SESSIONS


def session_names(
    sessions: Sequence[Session], own: Mapping[str, Anonymiser], shared: Anonymiser
) -> dict[str, str]:
    """Each session's name in the project, by id: its label, names changed; a label that two
    sessions share gets the consultation and date, and a number if that is not enough."""
    labels = {s.id: own[s.id](s.label) for s in sessions}
    repeated = Counter(label.casefold() for label in labels.values())
    names: dict[str, str] = {}
    taken: set[str] = set()
    for session in sessions:
        name = labels[session.id]
        if repeated[name.casefold()] > 1:
            where = shared(session.consultation) or "no consultation"
            name = f"{name} ({where}, {session.date})" if session.date else f"{name} ({where})"
        names[session.id] = _unique(name, taken)
    return names


def comments_names(ids: Sequence[str], named: Mapping[str, str]) -> dict[str, str]:
    """The name of each session's comments source, by id: the session's name (`session_names`)
    and " · post-it comments", numbered in the rare case that a session is named so already."""
    taken = {name.casefold() for name in named.values()}
    return {i: _unique(f"{named[i]} · {COMMENTS}", taken) for i in ids}


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`… when it is taken (ignoring case); then taken too."""
    unique, number = name, 2
    while unique.casefold() in taken:
        unique, number = f"{name} ({number})", number + 1
    taken.add(unique.casefold())
    return unique


def session_details(store: Store, session: Session) -> str:
    """Cohort, setting, date and who took part (the roster's numbers when it has a roster)."""
    who = participants_sentence([headcount(store, session)], by_cohort=False)
    example = f"{EXAMPLE_MARK}: {EXAMPLE_LINE} " if session.example else ""
    return f"{example}Cohort: {session.cohort}. Setting: {session.setting}. Date: {session.date}. {who}"


def project_bytes(store: Store, sessions: Sequence[Session]) -> bytes:
    """The .qdpx zip of `sessions`: project.qde and one text source per session."""
    if not sessions:
        raise FacilitatorError("there are no sessions to export")
    ids = [s.id for s in sessions]
    own, shared = consultation_maps(store, sessions)
    notes = {s.id: discussion.notes(store, s.id) for s in sessions}
    people = {s.id: roster.participants(store, s.id) for s in sessions}
    postits = {s.id: store.postits.of(s.id) for s in sessions}
    stamps = [s.updated_at for s in sessions]
    stamps += [n.updated_at for found in notes.values() for n in found]
    stamps += [p.updated_at for found in postits.values() for p in found if p.comment.strip()]
    stamps += [p.updated_at for found in people.values() for p in found]
    created = min(s.created_at for s in sessions)
    title = project_title(sessions, shared)
    named = session_names(sessions, own, shared)
    top = root(
        NS,
        "Project",
        name=title,
        origin=ORIGIN,
        creationDateTime=created,
        modifiedDateTime=max(stamps),
    )
    codes = ranked_codes(store, sessions, shared)
    if codes:
        book = add(add(top, "CodeBook"), "Codes")
        for position, code in enumerate(codes):
            element = add(
                book, "Code", guid=code.guid, name=code.name, isCodable="true", color=colour(position)
            )
            add(element, "Description", code.description)
    placed: dict[str, list[Placed]] = {}
    written: dict[str, list[Written]] = {}
    texts: dict[str, bytes] = {}
    for session in sessions:
        text, placed[session.id] = place_notes(notes[session.id], own[session.id])
        texts[guid("source", session.id)] = text.encode("utf-8")
        comments, written[session.id] = place_comments(postits[session.id], own[session.id])
        if comments:
            texts[guid("comments", session.id)] = comments.encode("utf-8")
    commented = comments_names([s.id for s in sessions if written[s.id]], named)
    _cases(top, sessions, people, placed, written, named)
    sources = add(top, "Sources")
    for session in sessions:
        _source(sources, store, session, people[session.id], placed[session.id], codes, named[session.id])
        if session.id in commented:
            _comments(sources, store, session, people[session.id], written[session.id], commented[session.id])
    # The note's text is a file beside the sources, not inline: the schema takes one or
    # the other, and importers such as QualCoder read a note only from its file.
    note_guid = guid("note", "statement exercise", *ids)
    note = add(
        add(top, "Notes"),
        "Note",
        guid=note_guid,
        name=COUNTS_NOTE,
        plainTextPath=f"internal://{note_guid}.txt",
        creationDateTime=created,
    )
    add(note, "Description", "The counts behind the report's charts, per statement and chart group.")
    texts[note_guid] = counts_text(store, sessions, title, shared).encode("utf-8")
    sets = add(top, "Sets")
    for session in sessions:
        member = add(sets, "Set", guid=guid("set", session.id), name=named[session.id])
        add(member, "Description", session_details(store, session))
        add(member, "MemberSource", targetGUID=guid("source", session.id))
        if session.id in commented:
            add(member, "MemberSource", targetGUID=guid("comments", session.id))
    example = f"{EXAMPLE_MARK}: {EXAMPLE_LINE} " if any(s.example for s in sessions) else ""
    add(top, "Description", example + _description(len(sessions)))
    add(top, "NoteRef", targetGUID=note_guid)
    members = {"project.qde": document(top)}
    members.update({f"{SOURCES_FOLDER}/{source}.txt": text for source, text in texts.items()})
    return zip_bytes(members)


def _description(count: int) -> str:
    many = "s" if count != 1 else ""
    return (
        f"{count} focus group session{many} exported from facilitator: each session's discussion is a "
        "source, one paragraph per note, coded with its themes; the comments written on its post-its "
        "are a second source, one paragraph per comment, not coded. Participants are codes with "
        "descriptors, never names; names in the text were changed by each session's pseudonym map."
    )


def _cases(
    top: Element,
    sessions: Sequence[Session],
    people: Mapping[str, Sequence[roster.Participant]],
    placed: Mapping[str, Sequence[Placed]],
    written: Mapping[str, Sequence[Written]],
    named: Mapping[str, str],
) -> None:
    """The variables, and one case per participant with their values, the notes they spoke
    and the comments they wrote."""
    if not any(people.values()):
        return
    variables = add(top, "Variables")
    for name, meaning in VARIABLES.items():
        variable_guid = guid("variable", name)
        variable = add(variables, "Variable", guid=variable_guid, name=name, typeOfVariable="Text")
        add(variable, "Description", meaning)
    cases = add(top, "Cases")
    for session in sessions:
        label = named[session.id]
        for person in people[session.id]:
            case = add(cases, "Case", guid=guid("case", person.id), name=f"{label} · {person.code}")
            values = {
                "Gender": GENDER_VALUES.get(person.gender, person.gender),
                "Cohort": person.cohort,
                "Age band": person.age_band,
                "Session": label,
            }
            for name, value in values.items():
                if value:
                    held = add(case, "VariableValue")
                    add(held, "VariableRef", targetGUID=guid("variable", name))
                    add(held, "TextValue", value)
            for said in placed[session.id]:
                if (said.note.participant or "").casefold() == person.code.casefold():
                    add(case, "SelectionRef", targetGUID=said.guid)
            for comment in written[session.id]:
                if (comment.postit.participant or "").casefold() == person.code.casefold():
                    add(case, "SelectionRef", targetGUID=comment.guid)


def _text_source(sources: Element, source_guid: str, name: str, created: str, description: str) -> Element:
    """A TextSource whose text is the file `sources/<guid>.txt` inside the zip."""
    source = add(
        sources,
        "TextSource",
        guid=source_guid,
        name=name,
        plainTextPath=f"internal://{source_guid}.txt",
        creationDateTime=created,
    )
    add(source, "Description", description)
    return source


def _source(
    sources: Element,
    store: Store,
    session: Session,
    people: Sequence[roster.Participant],
    placed: Sequence[Placed],
    codes: Sequence[Code],
    name: str,
) -> None:
    """A session's text source (called `name`), with a selection per note coded with its themes."""
    source = _text_source(
        sources, guid("source", session.id), name, session.created_at, session_details(store, session)
    )
    order = {code.key: position for position, code in enumerate(codes)}
    for said in placed:
        note = said.note
        kind = KIND_LABELS.get(note.kind, note.kind)
        descriptor = speaker_descriptor(note.participant, people, session)
        selection = add(
            source,
            "PlainTextSelection",
            guid=said.guid,
            name=f"{kind} · {descriptor}" if descriptor else kind,
            startPosition=str(said.start),
            endPosition=str(said.end),
            creationDateTime=note.created_at,
        )
        speaker = note.participant or "not recorded"
        if note.participant and descriptor:
            speaker = f"{note.participant} ({descriptor})"
        add(selection, "Description", f"{kind}; speaker {speaker}.")
        keys = sorted({theme_key(t.name) for t in note.themes} & order.keys(), key=order.__getitem__)
        for key in keys:
            code = codes[order[key]]
            coding = add(selection, "Coding", guid=guid("coding", note.id, code.guid))
            add(coding, "CodeRef", targetGUID=code.guid)


def _comments(
    sources: Element,
    store: Store,
    session: Session,
    people: Sequence[roster.Participant],
    written: Sequence[Written],
    name: str,
) -> None:
    """A session's post-it comments as a source (called `name`), a selection per comment, uncoded."""
    what = "The comments written on the post-its of the statement exercise, one paragraph each, not coded."
    source = _text_source(
        sources,
        guid("comments", session.id),
        name,
        session.created_at,
        f"{what} {session_details(store, session)}",
    )
    for comment in written:
        postit = comment.postit
        category = session.scale.get(postit.response_key).label
        selection = add(
            source,
            "PlainTextSelection",
            guid=comment.guid,
            name=f"Statement {postit.statement_number} · {category}",
            startPosition=str(comment.start),
            endPosition=str(comment.end),
            creationDateTime=postit.created_at,
        )
        add(selection, "Description", comment_description(postit, session, people))


def comment_description(postit: Postit, session: Session, people: Sequence[roster.Participant]) -> str:
    """What a comment answered and who wrote it: the statement, the category, and the
    participant's code with their descriptor when the roster has them."""
    statement = session.statement(postit.statement_number)
    category = session.scale.get(postit.response_key).label
    said = f'Statement {statement.number}: "{statement.text}". Category: {category}.'
    code = postit.participant
    if code is None:
        return said
    person = next((p for p in people if p.code.casefold() == code.casefold()), None)
    return f"{said} Participant {code} ({person.descriptor})." if person else f"{said} Participant {code}."
