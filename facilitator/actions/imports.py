"""Importing post-its from a CSV file: a transcribed wall, or another session's CSV export."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from facilitator.core.errors import FacilitatorError, ItemError
from facilitator.store import Postit, Session, Store


@dataclass(frozen=True)
class PostitImport:
    """What an import added: `count` post-its, of which `repeats` match ones already recorded."""

    session: Session
    count: int
    repeats: int


def import_postits(store: Store, session: Session, path: Path) -> PostitImport:
    """Add the post-its of a CSV file to a session: all or nothing.

    The file has the columns statement,response,comment[,participant], or those
    of a post-it CSV export (of any session: its post-its become new post-its of
    this one). One bad row, named by its line, imports nothing.
    """
    from facilitator.actions.purge import refuse_purged
    from facilitator.outputs.postit_csv import read_postit_csv

    refuse_purged(store, session, "importing into")

    items, lines = read_postit_csv(path)
    before = store.postits.of(session.id)
    try:
        count = store.postits.add_many(session.id, items)
    except ItemError as error:
        raise FacilitatorError(
            f"{path} line {lines[error.index]}: {error.reason}; nothing imported"
        ) from None
    return PostitImport(session, count, matching_postits(before, store.postits.of(session.id)))


def matching_postits(before: list[Postit], after: list[Postit]) -> int:
    """How many post-its new in `after` repeat one of `before` (statement, response, comment, participant).

    Each earlier post-it matches at most one new one, so importing a file twice
    reports every row, and a wall with two identical post-its is not flagged.
    """

    def key(p: Postit) -> tuple[int, str, str, str | None]:
        return (p.statement_number, p.response_key, p.comment, p.participant)

    earlier = Counter(key(p) for p in before)
    old_ids = {p.id for p in before}
    repeats = 0
    for postit in after:
        if postit.id not in old_ids and earlier[key(postit)] > 0:
            earlier[key(postit)] -= 1
            repeats += 1
    return repeats
