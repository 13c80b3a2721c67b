"""Three devices edit at random and swap bundles in random orders, with duplicates: all converge.

Each device has its own data folder. Operations are creates, edits, moves, deletes,
restores, exports, imports (of any bundle made so far, again and again) and
resolving conflicts. Then every device exports and imports everything until
nothing new travels, and:

- all three databases hold the same synced rows and the same conflicts;
- nothing is lost: every post-it ever made is there, and each device's latest version
  of every row it wrote is either the row as it is or kept in the conflicts table.
  (A device's earlier versions it superseded itself are not kept: such a version may
  have left in a bundle and been overwritten by every other device's own edit, while
  the device's later version lost a merge and travels in the conflicts table instead.)
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from facilitator.core.errors import FacilitatorError
from facilitator.store import Store, sync_state
from facilitator.sync import merge as sync
from tests.sync_helpers import new_session, open_store

RESPONSES = ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree"]
# Comments as the store takes them: any text but NUL (which it refuses, locally and in bundles).
COMMENT_CHARACTERS = st.characters(exclude_characters="\x00")
DEVICES = 3

operation = st.one_of(
    st.tuples(st.just("session"), st.integers(0, DEVICES - 1)),
    st.tuples(st.just("add"), st.integers(0, DEVICES - 1), st.integers(0, 50), st.integers(1, 4)),
    st.tuples(
        st.just("edit"),
        st.integers(0, DEVICES - 1),
        st.integers(0, 50),
        st.text(COMMENT_CHARACTERS, max_size=8),
    ),
    st.tuples(st.just("move"), st.integers(0, DEVICES - 1), st.integers(0, 50), st.sampled_from(RESPONSES)),
    st.tuples(st.just("delete"), st.integers(0, DEVICES - 1), st.integers(0, 50)),
    st.tuples(st.just("restore"), st.integers(0, DEVICES - 1), st.integers(0, 50)),
    # Exchanges are drawn three times as often as each edit, so devices edit shared rows.
    *[st.tuples(st.just("export"), st.integers(0, DEVICES - 1))] * 3,
    *[st.tuples(st.just("import"), st.integers(0, DEVICES - 1), st.integers(0, 50))] * 3,
    st.tuples(st.just("resolve"), st.integers(0, DEVICES - 1), st.booleans()),
)


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.stores: list[Store] = [open_store(root / f"device{i}") for i in range(DEVICES)]
        self.bundles: list[Path] = []
        self.postit_ids: set[str] = set()
        # The latest version of each row written by each device:
        # (table, row id, device id) -> (updated_at, version id)
        self.latest: dict[tuple[str, str, str], tuple[str, str]] = {}

    def export(self, index: int) -> None:
        folder = self.root / "bundles"
        folder.mkdir(exist_ok=True)
        self.bundles.append(sync.export_bundle(self.stores[index], folder, plaintext=True).path)

    def note_versions(self, index: int) -> None:
        """Remember the versions a device wrote: each is its own row until something replaces it.

        Called after every step that may write on that device, so no version is missed.
        """
        store = self.stores[index]
        for table in sync_state.synced_tables(store.db):
            if table == sync_state.CONFLICTS:
                continue
            columns = sync_state.table_columns(store.db, table)
            for row in store.db.execute(f"SELECT * FROM {table} WHERE device_id = ?", [store.device_id]):
                version = sync_state.version_row(table, columns, row)
                key = (table, str(version[2]), store.device_id)
                self.latest[key] = max(self.latest.get(key, ("", "")), (str(version[5]), str(version[0])))

    def resolve(self, index: int, take_other: bool) -> None:
        found = sync.conflicts(self.stores[index])
        if found:
            sync.resolve_conflict(self.stores[index], found[0].id, take_other=take_other)
        self.note_versions(index)

    def apply(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind, index, *args = op
        store = self.stores[index]
        sessions = store.sessions.all()
        postits = [p for s in sessions for p in store.postits.of(s.id)]
        every = sorted(
            (row[0] for row in store.db.execute("SELECT id FROM postits").fetchall()),
        )
        try:
            if kind == "session":
                new_session(store, f"group {len(sessions)}", self.root)
            elif kind == "add" and sessions:
                postit = store.postits.add(sessions[args[0] % len(sessions)].id, args[1], "agree", "x")
                self.postit_ids.add(postit.id)
            elif kind == "edit" and postits:
                store.postits.edit(postits[args[0] % len(postits)].id, args[1])
            elif kind == "move" and postits:
                store.postits.move(postits[args[0] % len(postits)].id, args[1])
            elif kind == "delete" and postits:
                store.postits.delete(postits[args[0] % len(postits)].id)
            elif kind == "restore" and every:
                store.postits.restore(every[args[0] % len(every)])
            elif kind == "export":
                self.export(index)
            elif kind == "import" and self.bundles:
                sync.import_bundle(store, self.bundles[args[0] % len(self.bundles)], force=True)
            elif kind == "resolve":
                self.resolve(index, args[0])
        except FacilitatorError as error:
            # Only a post-it whose session was deleted elsewhere may be refused.
            assert "unknown" in str(error), error
        self.note_versions(index)

    def settle(self, shuffle: random.Random) -> None:
        """Everyone exports and imports everything until a round carries nothing new."""
        for _round in range(6):
            start = len(self.bundles)
            for index in range(DEVICES):
                if sync.has_new_changes(self.stores[index]):
                    self.export(index)
            if len(self.bundles) == start and _round > 0:
                return
            for store in self.stores:
                order = list(self.bundles)
                shuffle.shuffle(order)
                for path in order + order[:2]:  # some twice
                    sync.import_bundle(store, path)
        raise AssertionError("the devices did not settle in 6 rounds")

    def close(self) -> None:
        for store in self.stores:
            store.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=st.lists(operation, min_size=10, max_size=40),
    seed=st.integers(0, 2**32 - 1),
)
# Device 0 shares the third post-it, then edits it again; devices 1 and 2 edit it too,
# so each overwrites the shared version with its own. Device 0's later version loses to
# device 1's when it imports, and leaves only in the conflicts table: the shared version
# is kept nowhere, rightly, since device 0 superseded it itself.
@example(
    ops=[("edit", 0, 2, "a"), ("edit", 1, 2, "b"), ("edit", 2, 2, "c"), ("export", 1), ("import", 0, 1)],
    seed=1,
)
def test_three_devices_converge_and_lose_nothing(ops, seed):
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder))
        try:
            # Start from a shared session with a few post-its, so that edits can collide.
            world.apply(("session", 0))
            for number in (1, 2, 3):
                world.apply(("add", 0, 0, number))
            world.export(0)
            world.apply(("import", 1, 0))
            world.apply(("import", 2, 0))
            for op in ops:
                world.apply(op)
            shuffle = random.Random(seed)
            world.settle(shuffle)
            # People at two devices settle the same conflicts, perhaps differently; all converge again.
            for index in range(2):
                for _ in range(2):
                    world.resolve(index, shuffle.random() < 0.5)
            world.settle(shuffle)
            dumps = [sync.canonical_dump(store) for store in world.stores]
            assert dumps[0] == dumps[1] == dumps[2]
            assert [c.id for c in sync.conflicts(world.stores[0])] == [
                c.id for c in sync.conflicts(world.stores[2])
            ]
            for store in world.stores:
                here = {row[0] for row in store.db.execute("SELECT id FROM postits").fetchall()}
                assert world.postit_ids <= here
                kept = {row[0] for row in store.db.execute("SELECT id FROM sync_conflicts").fetchall()}
                for (table, row_id, _device), (_stamp, version_id) in world.latest.items():
                    columns = sync_state.table_columns(store.db, table)
                    current = store.db.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id]).fetchone()
                    recorded = sync_state.version_row(table, columns, current)[0]
                    assert version_id in kept or version_id == recorded
        finally:
            world.close()
