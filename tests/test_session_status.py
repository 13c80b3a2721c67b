"""A session's digest and status: the same digest at the office as on the laptop once it holds the rows."""

from __future__ import annotations

from pathlib import Path

from facilitator.discussion import notes as discussion
from facilitator.sync import merge as sync
from facilitator.sync.status import CONFIRMED, EXPORTED, LOCAL, PURGED, session_digests, session_statuses
from tests.sync_helpers import new_session, open_store, take


def test_a_session_goes_local_exported_confirmed_and_back_to_local(tmp_path: Path) -> None:
    with open_store(tmp_path / "laptop") as laptop:
        session = new_session(laptop, "One")
        laptop.postits.add(session.id, 1, "agree", "first words")
        assert session_statuses(laptop)[session.id].status == LOCAL
        digest = session_digests(laptop)[session.id]
        with laptop.write() as writer:
            laptop.session_sync.record_exported(writer, {session.id: digest}, "2026-01-01T00:00:00.000000Z")
        state = session_statuses(laptop)[session.id]
        assert (state.status, state.exported_at) == (EXPORTED, "2026-01-01T00:00:00.000000Z")
        with laptop.write() as writer:
            laptop.session_sync.record_confirmed(writer, session.id, digest, "2026-01-02T00:00:00.000000Z")
        state = session_statuses(laptop)[session.id]
        assert (state.status, state.confirmed_at) == (CONFIRMED, "2026-01-02T00:00:00.000000Z")
        laptop.postits.add(session.id, 2, "disagree", "")
        assert session_statuses(laptop)[session.id].status == LOCAL


def test_an_acknowledgement_for_other_rows_does_not_confirm(tmp_path: Path) -> None:
    with open_store(tmp_path / "laptop") as laptop:
        session = new_session(laptop, "One")
        with laptop.write() as writer:
            laptop.session_sync.record_confirmed(writer, session.id, "0" * 64, "2026-01-02T00:00:00.000000Z")
        assert session_statuses(laptop)[session.id].status == LOCAL


def test_the_office_computes_the_laptop_s_digest_over_what_it_imported(tmp_path: Path) -> None:
    laptop, office = open_store(tmp_path / "laptop"), open_store(tmp_path / "office")
    with laptop, office:
        session = new_session(laptop, "One")
        postit = laptop.postits.add(session.id, 1, "agree", "first words")
        discussion.add_note(laptop, session.id, "We talked about #care")
        laptop.postits.delete(postit.id)
        take(office, sync.export_bundle(laptop, tmp_path, plaintext=True).path)
        assert session_digests(office, laptop.device_id) == session_digests(laptop)
        assert session.id not in session_digests(office)


def test_a_purged_session_reports_its_stub(tmp_path: Path) -> None:
    with open_store(tmp_path / "laptop") as laptop:
        session = new_session(laptop, "One")
        with laptop.write() as writer:
            laptop.session_sync.record_purged(
                writer, session.id, {"purged_at": "2026-02-01T00:00:00.000000Z"}
            )
        state = session_statuses(laptop)[session.id]
        assert (state.status, state.purged_at) == (PURGED, "2026-02-01T00:00:00.000000Z")


def test_a_damaged_record_reads_as_never_sent(tmp_path: Path) -> None:
    with open_store(tmp_path / "laptop") as laptop:
        session = new_session(laptop, "One")
        laptop.meta.set("session_sync:" + session.id, "{not json")
        assert session_statuses(laptop)[session.id].status == LOCAL
