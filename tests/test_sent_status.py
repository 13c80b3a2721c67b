"""Whether each session's latest changes have left this device, session by session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitator.discussion import notes as discussion
from facilitator.discussion import roster
from facilitator.store import Store, sync_state
from facilitator.sync import merge as sync
from tests.conftest import Cli
from tests.sync_helpers import new_session, open_store, take


@pytest.fixture
def laptop_and_office(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    laptop, office = open_store(tmp_path / "laptop"), open_store(tmp_path / "office")
    yield laptop, office
    laptop.close()
    office.close()


def sent(store: Store) -> dict[str, bool]:
    return {s.session.label: s.sent for s in store.sessions.summaries()}


def send(store: Store, to: Store, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    take(to, sync.export_bundle(store, folder, plaintext=True).path)


def test_each_session_is_sent_or_not_on_its_own(laptop_and_office, tmp_path):
    laptop, office = laptop_and_office
    first, second = new_session(laptop, "One"), new_session(laptop, "Two")
    assert sent(laptop) == {"One": False, "Two": False}
    send(laptop, office, tmp_path / "usb")
    assert sent(laptop) == {"One": True, "Two": True}
    laptop.postits.add(second.id, 1, "agree", "new after the export")
    assert sent(laptop) == {"One": True, "Two": False}
    send(laptop, office, tmp_path / "usb")
    roster.add_participant(laptop, first.id, "P1", "female")
    assert sent(laptop) == {"One": False, "Two": True}


def test_imported_sessions_are_not_unsent_at_the_office(laptop_and_office, tmp_path, cli):
    laptop, office = laptop_and_office
    session = new_session(laptop, "From the laptop")
    laptop.postits.add(session.id, 1, "agree")
    send(laptop, office, tmp_path / "usb")
    assert sent(office) == {"From the laptop": True}
    listed = json.loads(Cli(Path(office.path).parent)("session", "list", "--json").output)
    assert [(row["label"], row["sent"]) for row in listed] == [("From the laptop", True)]
    # A later change on the laptop that has not reached the office yet changes nothing there.
    laptop.postits.add(session.id, 2, "disagree")
    assert sent(office) == {"From the laptop": True}
    assert sent(laptop) == {"From the laptop": False}


def test_a_theme_tag_added_here_makes_its_note_s_session_unsent(laptop_and_office, tmp_path):
    laptop, office = laptop_and_office
    session = new_session(laptop, "Discussed")
    note = discussion.add_note(laptop, session.id, "They never listened", themes=["listening"])
    discussion.add_note(laptop, session.id, "Too many workers", themes=["changes of worker"])
    send(laptop, office, tmp_path / "usb")
    assert sent(office) == {"Discussed": True}
    # At the office, tagging the note with an existing theme writes only a note_themes row.
    before = office.db.execute(
        "SELECT COUNT(*) FROM notes WHERE device_id = ?", [office.device_id]
    ).fetchone()
    discussion.tag_note(office, note.id, "changes of worker")
    after = office.db.execute("SELECT COUNT(*) FROM notes WHERE device_id = ?", [office.device_id]).fetchone()
    assert before == after == (0,)
    assert sent(office) == {"Discussed": False}
    assert sync_state.unsent_sessions(office) == {session.id}


def test_resolving_a_conflict_here_is_a_change_to_send(laptop_and_office, tmp_path):
    laptop, office = laptop_and_office
    session = new_session(laptop, "Contested")
    postit = laptop.postits.add(session.id, 1, "agree", "first words")
    send(laptop, office, tmp_path / "usb")
    office.postits.edit(postit.id, "the office's words")
    laptop.postits.edit(postit.id, "the laptop's words")
    send(laptop, office, tmp_path / "usb")
    assert sync.open_conflict_count(office) == 1
    send(office, laptop, tmp_path / "office-out")
    assert sent(office) == {"Contested": True}
    (conflict,) = sync.conflicts(office)
    sync.resolve_conflict(office, conflict.id, take_other=True)
    assert sync.open_conflict_count(office) == 0
    assert sent(office) == {"Contested": False}
