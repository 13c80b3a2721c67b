"""Discussion notes: committed as entered, with kind, speaker and theme tags."""

from __future__ import annotations

import re

import pytest

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.discussion import codebook
from facilitator.discussion import notes as discussion
from facilitator.discussion.codebook import Codebook
from facilitator.store import Session, Store
from tests.folders import open_folder


def live_tags(store: Store, note_id: str) -> int:
    return int(
        store.db.execute(
            "SELECT COUNT(*) FROM note_themes WHERE note_id = ? AND deleted_at IS NULL", [note_id]
        ).fetchone()[0]
    )


def test_a_note_is_on_disk_when_add_returns(store: Store, session: Session) -> None:
    note = discussion.add_note(
        store, session.id, "  They never listen.  ", kind="Case study", themes=["Listening", "Trust"]
    )
    assert (note.text, note.kind, note.participant) == ("They never listen.", "case_study", None)
    assert note.theme_names == ("Listening", "Trust")
    # Another connection sees it at once: it was committed, not held in a transaction.
    with open_folder(store.path.parent) as other:
        assert other.db.execute("SELECT text FROM notes").fetchone()[0] == "They never listen."
    assert [t.name for t in codebook.themes(store, Codebook.of(session))] == ["Listening", "Trust"]


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [("   ", "note", "empty"), ("x" * 10_001, "note", "too long"), ("fine", "rumour", "kind")],
)
def test_bad_notes_are_refused_and_nothing_is_written(
    store: Store, session: Session, text: str, kind: str, message: str
) -> None:
    with pytest.raises(FacilitatorError, match=message):
        discussion.add_note(store, session.id, text, kind=kind, themes=["New theme"])
    assert store.db.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM themes").fetchone()[0] == 0


def test_editing_themes_untags_with_a_tombstone_and_retagging_restores(
    store: Store, session: Session
) -> None:
    note = discussion.add_note(store, session.id, "point", themes=["A", "B"])
    edited = discussion.edit_note(store, note.id, themes=["B", "C"], kind="quote", speaker="P2")
    assert (edited.theme_names, edited.kind, edited.participant) == (("B", "C"), "quote", "P2")
    rows = store.db.execute("SELECT COUNT(*) FROM note_themes WHERE note_id = ?", [note.id]).fetchone()[0]
    assert rows == 3 and live_tags(store, note.id) == 2
    again = discussion.tag_note(store, note.id, "a")
    assert again.theme_names == ("A", "B", "C")
    # The old tag row came back rather than a second one being added.
    assert store.db.execute("SELECT COUNT(*) FROM note_themes").fetchone()[0] == 3
    assert discussion.untag_note(store, note.id, "b").theme_names == ("A", "C")
    assert discussion.edit_note(store, note.id, speaker=None).participant is None
    with pytest.raises(FacilitatorError, match="not tagged"):
        discussion.untag_note(store, note.id, "B")


def test_delete_is_a_tombstone_and_restore_brings_the_tags_back(store: Store, session: Session) -> None:
    note = discussion.add_note(store, session.id, "point", themes=["A"])
    deleted = discussion.delete_note(store, note.id)
    assert discussion.notes(store, session.id) == []
    assert store.db.execute("SELECT deleted_at, text FROM notes").fetchone()[0] is not None
    with pytest.raises(NotFound):
        discussion.note(store, note.id)
    # The database no longer holds the text: a note read back from it cannot come back.
    with pytest.raises(FacilitatorError, match="its text is gone"):
        discussion.restore_note(store, discussion.note(store, note.id, include_deleted=True))
    restored = discussion.restore_note(store, deleted)
    assert (restored.text, restored.theme_names) == ("point", ("A",))


def test_a_note_is_found_by_a_unique_start_of_its_id(store: Store, session: Session) -> None:
    note = discussion.add_note(store, session.id, "point")
    assert discussion.note(store, note.id[:6]).id == note.id
    with pytest.raises(NotFound):
        discussion.note(store, "zzzz")


def test_notes_list_in_the_order_taken_and_filter_by_kind(store: Store, session: Session) -> None:
    for text, kind in (("first", "note"), ("second", "quote"), ("third", "quote")):
        discussion.add_note(store, session.id, text, kind=kind)
    assert [n.text for n in discussion.notes(store, session.id)] == ["first", "second", "third"]
    assert [n.text for n in discussion.notes(store, session.id, kind="quote")] == ["second", "third"]


def test_a_case_study_has_a_title_and_a_deleted_one_keeps_none(store: Store, session: Session) -> None:
    case = discussion.add_note(store, session.id, "Moved eleven times", kind="case_study", title=" Darren ")
    assert case.title == "Darren"
    assert discussion.edit_note(store, case.id, title="Darren at 15").title == "Darren at 15"
    discussion.delete_note(store, case.id)
    stored = store.db.execute("SELECT text, title FROM notes WHERE id = ?", [case.id]).fetchone()
    assert tuple(stored) == ("", "")


@pytest.mark.parametrize(
    ("title", "kind", "message"),
    [
        ("x" * 81, "case_study", "the title is too long (81 characters; 80 at most)"),
        ("Dar\nren", "case_study", "the title holds a control character (U+000A) at position 4"),
        ("Dar\x1b[31mren", "case_study", "control character (U+001B)"),
        ("Darren", "quote", "only a case study has a title"),
    ],
)
def test_a_bad_title_is_refused_in_one_line_and_nothing_is_written(
    store: Store, session: Session, title: str, kind: str, message: str
) -> None:
    with pytest.raises(FacilitatorError, match=re.escape(message)) as refused:
        discussion.add_note(store, session.id, "words", kind=kind, title=title)
    assert "\n" not in str(refused.value)
    assert store.db.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0


def test_a_note_changed_from_a_case_study_loses_its_title(store: Store, session: Session) -> None:
    case = discussion.add_note(store, session.id, "story", kind="case_study", title="Darren")
    assert discussion.edit_note(store, case.id, kind="note").title == ""


def test_new_notes_go_last_and_move_swaps_with_a_neighbour(store: Store, session: Session) -> None:
    first, second, third = (discussion.add_note(store, session.id, t) for t in ("one", "two", "three"))
    assert [n.position for n in discussion.notes(store, session.id)] == [1, 2, 3]
    before = store.db.execute("SELECT updated_at FROM notes WHERE id = ?", [first.id]).fetchone()[0]
    discussion.move_note(store, third.id, -1)
    assert [n.text for n in discussion.notes(store, session.id)] == ["one", "three", "two"]
    # Only the two that swapped were written, and stamped (so that sync carries them).
    assert store.db.execute("SELECT updated_at FROM notes WHERE id = ?", [first.id]).fetchone()[0] == before
    assert discussion.note(store, second.id).updated_at > second.updated_at
    discussion.move_note(store, first.id, 1)
    assert [n.text for n in discussion.notes(store, session.id)] == ["three", "one", "two"]


def test_the_first_note_cannot_go_up_nor_the_last_down(store: Store, session: Session) -> None:
    first, last = (discussion.add_note(store, session.id, t) for t in ("one", "two"))
    rows = store.db.execute("SELECT * FROM notes ORDER BY id").fetchall()
    with pytest.raises(FacilitatorError, match="already first"):
        discussion.move_note(store, first.id, -1)
    with pytest.raises(FacilitatorError, match="already last"):
        discussion.move_note(store, last.id, 1)
    assert store.db.execute("SELECT * FROM notes ORDER BY id").fetchall() == rows


def test_notes_at_the_same_place_still_move(store: Store, session: Session) -> None:
    """Notes from a laptop that had no order all arrive at place 0: moving one still works."""
    notes = [discussion.add_note(store, session.id, t) for t in ("one", "two", "three")]
    with store.write() as writer:
        for note in notes:
            writer.update("notes", note.id, {"position": 0})
    discussion.move_note(store, notes[2].id, -1)
    assert [n.text for n in discussion.notes(store, session.id)] == ["one", "three", "two"]
