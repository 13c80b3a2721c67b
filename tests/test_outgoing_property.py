"""Whatever the order of edits, map changes and syncs, the office never holds a mapped name.

A laptop writes post-its and notes in two sessions of one consultation, whose text
mentions a few real words in any case, edits them, adds, changes and removes words of
either session's pseudonym map, and syncs with the office now and then. After every
sync round:

- no text the office holds contains a word of the laptop's current maps (a name one
  session maps is changed in the other's text too, as the report changes it);
- the office holds every text row exactly as the laptop sends it now
  (`outgoing_rows`): the rows a map change affects were sent again, so the office
  has converged on the current map, and no word of an earlier map survives there
  unless the current map lets it go (a removed mapping).
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from facilitator.core.clock import Clock
from facilitator.core.errors import FacilitatorError
from facilitator.discussion.anonymity import Anonymiser, remove_pseudonym, set_pseudonym
from facilitator.discussion.notes import add_note, edit_note
from facilitator.store import Store
from facilitator.sync import merge
from facilitator.sync.outgoing import outgoing_rows
from tests.sync_helpers import new_session, open_store, take

REAL = ["Darren", "Kayleigh", "Smith"]
CHANGED = ["Dave", "Kay", "Jones", "Dan"]
WORDS = st.sampled_from([*REAL, "darren", "KAYLEIGH", "smith's", "Darrens", "worker", "Darrenby", "the"])
TEXT = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)
TEXT_TABLES = {"postits": "comment", "notes": "text"}
START = datetime(2010, 5, 1, 9, 0, tzinfo=UTC)
# How far the time moves before each operation: often more than the overlap an export
# sends again (`merge.OVERLAP`), so that only rows stamped since the last export travel.
STEP = st.sampled_from([0, 1, 5])

# Two sessions of one consultation: a name one maps is changed in the other's text too.
SESSION = st.integers(0, 1)
OPERATION = st.one_of(
    st.tuples(st.just("postit"), SESSION, TEXT),
    st.tuples(st.just("note"), SESSION, TEXT),
    st.tuples(st.just("edit postit"), st.integers(0, 20), TEXT),
    st.tuples(st.just("edit note"), st.integers(0, 20), TEXT),
    *[st.tuples(st.just("map"), SESSION, st.sampled_from(REAL), st.sampled_from(CHANGED))] * 2,
    st.tuples(st.just("unmap"), SESSION, st.sampled_from(REAL)),
    *[st.tuples(st.just("sync"))] * 2,
)


def rows_of(store: Store, table: str) -> tuple[list[str], dict[object, tuple[object, ...]]]:
    columns = ["id", *[c for c in store.sync.columns(table) if c != "id"]]
    return columns, store.sync.own_rows(table, columns)


def sync(laptop: Store, office: Store, folder: Path) -> None:
    made = merge.export_bundle(laptop, folder, plaintext=True)
    take(office, made.path)


def check(laptop: Store, office: Store, session_ids: list[str]) -> None:
    every = {p.real: p.changed for s in session_ids for p in laptop.pseudonyms.of(s)}
    mapped = Anonymiser(every)
    for table, column in TEXT_TABLES.items():
        columns, rows = rows_of(laptop, table)
        sent = outgoing_rows(laptop, table, columns, rows)
        at = columns.index(column)
        held = office.sync.all_rows(table, columns)
        assert held == sent
        for row in held.values():
            assert mapped.spans(str(row[at])) == [], row[at]


@settings(max_examples=25, deadline=None)
@example(
    [
        (0, ("postit", 0, "Darren and KAYLEIGH")),
        (0, ("note", 1, "smith's worker")),
        (5, ("sync",)),
        (5, ("map", 0, "Darren", "Dave")),
        (0, ("map", 0, "Smith", "Jones")),
        (5, ("sync",)),
        (5, ("map", 0, "Darren", "Dan")),
        (0, ("unmap", 0, "Smith")),
        (0, ("map", 1, "Kayleigh", "Kay")),
        (5, ("sync",)),
    ]
)
@given(st.lists(st.tuples(STEP, OPERATION), max_size=25))
def test_the_office_never_holds_a_mapped_name_and_converges_on_the_laptops_pseudonymised_text(operations):
    now = [START]
    clock = Clock(lambda: now[0])
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        folder = root / "stick"
        folder.mkdir()
        with open_store(root / "laptop", clock) as laptop, open_store(root / "office", clock) as office:
            sessions = [new_session(laptop, label, data_dir=root / "laptop").id for label in ("One", "Two")]
            postits: list[str] = []
            notes: list[str] = []
            for minutes, operation in operations:
                now[0] += timedelta(minutes=minutes)
                kind = operation[0]
                if kind == "postit":
                    postits.append(laptop.postits.add(sessions[operation[1]], 1, "agree", operation[2]).id)
                elif kind == "note":
                    notes.append(add_note(laptop, sessions[operation[1]], operation[2]).id)
                elif kind == "edit postit" and postits:
                    laptop.postits.edit(postits[operation[1] % len(postits)], operation[2])
                elif kind == "edit note" and notes:
                    edit_note(laptop, notes[operation[1] % len(notes)], text=operation[2])
                elif kind == "map":
                    # A changed name already in use is refused, and nothing changes.
                    with suppress(FacilitatorError):
                        set_pseudonym(laptop, sessions[operation[1]], operation[2], operation[3])
                elif kind == "unmap":
                    with suppress(FacilitatorError):  # not in the map
                        remove_pseudonym(laptop, sessions[operation[1]], operation[2])
                elif kind == "sync":
                    sync(laptop, office, folder)
                    check(laptop, office, sessions)
            sync(laptop, office, folder)
            check(laptop, office, sessions)
