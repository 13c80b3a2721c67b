"""Rows as they leave the laptop: free text with the session's pseudonym map applied.

The map stays on this laptop; a bundle carries its text already changed, the way
the exports change it, so that the office never holds a mapped real name. The
laptop keeps the original text for its own screens.

Which map applies to a row (`facilitator.store.free_text.OutgoingMaps`):
- a row of one session (its post-its, notes, roster, its own themes, the session
  itself): that session's map, and for words it does not hold, the maps of the
  other sessions of its consultation (`Anonymiser.per_session`, as the report does);
- a row of a consultation (its title, its codebook's themes, its chart pools): the
  maps of all the consultation's sessions here, the earliest session first when two
  map one word differently (`Anonymiser.for_sessions`, as the reports do);
- a chart pool of sessions without a consultation: the maps of the pooled sessions.

Which columns hold free text is in `facilitator.store.free_text`; ids, stamps, keys,
codes and a session's frozen statements never change. Text made longer than its
column allows by a changed name is cut, at a space where it can, so that the office's
checks accept it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

from facilitator.store import Store
from facilitator.store.anonymiser import Anonymiser
from facilitator.store.free_text import FREE_TEXT, JSON_TEXT, OutgoingMaps, pseudonymised
from facilitator.store.sync_state import Row, Value

_NONE = Anonymiser({})


def outgoing_rows(
    store: Store, table: str, columns: Sequence[str], rows: Mapping[Value, Row]
) -> dict[Value, Row]:
    """The rows as the office will hold them: every text column with its session's pseudonym map applied."""
    texts = {
        i: limit for i, c in enumerate(columns) if (limit := FREE_TEXT.get(table, {}).get(c)) is not None
    }
    lists = {
        i: limit for i, c in enumerate(columns) if (limit := JSON_TEXT.get(table, {}).get(c)) is not None
    }
    if not rows or not (texts or lists):
        return dict(rows)
    maps = OutgoingMaps.read(store)
    if maps is None:
        return dict(rows)
    choose = _chooser(table, list(columns), maps)
    out: dict[Value, Row] = {}
    for key, row in rows.items():
        anonymiser = choose(row)
        if not anonymiser:
            out[key] = row
            continue
        values = list(row)
        for index, limit in texts.items():
            if isinstance(text := values[index], str):
                values[index] = pseudonymised(text, limit, anonymiser)
        for index, limit in lists.items():
            if isinstance(text := values[index], str):
                values[index] = _listed(text, limit, anonymiser)
        out[key] = tuple(values)
    return out


def _chooser(table: str, columns: list[str], maps: OutgoingMaps) -> Callable[[Row], Anonymiser]:
    """For a table, how to find the map one of its rows leaves with."""

    def at(column: str) -> int | None:
        return columns.index(column) if column in columns else None

    own, session, consultation, listed = at("id"), at("session_id"), at("consultation_id"), at("session_ids")

    def choose(row: Row) -> Anonymiser:
        if table == "sessions" and own is not None:
            return maps.of_session(str(row[own]))
        if session is not None and row[session] is not None:
            return maps.of_session(str(row[session]))
        if table == "consultations" and own is not None:
            return maps.of_consultation(str(row[own]))
        if consultation is not None and row[consultation] is not None:
            return maps.of_consultation(str(row[consultation]))
        if listed is not None and isinstance(pooled := row[listed], str):
            return maps.of_sessions(_session_ids(pooled))
        return _NONE

    return choose


def _session_ids(text: str) -> list[str]:
    try:
        found = json.loads(text)
    except ValueError:
        return []
    return [str(s) for s in found if isinstance(s, str)] if isinstance(found, list) else []


def _listed(text: str, limit: int, anonymiser: Anonymiser) -> str:
    """A JSON list's strings with the map applied; the value unchanged if nothing changes."""
    try:
        found = json.loads(text)
    except ValueError:
        return text
    if not isinstance(found, list):
        return text
    changed = [pseudonymised(item, limit, anonymiser) if isinstance(item, str) else item for item in found]
    return text if changed == found else json.dumps(changed)
