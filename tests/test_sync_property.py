"""Three devices with skewed clocks edit shared rows and swap bundles in any order: merging tells the truth.

Each device has its own data folder and its own clock, hours ahead of or behind the
true time (a fake that the test moves on). Each is enrolled at the others (`open_store`
introduces the folders of one test to each other), so every bundle is signed by the
device that made it and its signature checked by the one that takes it. Operations are creates (sessions and
post-its), edits, moves, deletes and restores, of a device's own post-its and of
post-its another device wrote and this one received; exports; imports of any bundle
made so far, in any order, again and again (sometimes forced to merge again); and
resolving conflicts. Then every device exports and imports everything until nothing
new travels, and:

- all three databases hold the same synced rows;
- every import counted each incoming row once, and truthfully: a row that lost the
  merge and differs in content from the winner is conflicted, never unchanged; so is
  a row this device held that lost to another device's version. Only versions that
  differ in stamps alone are unchanged or updated, and a device's own newer version
  replacing its older one is an update;
- every version that lost a merge on a device and differs from the winner is kept
  there in `sync_conflicts`, and listed by `conflicts()` until a person resolves it;
  unless the winner is a tombstone: a deleted row's words are kept nowhere, so no
  version of it is kept, and one kept before goes.

Bundles are made and taken only through `export` and `import_` below.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from facilitator.core.clock import Clock
from facilitator.core.errors import FacilitatorError
from facilitator.store import Store, sync_state
from facilitator.sync import merge as sync
from tests.sync_helpers import new_session, open_store, read_back, take

RESPONSES = ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree"]
# Comments as the store takes them: any text but NUL (which it refuses, locally and in bundles).
DEVICES = 3
START = datetime(2010, 5, 1, 9, 0, tzinfo=UTC)

device = st.integers(0, DEVICES - 1)
pick = st.integers(0, 50)
# Each operation comes with how far the true time moves before it: up to two minutes.
step = st.integers(0, 120_000_000)
operation = st.tuples(
    step,
    st.one_of(
        st.tuples(st.just("session"), device),
        st.tuples(st.just("add"), device, pick, st.integers(1, 4)),
        # Edits of a post-it another device wrote last are drawn as often as any edit.
        *[st.tuples(st.just(kind), device, pick, st.booleans()) for kind in ("edit", "move", "delete")],
        st.tuples(st.just("restore"), device, pick),
        *[st.tuples(st.just("export"), device)] * 3,
        *[st.tuples(st.just("import"), device, pick, st.booleans())] * 4,
        st.tuples(st.just("resolve"), device, st.booleans()),
    ),
)
# Clock offsets in minutes, one per device: hours apart, all within a day of one another.
offsets = st.lists(st.integers(-6 * 60, 6 * 60), min_size=DEVICES, max_size=DEVICES)


def content(columns: list[str], row: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(v for c, v in zip(columns, row, strict=True) if c not in sync.STAMP_COLUMNS)


class World:
    def __init__(self, root: Path, minutes: list[int]) -> None:
        self.root = root
        self.now = START
        self.stores: list[Store] = [
            open_store(root / f"device{i}", clock=Clock(self.source(timedelta(minutes=m))))
            for i, m in enumerate(minutes)
        ]
        self.bundles: list[Path] = []
        self.postit_ids: set[str] = set()
        # Versions that lost a merge on a device and differ from the winner:
        # (device, version id, row id).
        self.lost: set[tuple[int, str, str]] = set()
        self.merged = 0

    def forget(self, index: int, row_id: str) -> None:
        """A row deleted on a device: the versions of it kept there go with its words."""
        self.lost = {lost for lost in self.lost if lost[0] != index or lost[2] != row_id}

    def source(self, offset: timedelta) -> Callable[[], datetime]:
        return lambda: self.now + offset

    def export(self, index: int) -> Path:
        folder = self.root / "bundles"
        folder.mkdir(exist_ok=True)
        path = sync.export_bundle(self.stores[index], folder, plaintext=True).path
        self.bundles.append(path)
        return path

    def import_(self, index: int, path: Path, *, force: bool = False) -> bool:
        """Import one bundle, checking what the merge did to each row; False if it must wait for parents."""
        store = self.stores[index]
        read = read_back(path)
        tables = {t.table: t for t in read.tables}
        before = {
            t.table: store.sync.rows_by_id(t.table, t.columns, [r[0] for r in t.rows]) for t in read.tables
        }
        try:
            result = take(store, path, force=force)
        except sync.MissingParents:
            return False
        if result.skipped:
            return True
        self.merged += 1
        open_ids = {c.id for c in sync.conflicts(store)}
        for name, rows in tables.items():
            columns = list(rows.columns)
            after = store.sync.rows_by_id(name, columns, [r[0] for r in rows.rows])
            expected = sync.MergeCounts()
            for incoming in map(tuple, rows.rows):
                held, now = before[name].get(incoming[0]), after[incoming[0]]
                if held is None:
                    assert now == incoming
                    expected.added += 1
                    continue
                if held == incoming:
                    expected.unchanged += 1
                    continue
                assert now in (incoming, held), "the row is neither version"
                loser = held if now == incoming else incoming
                device_at = columns.index("device_id")
                succeeds = now == incoming and incoming[device_at] == held[device_at]
                if now[columns.index("deleted_at")] is not None:
                    # A delete won: its row's words go, and no losing version keeps them.
                    assert not store.db.execute(
                        "SELECT 1 FROM sync_conflicts WHERE table_name = ? AND row_id = ?", [name, now[0]]
                    ).fetchall(), f"a deleted row's version is kept on device {index}"
                    self.forget(index, str(now[0]))
                    if now == incoming:
                        expected.updated += 1
                    else:
                        expected.unchanged += 1
                elif content(columns, loser) != content(columns, now) and not succeeds:
                    expected.conflicted += 1
                    version = str(sync_state.version_row(name, columns, loser)[0])
                    self.lost.add((index, version, str(now[0])))
                    resolved = store.db.execute(
                        "SELECT deleted_at FROM sync_conflicts WHERE id = ?", [version]
                    ).fetchone()
                    assert resolved is not None, f"a version that lost on device {index} is not kept"
                    assert resolved[0] is not None or version in open_ids, "a kept version is not listed"
                elif now == incoming:
                    expected.updated += 1
                else:
                    expected.unchanged += 1
            # One count per incoming row, and a differing loser is never unchanged.
            assert result.tables[name] == expected, (name, result.tables[name], expected)
        return True

    def apply(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind, index, *args = op
        store = self.stores[index]
        sessions = store.sessions.all()
        postits = [p for s in sessions for p in store.postits.of(s.id)]
        if kind in {"edit", "move", "delete"} and args[1]:
            # A post-it another device wrote last, received here.
            written = {
                str(row[0])
                for row in store.db.execute("SELECT id FROM postits WHERE device_id != ?", [store.device_id])
            }
            postits = [p for p in postits if p.id in written] or postits
        every = sorted(str(row[0]) for row in store.db.execute("SELECT id FROM postits").fetchall())
        try:
            if kind == "session":
                # Labelled by the laptop that starts it: two laptops may each start their n-th group.
                new_session(store, f"group {len(sessions)} of laptop {index}", self.root)
            elif kind == "add" and sessions:
                postit = store.postits.add(sessions[args[0] % len(sessions)].id, args[1], "agree", "x")
                self.postit_ids.add(postit.id)
            elif kind == "edit" and postits:
                store.postits.edit(postits[args[0] % len(postits)].id, f"{index}:{self.now:%H%M%S%f}")
            elif kind == "move" and postits:
                store.postits.move(postits[args[0] % len(postits)].id, RESPONSES[args[0] % len(RESPONSES)])
            elif kind == "delete" and postits:
                deleted = store.postits.delete(postits[args[0] % len(postits)].id)
                self.forget(index, deleted.id)
            elif kind == "restore" and every:
                # Only what is stored comes back: a tombstone's comment is gone.
                store.postits.restore(store.postits.get(every[args[0] % len(every)], include_deleted=True))
            elif kind == "export":
                self.export(index)
            elif kind == "import" and self.bundles:
                self.import_(index, self.bundles[args[0] % len(self.bundles)], force=args[1])
            elif kind == "resolve":
                found = sync.conflicts(store)
                if found:
                    sync.resolve_conflict(store, found[0].id, take_other=args[0])
        except FacilitatorError as error:
            # Only a post-it whose session was deleted elsewhere may be refused.
            assert "unknown" in str(error), error

    def settle(self, shuffle: random.Random) -> None:
        """Everyone exports and imports everything until a round carries nothing new."""
        for round_ in range(6):
            start = len(self.bundles)
            for index in range(DEVICES):
                if sync.has_new_changes(self.stores[index]):
                    self.export(index)
            if len(self.bundles) == start and round_ > 0:
                return
            for index in range(DEVICES):
                order = list(self.bundles)
                shuffle.shuffle(order)
                pending = order + order[:2]  # some twice
                while pending:
                    waiting = [path for path in pending if not self.import_(index, path)]
                    assert len(waiting) < len(pending), "bundles wait for parents no bundle holds"
                    pending = waiting
                self.now += timedelta(seconds=shuffle.randrange(60))
        raise AssertionError("the devices did not settle in 6 rounds")

    def close(self) -> None:
        for store in self.stores:
            store.close()


def play(root: Path, minutes: list[int], ops: list[tuple], seed: int) -> World:  # type: ignore[type-arg]
    world = World(root, minutes)
    # Start from a shared session with a few post-its, so that edits can collide.
    world.apply(("session", 0))
    for number in (1, 2, 3):
        world.apply(("add", 0, 0, number))
    first = world.export(0)
    for index in range(1, DEVICES):
        world.import_(index, first)
    for microseconds, op in ops:
        world.now += timedelta(microseconds=microseconds)
        world.apply(op)
    world.settle(random.Random(seed))
    return world


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(minutes=offsets, ops=st.lists(operation, min_size=10, max_size=40), seed=st.integers(0, 2**32 - 1))
# Device 1 runs hours behind: it edits device 0's post-it after receiving it, device 2 too;
# device 0 then takes an old bundle of its own again, forced: its older version loses.
@example(
    minutes=[120, -300, 30],
    ops=[
        (1, ("edit", 1, 0, True)),
        (1, ("edit", 2, 0, True)),
        (1, ("export", 1)),
        (1, ("export", 2)),
        (1, ("import", 0, 1, False)),
        (1, ("import", 0, 2, False)),
        (1, ("import", 1, 2, False)),
        (1, ("edit", 0, 0, False)),
        (1, ("export", 0)),
        (1, ("import", 2, 0, True)),
        (1, ("import", 2, 3, False)),
    ],
    seed=1,
)
def test_three_devices_converge_and_every_lost_version_is_kept_and_counted(minutes, ops, seed):
    with tempfile.TemporaryDirectory() as folder:
        world = play(Path(folder), minutes, ops, seed)
        try:
            # People at two devices settle conflicts, perhaps differently; all converge again.
            shuffle = random.Random(seed)
            for index in range(2):
                for _ in range(2):
                    world.apply(("resolve", index, shuffle.random() < 0.5))
            world.settle(shuffle)
            dumps = [sync.canonical_dump(store) for store in world.stores]
            assert dumps[0] == dumps[1] == dumps[2]
            for index, store in enumerate(world.stores):
                here = {row[0] for row in store.db.execute("SELECT id FROM postits").fetchall()}
                assert world.postit_ids <= here
                kept = {row[0] for row in store.db.execute("SELECT id FROM sync_conflicts").fetchall()}
                assert {version for i, version, _row in world.lost if i == index} <= kept
        finally:
            world.close()
