"""Each session on its own: changed here (`local`), carried by a bundle (`exported`) or not."""

from __future__ import annotations

import json
from pathlib import Path

from facilitator.discussion import notes as discussion
from facilitator.discussion import roster
from facilitator.store import Store
from facilitator.sync import merge as sync
from facilitator.sync.status import session_statuses
from tests.conftest import Cli
from tests.sync_helpers import new_session, take


def statuses(store: Store) -> dict[str, str]:
    """Each session's sync status by label; sessions with no row written here are left out."""
    found = session_statuses(store)
    return {
        s.session.label: found[s.session.id].status
        for s in store.sessions.summaries()
        if s.session.id in found
    }


def send(store: Store, to: Store, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    take(to, sync.export_bundle(store, folder, plaintext=True).path)


def test_each_session_is_exported_or_not_on_its_own(laptop_and_office, tmp_path):
    laptop, office = laptop_and_office
    first, second = new_session(laptop, "One"), new_session(laptop, "Two")
    assert statuses(laptop) == {"One": "local", "Two": "local"}
    send(laptop, office, tmp_path / "usb")
    assert statuses(laptop) == {"One": "exported", "Two": "exported"}
    laptop.postits.add(second.id, 1, "agree", "new after the export")
    assert statuses(laptop) == {"One": "exported", "Two": "local"}
    send(laptop, office, tmp_path / "usb")
    roster.add_participant(laptop, first.id, "P1", "female")
    assert statuses(laptop) == {"One": "local", "Two": "exported"}


def test_imported_sessions_have_no_sync_status_at_the_office(laptop_and_office, tmp_path):
    laptop, office = laptop_and_office
    session = new_session(laptop, "From the laptop")
    laptop.postits.add(session.id, 1, "agree")
    send(laptop, office, tmp_path / "usb")
    assert statuses(office) == {}
    listed = json.loads(Cli(Path(office.path).parent)("session", "list", "--json").output)
    assert [(row["label"], row["sync_status"], row["confirmed_at"]) for row in listed] == [
        ("From the laptop", None, None)
    ]
    # A later change on the laptop that has not reached the office yet changes nothing there.
    laptop.postits.add(session.id, 2, "disagree")
    assert statuses(office) == {}
    assert statuses(laptop) == {"From the laptop": "local"}


def test_a_theme_tag_added_here_makes_its_note_s_session_local(laptop_and_office, tmp_path):
    laptop, office = laptop_and_office
    session = new_session(laptop, "Discussed")
    note = discussion.add_note(laptop, session.id, "They never listened", themes=["listening"])
    discussion.add_note(laptop, session.id, "Too many workers", themes=["changes of worker"])
    send(laptop, office, tmp_path / "usb")
    assert statuses(office) == {}
    # At the office, tagging the note with an existing theme writes only a note_themes row.
    before = office.db.execute(
        "SELECT COUNT(*) FROM notes WHERE device_id = ?", [office.device_id]
    ).fetchone()
    discussion.tag_note(office, note.id, "changes of worker")
    after = office.db.execute("SELECT COUNT(*) FROM notes WHERE device_id = ?", [office.device_id]).fetchone()
    assert before == after == (0,)
    assert statuses(office) == {"Discussed": "local"}


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
    assert statuses(office) == {}  # the laptop's later edit won: no row of it is the office's
    (conflict,) = sync.conflicts(office)
    sync.resolve_conflict(office, conflict.id, take_other=True)
    assert sync.open_conflict_count(office) == 0
    assert statuses(office) == {"Contested": "local"}
