"""Exports of the discussion: roster, notes and themes; the pseudonym map applied, never shown."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest

from facilitator.discussion import notes as discussion
from facilitator.discussion import roster
from facilitator.discussion.anonymity import set_pseudonym
from facilitator.outputs import export
from facilitator.store import Session, Store

# "Darren" in any case, whole word, with or without 's / s: what must never leave the laptop.
LEAK = re.compile(r"(?<!\w)darren(?:'s|s)?(?!\w)", re.IGNORECASE)
NOTE_COLUMNS = [
    "session_id",
    "session_label",
    "cohort",
    "setting",
    "note_id",
    "kind",
    "text",
    "title",
    "participant",
    "descriptor",
    "themes",
    "created_at",
    "example",
]


@pytest.fixture
def discussed(store: Store, session: Session) -> Session:
    """A session whose post-its, notes and a theme mention a mapped name."""
    set_pseudonym(store, session.id, "Darren", "Dave")
    roster.add_participant(store, session.id, "P1", "male", cohort="young offenders", wants_interview=True)
    roster.add_participant(store, session.id, "P2", "female", consent=True)
    store.postits.add(session.id, 1, "agree", "DARREN listened, Darrenby didn't", participant="P1")
    store.postits.add(session.id, 2, "disagree", "=Darren's worker")
    discussion.add_note(
        store,
        session.id,
        "darren's social worker changed 5 times",
        kind="quote",
        speaker="P1",
        themes=["Change", "Darren's case"],
    )
    discussion.add_note(
        store, session.id, "Two Darrens in care; Darrenby home", kind="case_study", themes=["Change"]
    )
    discussion.add_note(store, session.id, "+no one listens", speaker="P2")
    return session


def test_no_mapped_name_leaves_in_json_or_csv_and_darrenby_survives(store: Store, discussed: Session) -> None:
    outputs = [
        export.to_json(store, discussed),
        export.to_csv(store, discussed),
        export.to_csv(store, discussed, "notes"),
    ]
    for text in outputs:
        assert LEAK.search(text) is None, LEAK.search(text)
        assert "Darrenby" in text
    assert "DAVE listened" in outputs[0] and "dave's social worker" in outputs[0]
    assert "Two Daves in care" in outputs[2]


def test_json_gains_participants_roster_notes_and_themes(store: Store, discussed: Session) -> None:
    data = json.loads(export.to_json(store, discussed))
    assert list(data) == ["session", "scale", "statements", "participants", "roster", "notes", "themes"]
    assert data["participants"][0] == {
        "code": "P1",
        "gender": "male",
        "cohort": "young offenders",
        "age_band": "",
        "descriptor": "Male young offender",
    }
    # Who wants an interview, or consented, is never exported: only how many.
    assert data["roster"] == {
        "total": 2,
        "male": 1,
        "female": 1,
        "other": 0,
        "from_roster": True,
        "consented": 1,
        "wants_interview": 1,
    }
    quote = data["notes"][0]
    assert set(quote) == {"id", "text", "title", "kind", "participant", "descriptor", "themes", "created_at"}
    assert (quote["kind"], quote["participant"], quote["descriptor"]) == (
        "quote",
        "P1",
        "Male young offender",
    )
    assert quote["themes"] == ["Change", "Dave's case"]
    assert data["notes"][2]["descriptor"] == "Female adult"
    assert data["themes"] == [
        {"rank": 1, "name": "Change", "notes": 2},
        {"rank": 2, "name": "Dave's case", "notes": 1},
    ]
    assert "pseudonym" not in json.dumps(data).lower()


def test_existing_json_and_csv_fields_are_unchanged(store: Store, discussed: Session) -> None:
    data = json.loads(export.to_json(store, discussed))
    # The session header still carries the session's own counts; the roster's are beside it.
    assert (data["session"]["participants"], data["session"]["male"], data["session"]["female"]) == (10, 8, 2)
    assert set(data["statements"][0]["postits"][0]) == {
        "id",
        "response",
        "comment",
        "participant",
        "created_at",
    }
    rows = list(csv.reader(io.StringIO(export.to_csv(store, discussed).lstrip("\ufeff"))))
    assert rows[0][8] == "comment" and len(rows[0]) == 12 and rows[0][11] == "example"
    assert rows[2][8] == "'=Dave's worker"  # anonymised, then neutralised as before


def test_notes_csv_is_tidy_and_formula_safe(store: Store, discussed: Session) -> None:
    text = export.to_csv(store, discussed, "notes")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0]) == NOTE_COLUMNS
    assert [r["kind"] for r in rows] == ["quote", "case_study", "note"]
    assert rows[0]["themes"] == "Change; Dave's case"
    assert rows[1]["participant"] == "" and rows[1]["descriptor"] == ""
    assert rows[2]["text"] == "'+no one listens"


def test_a_session_without_discussion_exports_empty_lists(store: Store, session: Session) -> None:
    data = json.loads(export.to_json(store, session))
    assert (data["participants"], data["notes"], data["themes"]) == ([], [], [])
    assert data["roster"]["from_roster"] is False and data["roster"]["total"] == 10


def test_domain_modules_never_import_textual() -> None:
    code = (
        "import sys, facilitator.discussion.roster, facilitator.discussion.codebook, "
        "facilitator.discussion.notes, "
        "facilitator.discussion.anonymity, facilitator.outputs.export, facilitator.cli; "
        "print('textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
