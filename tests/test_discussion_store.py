"""The discussion's rows are written by the store: stamped by its clock, deleted as tombstones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from facilitator.core.clock import Clock
from facilitator.core.errors import FacilitatorError
from facilitator.core.statements import StatementSet
from facilitator.discussion import anonymity, codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.store import SYNCED_TABLES, Session, SessionDetails, Store
from tests.folders import open_folder

TABLES = ("participants", "notes", "themes", "note_themes", "pseudonyms")


def test_every_discussion_row_is_stamped_by_the_stores_clock(
    tmp_path: Path, statement_set: StatementSet
) -> None:
    clock = Clock(lambda: datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC))
    with open_folder(tmp_path / "data", clock=clock) as store:
        session = store.sessions.create(
            statement_set, SessionDetails("Adult focus group 1", "adults", "prison", consultation="C")
        )
        roster.add_participant(store, session.id, "P1", "male")
        roster.add_participant(store, session.id, "P2", "female")
        note = discussion.add_note(store, session.id, "They listen.", speaker="P1", themes=["Trust", "Care"])
        discussion.edit_note(store, note.id, themes=["Trust", "Housing"])
        roster.edit_participant(store, session.id, "P1", new_code="P9")
        roster.remove_participant(store, session.id, "P2")
        codebook.rename_theme(store, session, "Housing", "Homes")
        codebook.merge_themes(store, session, "Homes", "Trust")
        anonymity.set_pseudonym(store, session.id, "Darren", "Dave")
        anonymity.set_pseudonym(store, session.id, "Darren", "Dan")
        anonymity.set_pseudonym(store, session.id, "Sharon", "Sue")
        anonymity.remove_pseudonym(store, session.id, "Sharon")
        discussion.restore_note(store, discussion.delete_note(store, note.id))

        assert discussion.note(store, note.id).participant == "P9"
        for table in TABLES:
            rows = list(store.db.query(f"SELECT * FROM {table}"))
            assert rows, table
            for row in rows:
                assert row["created_at"].startswith("2001-02-03T04:05:06."), (table, row)
                assert row["updated_at"].startswith("2001-02-03T04:05:06."), (table, row)
                assert row["created_at"] <= row["updated_at"]
                assert row["device_id"] == store.device_id
        # Removed rows are tombstones, never gone.
        tombstoned = "SELECT COUNT(*) FROM {} WHERE deleted_at IS NOT NULL"
        deleted = {table: store.db.execute(tombstoned.format(table)).fetchone()[0] for table in TABLES}
        assert deleted == {"participants": 1, "notes": 0, "themes": 0, "note_themes": 2, "pseudonyms": 1}
        # The pseudonym map stays on this laptop.
        assert "pseudonyms" not in SYNCED_TABLES


def test_a_note_and_its_tags_are_one_transaction(store: Store, session: Session) -> None:
    book = codebook.Codebook.of(session)
    with pytest.raises(FacilitatorError, match="too long"):
        store.notes.add(session.id, "They listen.", "note", None, book, ["Trust", "x" * 201])
    assert store.db.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM themes").fetchone()[0] == 0
