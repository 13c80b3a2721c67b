"""Bundles carry a device's own changes; merging them is idempotent, commutative and keeps losers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from facilitator.core.clock import Clock
from facilitator.core.errors import FacilitatorError
from facilitator.store import SYNCED_TABLES, Store
from facilitator.sync import bundle
from facilitator.sync import merge as sync
from facilitator.sync.status import session_status, session_statuses
from tests.sync_helpers import new_session, open_store, read_back, reissue, signer_of, take


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
    assert session_status(a, session.id).status == "exported"
    second = a.postits.add(session.id, 2, "disagree")
    assert session_status(a, session.id).status == "local"
    rows = tables_in(export(a, tmp_path / "out"))
    postit_ids = {row[0] for row in rows["postits"].rows}
    # The new post-it goes; the first goes again only because it falls in the overlap window.
    assert second.id in postit_ids
    assert set(rows) >= {"devices", "sessions"}  # the device, and the new post-it's parent
    assert session_status(a, session.id).status == "exported"
    assert sync.has_new_changes(a) is False
    assert first.id in {p.id for p in office.postits.of(session.id)}


def test_everything_flag_exports_every_row_this_device_wrote_and_no_other(devices, tmp_path):
    a, b, _office = devices
    session = new_session(a)
    a.postits.add(session.id, 1, "agree")
    take(b, export(a, tmp_path / "a"))
    b_only = export(b, tmp_path / "b")
    mine = b.postits.add(session.id, 2, "disagree", "added on b")
    everything = export(b, tmp_path / "b2", everything=True)
    assert "postits" not in tables_in(b_only)
    tables = tables_in(everything)
    # b's post-it and b's device row; a's session, post-it and device row are a's to send.
    assert set(tables) == {"devices", "postits"}
    assert [row[0] for row in tables["postits"].rows] == [mine.id]
    assert [row[0] for row in tables["devices"].rows] == [b.device_id]
    assert read_back(everything).manifest.complete


def test_every_row_of_a_bundle_was_written_by_the_device_that_made_it(devices, tmp_path):
    a, b, _office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "from a")
    take(b, export(a, tmp_path / "a"))
    b.postits.edit(postit.id, "edited on b")
    b.postits.add(session.id, 2, "agree", "added on b")
    for path in (export(b, tmp_path / "b"), export(b, tmp_path / "b2", everything=True)):
        for rows in tables_in(path).values():
            at = rows.columns.index("device_id")
            assert {row[at] for row in rows.rows} == {b.device_id}, rows.table


def test_bundles_never_hold_tables_outside_synced_tables(devices, tmp_path):
    from facilitator.discussion.anonymity import set_pseudonym

    a, _b, _office = devices
    set_pseudonym(a, new_session(a).id, "Jane", "Sharon")
    path = export(a, tmp_path / "out", everything=True)
    assert set(tables_in(path)) <= set(SYNCED_TABLES)
    assert "pseudonyms" not in tables_in(path)
    payload = json.dumps([t.rows for t in tables_in(path).values()])
    assert "Jane" not in payload and "Sharon" not in payload


LOCAL_ONLY = {
    "meta": (["key", "value"], ["device_id", "stolen"]),
    "sync_bundles": (["file_sha256", "payload_sha256", "direction"], ["x", "y", "in"]),
    "pseudonyms": (["id", "session_id", "real_name", "pseudonym"], ["p", "s", "Jane", "Sharon"]),
    "sync_conflicts": (
        ["id", "table_name", "row_id", "version", "created_at", "updated_at", "device_id", "deleted_at"],
        ["c", "postits", "r", "{}", "2020-01-01T00:00:00.000000Z", "2020-01-01T00:00:00.000000Z", "d", None],
    ),
}


@pytest.mark.parametrize("table", sorted(LOCAL_ONLY))
def test_a_bundle_with_a_local_only_table_is_refused(devices, tmp_path, table):
    a, _b, office = devices
    before = {t: office.db.execute(f"SELECT * FROM {t}").fetchall() for t in ("meta", "sync_conflicts")}
    columns, row = LOCAL_ONLY[table]
    forged = tmp_path / "forged.bundle"
    data, _ = bundle.encode(
        a.device_id,
        1,
        "2020-01-01T00:00:00.000000Z",
        [bundle.TableRows(table, columns, [row])],
        complete=False,
        recipients=None,
        signer=signer_of(a),
    )
    forged.write_bytes(data)
    with pytest.raises(FacilitatorError, match="never synced"):
        take(office, forged)
    assert office.meta.get("device_id") == office.device_id
    assert {t: office.db.execute(f"SELECT * FROM {t}").fetchall() for t in before} == before


def test_conflicts_never_travel(devices, tmp_path):
    a, b, _office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "original")
    take(b, export(a, tmp_path / "a"))
    a.postits.edit(postit.id, "a's words")
    b.postits.edit(postit.id, "b's words")  # later
    take(a, export(b, tmp_path / "b"))
    assert [c.other["comment"] for c in sync.conflicts(a)] == ["a's words"]
    assert "sync_conflicts" not in SYNCED_TABLES
    assert "sync_conflicts" not in tables_in(export(a, tmp_path / "a2", everything=True))
    assert sync.has_new_changes(a) is False  # recording a conflict is no change to send


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
            # A bundle before the one holding its parents waits for it.
            assert all(o.error is None for o in sync.import_bundles(office, order, allow_plaintext=True))
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


def test_an_edit_that_lost_before_it_left_its_device_stays_there_as_a_conflict(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "original")
    first = export(a, tmp_path / "a")
    take(b, first)
    a.postits.edit(postit.id, "a's words")  # never exported
    b.postits.edit(postit.id, "b's words")  # later
    from_b = export(b, tmp_path / "b")
    result = take(a, from_b)
    assert result.tables["postits"].conflicted == 1
    assert a.postits.get(postit.id).comment == "b's words"
    assert [c.other["comment"] for c in sync.conflicts(a)] == ["a's words"]
    from_a = export(a, tmp_path / "a")
    assert "postits" not in tables_in(from_a)  # b's words are b's to send; a's words stay on a
    for path in (first, from_b, from_a):
        take(office, path)
    assert office.postits.get(postit.id).comment == "b's words"
    # The office saw "original" replaced by another device's version: that is its conflict.
    assert [c.other["comment"] for c in sync.conflicts(office)] == ["original"]
    kept = [json.loads(v)["comment"] for (v,) in office.db.execute("SELECT version FROM sync_conflicts")]
    assert kept == ["original"]


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
    tombstone = office.postits.get(postit.id, include_deleted=True)
    assert tombstone.deleted_at is not None and tombstone.comment == ""
    # The delete wins: the older edit's words are not kept as a losing version either.
    assert sync.conflicts(office) == []
    assert office.db.execute("SELECT COUNT(*) FROM sync_conflicts").fetchone()[0] == 0


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


def test_resolving_a_conflict_by_taking_the_other_version_is_an_edit_that_travels(devices, tmp_path):
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
    # The decision is the office's edit: it reaches a and b, and all three agree.
    decision = export(office, tmp_path / "office")
    assert [row[0] for row in tables_in(decision)["postits"].rows] == [postit.id]
    for device, other in ((a, from_b), (b, from_a)):
        take(device, other)
        take(device, decision)
    paths = [export(s, tmp_path / n) for s, n in ((a, "a"), (b, "b"), (office, "office"))]
    for store in (a, b, office):
        for path in paths:
            take(store, path)
    assert sync.canonical_dump(a) == sync.canonical_dump(b) == sync.canonical_dump(office)
    assert sync.conflicts(office) == []
    assert a.postits.get(postit.id).comment == "a's words"
    # Each laptop saw b's words replaced by another device's version: its own to review.
    assert [c.other["comment"] for c in sync.conflicts(a)] == ["b's words"]
    assert [c.other["comment"] for c in sync.conflicts(b)] == ["b's words"]


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


def test_a_post_it_on_another_devices_session_waits_for_that_devices_bundle(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    from_a = export(a, tmp_path / "a")
    take(b, from_a)
    b.postits.add(session.id, 2, "agree", "added on b")
    from_b = export(b, tmp_path / "b")
    assert "sessions" not in tables_in(from_b)  # a's session is a's to send
    with pytest.raises(sync.MissingParents, match="in neither the bundle nor this database"):
        take(office, from_b)
    # Given both, in the wrong order, the office takes a's first and then b's.
    outcomes = sync.import_bundles(office, [from_b, from_a], allow_plaintext=True)
    assert [(o.path, o.error) for o in outcomes] == [(from_a, None), (from_b, None)]
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


def test_local_sessions_are_those_with_changes_made_here_since_a_bundle_carried_them(devices, tmp_path):
    a, b, _office = devices
    first, second = new_session(a, "One"), new_session(a, "Two")
    assert statuses(a) == {first.id: "local", second.id: "local"}
    take(b, export(a, tmp_path / "a"))
    assert statuses(a) == {first.id: "exported", second.id: "exported"}
    a.postits.add(second.id, 1, "agree")
    assert statuses(a) == {first.id: "exported", second.id: "local"}
    # Rows that came from another device are not this device's to send.
    assert statuses(b) == {}


def statuses(store: Store) -> dict[str, str]:
    return {session_id: s.status for session_id, s in session_statuses(store).items()}


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


def rewrite(path: Path, out: Path, change: Callable[[str, dict[str, object]], None]) -> Path:
    """The bundle at `path`, its rows changed in place by `change(table, row)`, as a new file `out`."""

    def each_row(tables: list[bundle.TableRows]) -> list[bundle.TableRows]:
        for rows in tables:
            for row in rows.rows:
                values = dict(zip(rows.columns, row, strict=True))
                change(rows.table, values)
                row[:] = [values[c] for c in rows.columns]  # type: ignore[index]
        return tables

    return reissue(path, out, each_row, sequence=read_back(path).manifest.sequence + 1000)


def test_an_older_version_from_the_same_device_that_differs_is_a_conflict(devices, tmp_path):
    a, _b, office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "one")
    older = export(a, tmp_path / "a")
    a.postits.edit(postit.id, "two")
    newer = export(a, tmp_path / "a")
    take(office, newer)
    result = take(office, older)
    assert (result.tables["postits"].conflicted, result.tables["postits"].unchanged) == (1, 0)
    assert office.postits.get(postit.id).comment == "two"
    [conflict] = sync.conflicts(office)
    assert (conflict.other["comment"], conflict.other["device_id"]) == ("one", a.device_id)
    assert conflict.current["device_id"] == a.device_id


def test_a_version_stamped_far_ahead_never_hides_a_later_edit(devices, tmp_path):
    """A version stamped in 9999 is refused outright. One stamped 23 hours ahead (within the
    day a clock may be off) wins its merges; each real edit after it is a conflict, not unchanged."""
    a, _b, _office = devices
    # An office with a clock of its own: the one the test's other stores share would be
    # raised by the stamp it takes, and stamp a's edit after it.
    office = open_store(tmp_path / "office-own-clock", clock=Clock())
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "real words")
    real = export(a, tmp_path / "a")

    def ahead(stamp: str) -> Callable[[str, dict[str, object]], None]:
        def change(table: str, row: dict[str, object]) -> None:
            if table == "postits":
                row["comment"], row["updated_at"] = "planted", stamp

        return change

    before = office.sync.dump()
    with pytest.raises(sync.RowRefused, match=r"9999-01-01T00:00:00\.000000Z is more than a day ahead"):
        take(office, rewrite(real, tmp_path / "far.bundle", ahead("9999-01-01T00:00:00.000000Z")))
    assert office.sync.dump() == before
    soon = (datetime.now(UTC) + timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    take(office, rewrite(real, tmp_path / "planted.bundle", ahead(soon)))
    a.postits.edit(postit.id, "a later real edit")
    result = take(office, export(a, tmp_path / "a"))
    assert result.tables["postits"].conflicted == 1
    assert result.tables["postits"].unchanged == 0
    assert office.postits.get(postit.id).comment == "planted"
    assert [c.other["comment"] for c in sync.conflicts(office)] == ["a later real edit"]
    office.close()


def test_versions_that_differ_only_in_stamps_are_no_conflict(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    postit = a.postits.add(session.id, 1, "agree", "same words")
    first = export(a, tmp_path / "a")
    take(office, first)

    def restamped(table: str, row: dict[str, object]) -> None:
        if table == "postits":
            row["updated_at"] = "2000-01-01T00:00:00.000000Z"

    older = take(office, rewrite(first, tmp_path / "older.bundle", restamped))
    assert (older.tables["postits"].unchanged, older.tables["postits"].conflicted) == (1, 0)
    # b writes the same words again: its version wins and replaces a's, losing nothing.
    take(b, first)
    b.postits.edit(postit.id, "other words")
    b.postits.edit(postit.id, "same words")
    later = take(office, export(b, tmp_path / "b"))
    assert (later.tables["postits"].updated, later.tables["postits"].conflicted) == (1, 0)
    assert sync.conflicts(office) == []


def test_a_bundle_with_a_row_another_device_wrote_is_refused_before_anything_is_written(devices, tmp_path):
    a, b, office = devices
    session = new_session(a)
    a.postits.add(session.id, 1, "agree", "from a")
    path = export(a, tmp_path / "a")
    before = sync.canonical_dump(office)

    def claimed_by_b(table: str, row: dict[str, object]) -> None:
        if table == "postits":
            row["device_id"] = b.device_id

    forged = rewrite(path, tmp_path / "forged.bundle", claimed_by_b)
    with pytest.raises(FacilitatorError, match="written by device") as refused:
        take(office, forged)
    message = str(refused.value)
    assert "\n" not in message and "postits row" in message
    assert b.device_id[:8] in message and a.device_id[:8] in message
    assert sync.canonical_dump(office) == before


def test_a_case_studys_title_travels_with_the_pseudonym_map_applied(devices, tmp_path):
    from facilitator.discussion import notes as discussion
    from facilitator.discussion.anonymity import set_pseudonym

    a, _b, office = devices
    session = new_session(a)
    set_pseudonym(a, session.id, "Darren", "Dave")
    case = discussion.add_note(a, session.id, "Darren moved often", kind="case_study", title="Darren")
    path = export(a, tmp_path / "a")
    notes = tables_in(path)["notes"]
    (row,) = notes.rows
    sent = dict(zip(notes.columns, row, strict=True))
    assert (sent["title"], sent["text"], sent["position"]) == ("Dave", "Dave moved often", 1)
    take(office, path)
    assert discussion.note(office, case.id).title == "Dave"
    assert discussion.note(a, case.id).title == "Darren"  # the laptop keeps its own words


def test_a_bundle_from_a_laptop_before_titles_still_imports(devices, tmp_path):
    from facilitator.discussion import notes as discussion

    a, _b, office = devices
    session = new_session(a)
    notes = [discussion.add_note(a, session.id, text) for text in ("one", "two")]

    def as_schema_5(tables):
        changed = []
        for rows in tables:
            if rows.table == "notes":
                kept = [i for i, c in enumerate(rows.columns) if c not in ("title", "position")]
                columns = [rows.columns[i] for i in kept]
                rows = bundle.TableRows("notes", columns, [[row[i] for i in kept] for row in rows.rows])
            changed.append(rows)
        return changed

    old = reissue(export(a, tmp_path / "a"), tmp_path / "old", as_schema_5)
    assert "title" not in tables_in(old)["notes"].columns
    assert take(office, old).tables["notes"].added == 2
    arrived = discussion.notes(office, session.id)
    assert [(n.text, n.title) for n in arrived] == [("one", ""), ("two", "")]
    discussion.move_note(office, notes[1].id, -1)  # notes without an order still move
    assert [n.text for n in discussion.notes(office, session.id)] == ["two", "one"]
