"""The privacy check on what leaves the laptop: identifying details left in an export.

The pseudonym map replaces the names it knows on export, but a prison number or a
phone number written on a post-it goes out as it was written (an export never
alters a comment silently). `session_findings` runs `anonymity.detect` over a
session's comments and notes *as they would be exported* (after the map is
applied) and says where each finding is, so the exporting command can warn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from facilitator.discussion.anonymity import Anonymiser, detect
from facilitator.store import Session, Store

# What an export warns about: details no pseudonym map can catch. Capitalised words
# that may be names are many and mostly harmless (places, services, pseudonyms
# themselves), so they are listed only on request (`facilitator privacy --names`).
EXPORT_KINDS = frozenset({"prison_number", "phone", "date"})
EXCERPT_MAX = 40
# How a finding's kind reads in a sentence for the facilitator.
KIND_WORDS = {
    "prison_number": "Prison number",
    "phone": "Phone number",
    "date": "Date",
    "name": "Likely name",
    "pseudonym": "Name in the pseudonym map",
}


@dataclass(frozen=True)
class PrivacyFinding:
    """One likely identifying detail in exported text, and where it is."""

    session_label: str
    location: str  # e.g. "statement 3 post-it P2", "note (P1)", "quote", "case study"
    item_id: str
    kind: str
    reason: str
    excerpt: str
    place: str = ""  # e.g. "in a comment on statement 3 (P2)", "in a note"

    def line(self, *, with_session: bool = False) -> str:
        where = f"{self.session_label}: {self.location}" if with_session else self.location
        return f"{where}: {self.kind.replace('_', ' ')} {self.excerpt!r} ({self.reason})"

    def sentence(self, *, with_session: bool = False) -> str:
        """The finding in plain words: "Prison number A1234BC in a comment on statement 2"."""
        excerpt = f"'{self.excerpt}'" if self.kind in ("name", "pseudonym") else self.excerpt
        said = f"{KIND_WORDS.get(self.kind, self.kind.replace('_', ' '))} {excerpt} {self.place}".rstrip()
        return f"{said} ({self.session_label})" if with_session else said


def _scan(
    session: Session,
    location: str,
    place: str,
    item_id: str,
    text: str,
    kinds: frozenset[str] | None,
    pseudonyms: frozenset[str],
) -> Iterable[PrivacyFinding]:
    for finding in detect(text):
        excerpt = finding.excerpt(text)
        if kinds is not None and finding.kind not in kinds:
            continue
        if finding.kind == "name" and excerpt.casefold() in pseudonyms:
            continue  # a pseudonym the map put there
        if len(excerpt) > EXCERPT_MAX:
            excerpt = excerpt[: EXCERPT_MAX - 1] + "…"
        yield PrivacyFinding(session.label, location, item_id, finding.kind, finding.reason, excerpt, place)


def session_findings(
    store: Store,
    session: Session,
    *,
    postits: bool = True,
    notes: bool = True,
    kinds: frozenset[str] | None = EXPORT_KINDS,
) -> list[PrivacyFinding]:
    """Likely identifying details in a session's comments and notes after the pseudonym map.

    `kinds` limits the kinds reported (None: every kind `anonymity.detect` finds,
    except names that are pseudonyms from the map). Post-its come first, in
    statement order, then notes in the order they were taken.
    """
    from facilitator.discussion import notes as discussion
    from facilitator.discussion.anonymity import pseudonyms as session_pseudonyms

    anonymise = Anonymiser.for_session(store, session.id)
    changed = frozenset(p.changed.casefold() for p in session_pseudonyms(store, session.id))
    found: list[PrivacyFinding] = []
    if postits:
        for postit in store.postits.of(session.id):
            if not postit.comment:
                continue
            where = f"statement {postit.statement_number} post-it"
            place = f"in a comment on statement {postit.statement_number}"
            if postit.participant:
                where += f" {postit.participant}"
                place += f" ({postit.participant})"
            text = anonymise(postit.comment)
            found.extend(_scan(session, where, place, postit.id, text, kinds, changed))
    if notes:
        for note in discussion.notes(store, session.id):
            where = note.kind.replace("_", " ")
            if note.participant:
                where += f" ({note.participant})"
            place = f"in a {where}"
            found.extend(_scan(session, where, place, note.id, anonymise(note.text), kinds, changed))
            if note.title:
                found.extend(
                    _scan(
                        session,
                        where,
                        f"in the title of a {where}",
                        note.id,
                        anonymise(note.title),
                        kinds,
                        changed,
                    )
                )
    return found
