"""The pseudonym map applied to text: whole-word and case-aware.

With "Darren" -> "Dave", "darren" becomes "dave", "DARREN" becomes "DAVE",
"Darren's" becomes "Dave's" and "Darrens" becomes "Daves", while "Darrenby" is
left alone. Exports, bundles and receipts all apply a session's map through
`Anonymiser`, so the text leaves the laptop the same way whichever door it takes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facilitator.store.database import Store


# Apostrophes a keyboard, a phone or a word processor may type: "O'Brien" and "O’Brien"
# are one name.
_APOSTROPHES = "'’ʼ‘"
_ANY_APOSTROPHE = "[" + _APOSTROPHES + "]"
_STRAIGHT = str.maketrans({a: "'" for a in _APOSTROPHES})
# After a name: a possessive ('s) or a plural s; the suffix is kept as written.
_SUFFIX = rf"(?:{_ANY_APOSTROPHE}[sS]|[sS])"


def map_key(word: str) -> str:
    """A mapped word as compared: composed (NFC), straight apostrophes, single spaces, lower case."""
    return " ".join(unicodedata.normalize("NFC", word).translate(_STRAIGHT).split()).lower()


def fold(text: str) -> str:
    """Text as `map_key` compares words, casefolded: to find where a mapped word may occur."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_STRAIGHT).casefold().split())


def _part(word: str) -> str:
    """One word of a mapped name as a pattern: any apostrophe matches any other."""
    return "".join(_ANY_APOSTROPHE if c == "'" else re.escape(c) for c in word)


def _apply_case(matched: str, real: str, changed: str) -> str:
    """`changed` written the way `matched` was: lower, UPPER or Capitalised."""
    if matched == real:
        return changed
    letters = [c for c in matched if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return changed.upper()
    if letters and all(c.islower() for c in letters):
        return changed.lower()
    if letters and letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return changed[:1].upper() + changed[1:]
    return changed


class Anonymiser:
    """Replaces the words of a pseudonym map in any text; an empty map changes nothing."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping: dict[str, tuple[str, str]] = {}
        for real, changed in mapping.items():
            if real.strip() and map_key(real) not in self.mapping:
                self.mapping[map_key(real)] = (" ".join(unicodedata.normalize("NFC", real).split()), changed)
        self._pattern: re.Pattern[str] | None = None
        if self.mapping:
            # Longest first, so "Darren Smith" wins over "Darren"; spaces match any spacing.
            words = sorted(self.mapping, key=len, reverse=True)
            alternatives = "|".join(r"\s+".join(_part(part) for part in w.split(" ")) for w in words)
            self._pattern = re.compile(
                rf"(?<!\w)(?P<name>{alternatives})(?P<suffix>{_SUFFIX})?(?!\w)", re.IGNORECASE
            )

    def __bool__(self) -> bool:
        return bool(self.mapping)

    def _replace(self, match: re.Match[str]) -> str:
        name = match.group("name")
        key = map_key(name)
        found = self.mapping.get(key)
        if found is None:
            found = next((v for k, v in self.mapping.items() if k.casefold() == key.casefold()), None)
        if found is None:
            return match.group(0)
        real, changed = found
        return _apply_case(name, real, changed) + (match.group("suffix") or "")

    def __call__(self, text: str) -> str:
        """The text with every mapped word replaced."""
        if self._pattern is None or not text:
            return text
        if not unicodedata.is_normalized("NFC", text):
            # A name typed decomposed ("Zoe" and a combining diaeresis) is the same name:
            # text holding one leaves composed, with the name changed.
            composed = unicodedata.normalize("NFC", text)
            found = self._pattern.sub(self._replace, composed)
            if found != composed:
                return found
        return self._pattern.sub(self._replace, text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where mapped words occur in a text (start, end), suffix included."""
        if self._pattern is None:
            return []
        return [match.span() for match in self._pattern.finditer(text)]

    @classmethod
    def for_session(cls, store: Store, session_id: str) -> Anonymiser:
        """The anonymiser for one session's comments and notes."""
        return cls({p.real: p.changed for p in store.pseudonyms.of(session_id)})

    @classmethod
    def for_sessions(cls, store: Store, session_ids: Sequence[str]) -> Anonymiser:
        """One anonymiser for text pooled from several sessions (a consultation report).

        Every session's map applies; when two map the same word differently, the
        session listed first wins.
        """
        mapping: dict[str, str] = {}
        seen: set[str] = set()
        for session_id in session_ids:
            for p in store.pseudonyms.of(session_id):
                if map_key(p.real) not in seen:
                    seen.add(map_key(p.real))
                    mapping[p.real] = p.changed
        return cls(mapping)

    @classmethod
    def per_session(cls, store: Store, session_ids: Sequence[str]) -> dict[str, Anonymiser]:
        """One anonymiser per session, for a report that lists several sessions' text.

        A session's own map decides for every word it maps, so its names are changed
        the way its facilitator chose. Words it does not map, but another listed
        session does, are changed too (the first such session wins): the same
        worker or child can come up in two groups, and a name changed in
        one must not appear unchanged from the other.
        """
        maps = {session_id: store.pseudonyms.of(session_id) for session_id in dict.fromkeys(session_ids)}
        everyone: dict[str, tuple[str, str]] = {}
        for found in maps.values():
            for p in found:
                everyone.setdefault(map_key(p.real), (p.real, p.changed))
        shared = cls(dict(everyone.values()))
        result: dict[str, Anonymiser] = {}
        for session_id, found in maps.items():
            if not found:
                result[session_id] = shared
                continue
            words = {**everyone, **{map_key(p.real): (p.real, p.changed) for p in found}}
            result[session_id] = cls(dict(words.values()))
        return result
