"""The example consultation: five focus groups to practise on, loaded and removed in one go.

The data is `facilitator/example/example.toml`, shipped with the program. Loading goes
through the same use cases as a facilitator's own typing (sessions, post-its, roster,
pseudonyms, notes, the chart pool); every session is marked as an example, so that
screens and exports say so and no bundle carries it. Removing deletes them the way a
session is deleted, then the example consultation with its codebook and pool.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.core.example import EXAMPLE_LINE, EXAMPLE_MARK
from facilitator.discussion import anonymity, codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.exercise.pools import save_pool
from facilitator.store import NewPostit, Session, SessionDetails, Store

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "example" / "example.toml"
__all__ = ["EXAMPLE_LINE", "EXAMPLE_MARK", "Loaded", "load_example", "remove_example"]


@dataclass(frozen=True)
class Loaded:
    """What `load_example` made."""

    sessions: list[Session]
    postits: int
    notes: int


def example_data(path: Path = EXAMPLE_FILE) -> dict[str, Any]:
    """The example file, parsed."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise FacilitatorError(f"the example data cannot be read: {error}") from None


def example_sessions(store: Store) -> list[Session]:
    """The example sessions in this data folder, in the order they took place."""
    return store.sessions.examples()


def load_example(ws: Workspace, path: Path = EXAMPLE_FILE) -> Loaded:
    """Load the example consultation, marked as an example; refused if it is loaded already.

    If any step fails, what was made so far is removed again and the error raised.
    """
    store = ws.store
    if example_sessions(store):
        raise FacilitatorError(
            "the example is already loaded: remove it first ('facilitator example --remove')"
        )
    data = example_data(path)
    statement_set = ws.catalogue().get(str(data["statement_set"]))
    made: list[Session] = []
    try:
        by_label: dict[str, Session] = {}
        postits = 0
        for plan in data["sessions"]:
            session = store.sessions.create(
                statement_set,
                SessionDetails(
                    label=plan["label"],
                    cohort=plan["cohort"],
                    setting=plan["setting"],
                    consultation=data["consultation"],
                    location=plan.get("location", ""),
                    date=plan["date"],
                    facilitators=list(data.get("facilitators", [])),
                    male=plan["male"],
                    female=plan["female"],
                ),
                example=True,
            )
            made.append(session)
            codebook.seed_codebook(store, session, statement_set.themes)
            items = _postits(session, plan)
            store.postits.add_many(session.id, items)
            postits += len(items)
            by_label[session.label] = session
        for note in data.get("notes", []):
            _add_note(store, by_label[note["session"]], note)
        pool = data.get("pool")
        if pool:
            save_pool(store, pool["label"], [by_label[label].id for label in pool["sessions"]])
    except (FacilitatorError, KeyError, TypeError, ValueError) as error:
        _remove(store, made)
        if isinstance(error, FacilitatorError):
            raise
        raise FacilitatorError(f"the example data is not as expected: {error!r}") from None
    return Loaded(made, postits, len(data.get("notes", [])))


def _postits(session: Session, plan: dict[str, Any]) -> list[NewPostit]:
    """The post-its of one planned session: one digit per post-it, by the scale's entry keys."""
    by_entry = {str(category.entry): category.key for category in session.scale.categories}
    comments = {(c["statement"], c["postit"]): c["text"] for c in plan.get("comments", [])}
    return [
        NewPostit(number, by_entry[digit], comments.get((number, place), ""))
        for number, line in enumerate(plan["postits"], start=1)
        for place, digit in enumerate(line, start=1)
    ]


def _add_note(store: Store, session: Session, note: dict[str, Any]) -> None:
    speaker = note.get("speaker")
    code = None
    if speaker:
        code = speaker["code"]
        if roster.find_participant(store, session.id, code) is None:
            roster.add_participant(
                store, session.id, code, speaker["gender"], age_band=speaker.get("age_band")
            )
    if "pseudonym" in note:
        anonymity.set_pseudonym(store, session.id, note["pseudonym"]["real"], note["pseudonym"]["changed"])
    discussion.add_note(
        store,
        session.id,
        note["text"],
        kind=note.get("kind", "note"),
        speaker=code,
        themes=note.get("themes", []),
    )


def remove_example(store: Store) -> list[Session]:
    """Delete every example session with its post-its, notes, roster and map, every pool
    naming one, then the example consultation with its codebook; the sessions removed."""
    sessions = example_sessions(store)
    _remove(store, sessions)
    return sessions


def _remove(store: Store, sessions: list[Session]) -> None:
    from facilitator.actions.sessions import delete_session

    # A pool naming an example session is practice too, even when a real group shares the
    # example's consultation and so keeps it (and its pools) alive.
    ids = {s.id for s in sessions}
    for pool in store.pools.all():
        if ids & set(pool.session_ids):
            store.pools.remove(pool.id)
    for session in sessions:
        delete_session(store, session.id)
    for consultation_id in {s.consultation_id for s in sessions if s.consultation_id}:
        store.consultations.delete_if_unused(consultation_id)
