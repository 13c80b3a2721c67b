"""Bundles carry a device's changes; merging them is idempotent, commutative and keeps losers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from facilitator.core.clock import Clock
from facilitator.core.errors import FacilitatorError
from facilitator.store import SYNCED_TABLES, Store, sync_state
from facilitator.sync import bundle
from facilitator.sync import merge as sync
from tests.sync_helpers import new_session, open_store, read_back, signer_of, take


@pytest.fixture
def devices(tmp_path: Path) -> tuple[Store, Store, Store]:
    stores = tuple(open_store(tmp_path / name) for name in ("a", "b", "office"))
    yield stores  # type: ignore[misc]
    for store in stores:
        store.close()


def export(store: Store, folder: Path, **options: object) -> Path:
    folder.mkdir(exist_ok=True)
    return sync.export_bundle(store, folder, plaintext=True, **options).path  # type: ignore[arg-type]


def tables_in(path: Path) -> dict[str, bundle.TableRows]:
    read = read_back(path)
    return {t.table: t for t in read.tables}


def test_a_bundle_carries_new_rows_and_the_device_and_merges_once(devices, tmp_path):
    a, _b, office = devices
    session = new_session(a)
    a.postits.add(session.id, 1, "agree", "kept in the room")
    path = export(a, tmp_path / "out")
    assert set(tables_in(path)) == {"devices", "consultations", "sessions", "postits"}
    first = take(office, path)
    assert (first.counts.added, first.counts.conflicted) == (4, 0)
    assert [p.comment for p in office.postits.of(session.id)] == ["kept in the room"]
    again = take(office, path)
    assert again.skipped == "already imported"
    forced = take(office, path, force=True)
    assert (forced.counts.added, forced.counts.updated, forced.counts.unchanged) == (0, 0, 4)


def test_the_next_export_holds_only_what_changed_since(devices, tmp_path):
    a, _b, office = devices
    session = new_session(a)
    first = a.postits.add(session.id, 1, "agree")
    take(office, export(a, tmp_path / "out"))
    assert a.sessions.summaries()[0].sent
    second = a.postits.add(session.id, 2, "disagree")
    assert not a.sessions.summaries()[0].sent
    rows = tables_in(export(a, tmp_path / "out"))
    postit_ids = {row[0] for row in rows["postits"].rows}
    # The new post-it goes; the first goes again only because it falls in the overlap window.
    assert second.id in postit_ids
    assert set(rows) >= {"devices", "sessions"}  # the device, and the new post-it's parent
    assert a.sessions.summaries()[0].sent
    assert sync.has_new_changes(a) is False
    assert first.id in {p.id for p in office.postits.of(session.id)}


def test_everything_flag_exports_rows_of_other_devices_too(devices, tmp_path):
    a, b, _office = devices
    session = new_session(a)
    a.postits.add(session.id, 1, "agree")
    take(b, export(a, tmp_path / "a"))
    b_only = export(b, tmp_path / "b")
    everything = export(b, tmp_path / "b2", everything=True)
    assert "postits" not in tables_in(b_only)
    assert len(tables_in(everything)["postits"].rows) == 1
    assert read_back(everything).manifest.complete


def test_bundles_never_hold_tables_outside_synced_tables(devices, tmp_path):
    from facilitator.discussion.anonymity import set_pseudonym

    a, _b, _office = devices
    set_pseudonym(a, new_session(a).id, "Jane", "Sharon")
    path = export(a, tmp_path / "out", everything=True)
    assert set(tables_in(path)) <= set(SYNCED_TABLES)
    assert "pseudonyms" not in tables_in(path)
    payload = json.dumps([t.rows for t in tables_in(path).values()])
    assert "Jane" not in payload and "Sharon" not in payload


def test_a_bundle_with_a_local_only_table_is_refused(devices, tmp_path):
    a, _b, office = devices
    forged = tmp_path / "forged.bundle"
    data, _ = bundle.encode(
        a.device_id,
        1,
        "2020-01-01T00:00:00.000000Z",
        [bundle.TableRows("meta", ["key", "value"], [["device_id", "stolen"]])],
        complete=False,
        recipients=None,
        signer=signer_of(a),
    )
    forged.write_bytes(data)
    with pytest.raises(FacilitatorError, match="never synced"):
        take(office, forged)
    assert office.meta.get("device_id") == office.device_id


def test_same_bundles_in_any_order_any_number_of_times_give_one_database(devices, tmp_path):
    a, b, _office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "first words")
    base = export(a, tmp_path / "a")
    take(b, base)
    a.postits.edit(postit.id, "edited on a")
    b.postits.move(postit.id, "disagree")
    b.postits.add(session.id, 3, "neutral")
    from_a, from_b = export(a, tmp_path / "a"), export(b, tmp_path / "b")
    dumps = []
    for order in ([base, from_a, from_b], [from_b, from_a, base, from_b], [from_a, from_b, base, base]):
        with open_store(tmp_path / f"office-{len(dumps)}") as office:
            for path in order:
                take(office, path, force=True)
            dump = sync.canonical_dump(office)
            # Each office has its own device row; everything else must be identical.
            dump["devices"] = [row for row in dump["devices"] if office.device_id not in row]
            dumps.append(dump)
    assert dumps[0] == dumps[1] == dumps[2]


def test_the_later_edit_wins_and_the_other_version_is_kept_as_a_conflict(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "original")
    take(b, export(a, tmp_path / "a"))
    a.postits.edit(postit.id, "a's words")
    b.postits.edit(postit.id, "b's words")  # later
    result_a = take(office, export(a, tmp_path / "a"))
    result_b = take(office, export(b, tmp_path / "b"))
    assert result_a.counts.added >= 1
    assert result_b.counts.conflicted == 1
    assert office.postits.get(postit.id).comment == "b's words"
    [conflict] = sync.conflicts(office)
    assert (conflict.table, conflict.row_id, conflict.other["comment"]) == ("postits", postit.id, "a's words")
    assert conflict.differs == ["comment"]


def test_an_edit_that_lost_before_it_left_its_device_reaches_the_office_as_a_conflict(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "original")
    first = export(a, tmp_path / "a")
    take(b, first)
    a.postits.edit(postit.id, "a's words")  # never exported as a row
    b.postits.edit(postit.id, "b's words")  # later
    from_b = export(b, tmp_path / "b")
    take(a, from_b)
    assert a.postits.get(postit.id).comment == "b's words"
    from_a = export(a, tmp_path / "a")
    assert "postits" not in tables_in(from_a)  # a's words travel only as a kept version
    for path in (first, from_b, from_a):
        take(office, path)
    assert office.postits.get(postit.id).comment == "b's words"
    assert [c.other["comment"] for c in sync.conflicts(office)] == ["a's words"]
    kept = [json.loads(v)["comment"] for (v,) in office.db.execute("SELECT version FROM sync_conflicts")]
    # "original" is kept because the office held it when b's words arrived; a and b each
    # replaced it with their own edit, which keeps nothing.
    assert sorted(kept) == ["a's words", "original"]


def test_a_tombstone_beats_an_older_edit(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "original")
    take(b, export(a, tmp_path / "a"))
    b.postits.edit(postit.id, "older edit")
    a.postits.delete(postit.id)  # later
    for path in (export(a, tmp_path / "a"), export(b, tmp_path / "b")):
        take(office, path)
    assert office.postits.of(session.id) == []
    assert office.postits.get(postit.id, include_deleted=True).deleted_at is not None
    assert [c.other["comment"] for c in sync.conflicts(office)] == ["older edit"]


def test_sequential_edits_of_one_device_are_not_conflicts(devices, tmp_path):
    a, _b, office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "one")
    take(office, export(a, tmp_path / "a"))
    a.postits.edit(postit.id, "two")
    result = take(office, export(a, tmp_path / "a"))
    assert result.counts.conflicted == 0
    assert result.counts.updated >= 1
    assert sync.conflicts(office) == []
    assert office.postits.get(postit.id).comment == "two"


def test_resolving_a_conflict_by_taking_the_other_version_travels_and_converges(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "original")
    take(b, export(a, tmp_path / "a"))
    a.postits.edit(postit.id, "a's words")
    b.postits.edit(postit.id, "b's words")
    from_a, from_b = export(a, tmp_path / "a"), export(b, tmp_path / "b")
    take(office, from_a)
    take(office, from_b)
    [conflict] = sync.conflicts(office)
    sync.resolve_conflict(office, conflict.id[:10], take_other=True)
    assert office.postits.get(postit.id).comment == "a's words"
    assert sync.conflicts(office) == []
    # The decision reaches a and b, and all three agree.
    decision = export(office, tmp_path / "office")
    for device, other in ((a, from_b), (b, from_a)):
        take(device, other)
        take(device, decision)
    for _ in range(2):  # relay the versions each recorded, until nothing new
        paths = [export(s, tmp_path / n) for s, n in ((a, "a"), (b, "b"), (office, "office"))]
        for store in (a, b, office):
            for path in paths:
                take(store, path)
    assert sync.canonical_dump(a) == sync.canonical_dump(b) == sync.canonical_dump(office)
    assert sync.conflicts(a) == sync.conflicts(b) == []
    assert a.postits.get(postit.id).comment == "a's words"


def test_keeping_this_version_closes_the_conflict(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "original")
    take(b, export(a, tmp_path / "a"))
    a.postits.edit(postit.id, "a's words")
    b.postits.edit(postit.id, "b's words")
    for path in (export(a, tmp_path / "a"), export(b, tmp_path / "b")):
        take(office, path)
    [conflict] = sync.conflicts(office)
    with pytest.raises(FacilitatorError):
        sync.resolve_conflict(office, "zzzzzz", take_other=False)
    sync.resolve_conflict(office, conflict.id, take_other=False)
    assert sync.conflicts(office) == []
    assert office.postits.get(postit.id).comment == "b's words"


def test_a_post_it_on_another_devices_session_carries_its_session(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    take(b, export(a, tmp_path / "a"))
    b.postits.add(session.id, 2, "agree", "added on b")
    # The office gets b's bundle first: the session comes along with the post-it.
    result = take(office, export(b, tmp_path / "b"))
    assert result.tables["sessions"].added == 1
    assert [p.comment for p in office.postits.of(session.id)] == ["added on b"]


def test_the_discussion_tables_sync_with_the_post_its(devices, tmp_path):
    from facilitator.discussion import notes as discussion
    from facilitator.discussion import roster

    a, _b, office = devices
    session = new_session(a)
    roster.add_participant(a, session.id, "P1", "female", wants_interview=True)
    note = discussion.add_note(a, session.id, "Nobody asked us", kind="quote", speaker="P1", themes=["Trust"])
    result = take(office, export(a, tmp_path / "a"))
    for table in ("participants", "notes", "note_themes"):
        assert result.tables[table].added == 1, table
    assert discussion.note(office, note.id).theme_names == ("Trust",)
    assert [p.code for p in roster.participants(office, session.id)] == ["P1"]


def test_progress_is_reported_while_merging(devices, tmp_path):
    a, _b, office = devices
    session = new_session(a)
    a.postits.add(session.id, 1, "agree")
    seen: list[tuple[str, int, int]] = []
    take(office, export(a, tmp_path / "a"), progress=lambda *step: seen.append(step))
    assert seen[-1][1] == seen[-1][2] > 0
    assert any(what.startswith("merging postits") for what, _, _ in seen)


def test_export_refuses_to_overwrite_a_bundle(devices, tmp_path):
    a, _b, _office = devices
    target = tmp_path / "x.bundle"
    sync.export_bundle(a, target, plaintext=True)
    before = a.meta.get("sync_export_sequence")
    with pytest.raises(FacilitatorError, match="already exists"):
        sync.export_bundle(a, target, plaintext=True)
    assert a.meta.get("sync_export_sequence") == before


def test_unsent_sessions_are_those_with_changes_made_here_since_the_last_export(devices, tmp_path):
    a, b, _office = devices
    first, second = new_session(a, "One"), new_session(a, "Two")
    assert sync_state.unsent_sessions(a) == {first.id, second.id}
    take(b, export(a, tmp_path / "a"))
    assert sync_state.unsent_sessions(a) == set()
    a.postits.add(second.id, 1, "agree")
    assert sync_state.unsent_sessions(a) == {second.id}
    # Rows that came from another device are not this device's to send.
    assert sync_state.unsent_sessions(b) == set()


def test_resolving_a_conflict_is_a_local_write_stamped_by_the_stores_clock(tmp_path):
    late = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    with open_store(tmp_path / "a") as a, open_store(tmp_path / "b") as b:
        session = new_session(a)
        postit = a.postits.add(session.id, 1, "agree", "original")
        take(b, export(a, tmp_path / "a"))
        a.postits.edit(postit.id, "a's words")
        b.postits.edit(postit.id, "b's words")
        from_a, from_b = export(a, tmp_path / "a"), export(b, tmp_path / "b")
    office = open_store(tmp_path / "office", clock=Clock(lambda: late))
    try:
        take(office, from_a)
        take(office, from_b)
        [conflict] = sync.conflicts(office)
        sync.resolve_conflict(office, conflict.id, take_other=True)
        row = office.sync.row("postits", postit.id)
        assert row is not None
        assert row["device_id"] == office.device_id
        assert str(row["updated_at"]).startswith("2031-01-02T03:04:05")
        versions = office.sync.versions("postits", postit.id)
        assert versions and all(str(deleted).startswith("2031-01-02") for _, _, deleted in versions)
    finally:
        office.close()
