"""The synced columns that hold free text, which the pseudonym map applies to when rows leave.

A bundle carries these columns with the session's pseudonym map applied
(`facilitator.sync.outgoing`; which map applies to which row: `OutgoingMaps`).
Every other column is an id, a stamp, a number, a key or a code that a check keeps
to a fixed form, or a session's frozen scale and statements (which never change
once a session starts, and come from a statement set, not from the room).

When a session's map changes, the rows whose outgoing text may change with it are
stamped again here (`restamp_mentions`), in the same transaction as the change,
so that the next bundle carries them with the new replacement.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from facilitator.store.anonymiser import Anonymiser, fold
from facilitator.store.codebook import MAX_THEME
from facilitator.store.connection import quote
from facilitator.store.notes import MAX_TITLE
from facilitator.store.records import MAX_COMMENT, MAX_LABEL, MAX_SHORT_TEXT
from facilitator.store.roster import MAX_COHORT

if TYPE_CHECKING:
    from facilitator.store.database import Store
    from facilitator.store.writer import Writer

# Per synced table, its free-text columns and the longest value a row may hold in each
# (text made longer by a changed name is cut to fit). `devices.name` names a laptop,
# not a person in a session, and no session's map applies to it.
FREE_TEXT: dict[str, dict[str, int]] = {
    "consultations": {"title": MAX_SHORT_TEXT},
    "sessions": {"label": MAX_LABEL, "cohort": MAX_SHORT_TEXT, "location": MAX_SHORT_TEXT},
    "postits": {"comment": MAX_COMMENT},
    "participants": {"cohort": MAX_COHORT},
    "themes": {"name": MAX_THEME},
    "notes": {"text": MAX_COMMENT, "title": MAX_TITLE},
    "chart_pools": {"label": MAX_LABEL},
}
# JSON lists of text: a session's facilitators may be written as names, so the map
# applies to each of the list's strings, and the value stays a JSON list.
JSON_TEXT: dict[str, dict[str, int]] = {"sessions": {"facilitators": MAX_LABEL}}
_CUT = "…"


def pseudonymised(text: str, limit: int, anonymiser: Anonymiser) -> str:
    """A free-text value as it leaves: the map applied, and cut to `limit` characters
    (ending '…') if a changed name made it longer.

    The cut falls at a space where it can, and never leaves a mapped word at its end.
    """
    text = anonymiser(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - len(_CUT)]
    space = cut.rfind(" ")
    if space > 0:
        cut = cut[:space]
    spans = anonymiser.spans(cut)
    while spans:
        cut = cut[: spans[-1][0]]
        spans = anonymiser.spans(cut)
    return cut.rstrip() + _CUT


_NONE = Anonymiser({})


class OutgoingMaps:
    """Which pseudonym map the text of a row leaves with, read once for many rows.

    - A session's text: its own map first; then, for words its own map does not
      hold, the maps of the other sessions of its consultation here, the earliest
      first (`Anonymiser.per_session`, as the report does: the same person can come
      up in two groups, and a name changed in one must not leave unchanged from the
      other).
    - A consultation's own text (its title, its codebook, its chart pools): the maps
      of all its sessions here, the earliest first (`Anonymiser.for_sessions`).
    - A chart pool of sessions without a consultation: the maps of those sessions.
    """

    def __init__(self, store: Store, consultation_of: dict[str, str | None], mapped: list[str]) -> None:
        self._store = store
        self._consultation_of = consultation_of
        self._mapped = mapped
        self._known: dict[tuple[str, ...], Anonymiser] = {}

    @classmethod
    def read(cls, store: Store) -> OutgoingMaps | None:
        """The maps of this database; None when no session has one (nothing to change)."""
        if store.db.execute("SELECT 1 FROM pseudonyms WHERE deleted_at IS NULL LIMIT 1").fetchone() is None:
            return None
        rows = store.db.execute(
            """SELECT s.id, s.consultation_id, EXISTS (
                   SELECT 1 FROM pseudonyms AS p WHERE p.session_id = s.id AND p.deleted_at IS NULL)
               FROM sessions AS s ORDER BY s.date, s.created_at, s.id"""
        ).fetchall()
        consultation_of = {str(s): None if c is None else str(c) for s, c, _mapped in rows}
        return cls(store, consultation_of, [str(s) for s, _c, mapped in rows if mapped])

    def of_session(self, session_id: str) -> Anonymiser:
        """The map a session's text leaves with."""
        consultation = self._consultation_of.get(session_id)
        others = [
            s
            for s in self._mapped
            if s != session_id and consultation is not None and self._consultation_of.get(s) == consultation
        ]
        if session_id not in self._mapped and not others:
            return _NONE
        key = ("session", session_id)
        if key not in self._known:
            self._known[key] = Anonymiser.per_session(self._store, [session_id, *others])[session_id]
        return self._known[key]

    def of_sessions(self, session_ids: Iterable[str]) -> Anonymiser:
        """The maps of these sessions together, in the order they took place."""
        wanted = set(session_ids)
        listed = tuple(s for s in self._mapped if s in wanted)
        if not listed:
            return _NONE
        if listed not in self._known:
            self._known[listed] = Anonymiser.for_sessions(self._store, listed)
        return self._known[listed]

    def of_consultation(self, consultation_id: str) -> Anonymiser:
        """The map a consultation's own text leaves with."""
        return self.of_sessions(s for s in self._mapped if self._consultation_of.get(s) == consultation_id)


def session_anonymiser(store: Store, session_id: str) -> Anonymiser:
    """The map a session's text leaves this laptop with (see `OutgoingMaps`)."""
    maps = OutgoingMaps.read(store)
    return _NONE if maps is None else maps.of_session(session_id)


def restamp_mentions(store: Store, writer: Writer, session_id: str, words: Iterable[str]) -> int:
    """Stamp again, unchanged, this device's rows whose outgoing text a change to a session's
    map of `words` may change; returns how many.

    Those are the rows of the session and of the other sessions of its consultation,
    the consultation's own rows (its title, its codebook, its chart pools) and chart
    pools listing the session: their text leaves with the maps of all the
    consultation's sessions (`OutgoingMaps`). A row is stamped again
    when a free-text value holds one of the words, ignoring case and spacing (a
    superset of where the map replaces it). Rows another device wrote last are left:
    they are not this device's to send.
    """
    stamped = 0
    for table, ids in _mentioning(store, session_id, words, own=True).items():
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            stamped += writer.update_where(table, {}, f"id IN ({', '.join('?' * len(part))})", part)
    return stamped


def mentioned(store: Store, session_id: str, words: Iterable[str]) -> bool:
    """Whether a row here, whoever wrote it, still leaves with text that a session's map
    of `words` changes (the rows `restamp_mentions` looks at): while one does, the map
    must stay, or that row would leave with the real name the next time it is sent."""
    return any(_mentioning(store, session_id, words, own=False).values())


def _mentioning(store: Store, session_id: str, words: Iterable[str], *, own: bool) -> dict[str, list[str]]:
    """By table, the ids of the rows whose free text holds one of `words`, ignoring case and
    spacing, among the rows whose outgoing text a change to a session's map of them may
    change; with `own`, only the rows this device wrote last."""
    wanted = [fold(word) for word in words]
    wanted = [word for word in wanted if word]
    if not wanted:
        return {}
    found = store.db.execute("SELECT consultation_id FROM sessions WHERE id = ?", [session_id]).fetchone()
    consultation = None if found is None else found[0]
    if consultation is None:
        sessions, params = "?", [session_id]
    else:
        # The consultation's other sessions take the words their own maps do not hold from this one.
        sessions, params = "SELECT id FROM sessions WHERE consultation_id = ?", [consultation]
    scopes: list[tuple[str, str, list[str]]] = [
        ("sessions", f"id IN ({sessions})", params),
        ("postits", f"session_id IN ({sessions})", params),
        ("participants", f"session_id IN ({sessions})", params),
        ("themes", f"session_id IN ({sessions})", params),
        ("notes", f"session_id IN ({sessions})", params),
        ("chart_pools", "consultation_id IS NULL AND instr(session_ids, ?) > 0", [session_id]),
    ]
    if consultation is not None:
        scopes += [
            ("consultations", "id = ?", [consultation]),
            ("themes", "consultation_id = ?", [consultation]),
            ("chart_pools", "consultation_id = ?", [consultation]),
        ]
    mine = " AND device_id = ?" if own else ""
    result: dict[str, list[str]] = {}
    for table, where, scope_params in scopes:
        columns = [*FREE_TEXT.get(table, {}), *JSON_TEXT.get(table, {})]
        listed = ", ".join(quote(c) for c in columns)
        rows = store.db.execute(
            f"SELECT id, {listed} FROM {quote(table)} WHERE ({where}){mine}",
            [*scope_params, store.device_id] if own else scope_params,
        ).fetchall()
        ids = [str(row[0]) for row in rows if _mentions(_texts(table, columns, row[1:]), wanted)]
        if ids:
            result.setdefault(table, []).extend(ids)
    return result


def _texts(table: str, columns: list[str], values: Iterable[object]) -> list[str]:
    """A row's free-text values, a JSON list's strings as they read (not as escaped)."""
    texts: list[str] = []
    for column, value in zip(columns, values, strict=True):
        if not isinstance(value, str):
            continue
        if column in JSON_TEXT.get(table, {}):
            try:
                listed = json.loads(value)
            except ValueError:
                listed = [value]
            texts += (
                [item for item in listed if isinstance(item, str)] if isinstance(listed, list) else [value]
            )
        else:
            texts.append(value)
    return texts


def _mentions(texts: Iterable[str], words: list[str]) -> bool:
    for value in texts:
        text = fold(value)
        if any(word in text for word in words):
            return True
    return False
