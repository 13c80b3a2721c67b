"""Every change to a row is stamped by the store's one write API, from the clock it was given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from facilitator.actions.data_folder import Workspace
from facilitator.core.clock import Clock
from facilitator.store import NewPostit, SessionDetails
from tests.folders import open_folder

START = datetime(2010, 3, 4, 10, 0, tzinfo=UTC)


class FakeTime:
    """A wall clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def details(label: str) -> SessionDetails:
    return SessionDetails(label=label, cohort="adults", setting="prison", date="2010-03-04")


def test_sessions_and_postits_are_stamped_by_the_injected_clock(tmp_path: Path) -> None:
    time = FakeTime()
    statement_set = Workspace.at(tmp_path / "sets").catalogue().get("does-social-work-care")
    with open_folder(tmp_path / "data", clock=Clock(time)) as store:
        session = store.sessions.create(
            statement_set, SessionDetails(label="Group", cohort="adults", setting="prison", date="2010-03-04")
        )
        assert session.created_at.startswith("2010-03-04T10:00:00")
        time.now += timedelta(hours=1)
        postit = store.postits.add(session.id, 1, "agree", "first words")
        assert postit.created_at.startswith("2010-03-04T11:00:00") and postit.device_id == store.device_id
        store.postits.add_many(session.id, [NewPostit(2, "agree"), NewPostit(3, "disagree")])
        time.now += timedelta(hours=1)
        edited = store.postits.edit(postit.id, "second words")
        assert edited.updated_at.startswith("2010-03-04T12:00:00")
        assert edited.created_at == postit.created_at
        time.now += timedelta(hours=1)
        deleted = store.postits.delete(postit.id)
        assert deleted.deleted_at is not None and deleted.deleted_at.startswith("2010-03-04T13:00:00")
        assert deleted.updated_at.startswith("2010-03-04T13:00:00")
        closed = store.sessions.close(session.id)
        assert closed.closed_at is not None and closed.closed_at.startswith("2010-03-04T13:00:00")
        stamps = [p.created_at for p in store.postits.of(session.id)]
        assert all(stamp.startswith("2010-03-04T11:00:00") for stamp in stamps)


def test_stamps_keep_rising_when_the_clock_goes_back(tmp_path: Path) -> None:
    time = FakeTime()
    statement_set = Workspace.at(tmp_path / "sets").catalogue().get("does-social-work-care")
    with open_folder(tmp_path / "data", clock=Clock(time)) as store:
        session = store.sessions.create(
            statement_set, SessionDetails(label="G", cohort="a", setting="prison")
        )
        first = store.postits.add(session.id, 1, "agree")
        time.now -= timedelta(hours=5)  # the laptop's clock is set back
        second = store.postits.add(session.id, 1, "agree")
        assert second.created_at > first.created_at


def test_deleting_a_session_tombstones_every_row_of_it(tmp_path: Path) -> None:
    statement_set = Workspace.at(tmp_path / "sets").catalogue().get("does-social-work-care")
    with open_folder(tmp_path / "data") as store:
        session = store.sessions.create(
            statement_set, SessionDetails(label="G", cohort="a", setting="prison")
        )
        kept = store.sessions.create(statement_set, details("H"))
        store.postits.add_many(session.id, [NewPostit(1, "agree"), NewPostit(2, "agree")])
        store.postits.add(kept.id, 1, "agree")
        store.sessions.delete(session.id)
        live = store.db.execute("SELECT session_id FROM postits WHERE deleted_at IS NULL").fetchall()
        assert live == [(kept.id,)]
        rows = store.db.execute("SELECT COUNT(*) FROM postits").fetchone()
        assert rows == (3,)  # tombstones, never removed rows
