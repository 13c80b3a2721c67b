"""Sessions: create, edit, close, reopen and delete one; seed its codebook.

A new session's codebook is seeded from its statement set's starter themes, from
the command line and from the session form alike, and so is the codebook a
session joins when an edit moves it into a consultation.
"""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.core.literal import visible
from facilitator.discussion import codebook
from facilitator.store import Session, SessionDetails, Store


def seed_codebook(ws: Workspace, session: Session) -> int:
    """Fill the session's codebook with its statement set's starter themes, if it never held one.

    Returns how many themes were added (0 when the codebook is in use, or the set
    has no starter themes or is no longer on disk).
    """
    return codebook.seed_codebook(ws.store, session, codebook.starter_themes(ws.catalogue(), session))


def _keep_out_of_the_example(ws: Workspace, details: SessionDetails, session_id: str | None = None) -> None:
    """Refuse to put a real session into the example's consultation: its charts and report would
    mix practice data with real answers, and removing the example would take the pools along."""
    wanted = " ".join(details.consultation.split()).casefold()
    if not wanted:
        return
    sessions = ws.store.sessions.all()
    if any(s.id == session_id and s.example for s in sessions):
        return  # an example session keeps its own consultation
    if any(s.example and s.consultation.casefold() == wanted for s in sessions):
        raise FacilitatorError(
            f"{visible(details.consultation)!r} is the example's consultation: "
            "give a real session a consultation of its own."
        )


def create_session(ws: Workspace, set_id: str, details: SessionDetails) -> Session:
    """Create a session on the statement set `set_id` (frozen as it is now), its codebook seeded."""
    statement_set = ws.catalogue().get(set_id)
    _keep_out_of_the_example(ws, details)
    session = ws.store.sessions.create(statement_set, details)
    codebook.seed_codebook(ws.store, session, statement_set.themes)
    return session


def edit_session(ws: Workspace, session_id: str, details: SessionDetails) -> Session:
    """Change a session's details; a codebook it now shares (a new consultation's) is seeded if new."""
    _keep_out_of_the_example(ws, details, session_id)
    session = ws.store.sessions.update(session_id, details)
    seed_codebook(ws, session)
    return session


@dataclass(frozen=True)
class Closing:
    """A session after `close_session`, and whether it was closed already."""

    session: Session
    already: bool


def close_session(store: Store, session_id: str) -> Closing:
    """Mark a session closed: its exercise is over (closing twice changes nothing)."""
    found = store.sessions.get(session_id)
    if found.is_closed:
        return Closing(found, already=True)
    return Closing(store.sessions.close(found.id), already=False)


def reopen_session(store: Store, session_id: str) -> Session:
    """Open a closed session again."""
    return store.sessions.reopen(session_id)


def delete_session(store: Store, session_id: str) -> Session:
    """Delete a session with its post-its, notes, roster, pseudonym map and own themes.

    Tombstones, so sync carries it; each blanks its row's text in the same transaction.
    """
    return store.sessions.delete(session_id)
