"""The note line of the discussion screen: one line says who spoke, what, and its themes.

A note-taker types while people talk, so the line carries everything without
leaving the keyboard's home row:

    P3: they never listened to us #listen #trust
    3: "I had nine placements" #5          (P3 when the roster has a P3; a quote)
    ?: someone at the back said this       (speaker unknown, as with no prefix)
    nobody knew their rights #+Housing     (exactly "Housing", a new theme if need be)
    Darren:: moved eleven times by 15      (a case study titled "Darren")

- A speaker is a participant code, a number (the roster's code with that number),
  or `?`, then a colon and a space. Without one the speaker is unknown.
- Text that starts with a quote mark is a verbatim quote; the marks are not stored.
- Text that starts with a title and a double colon (`Darren:: …`) is a case study
  with that title.
- Everything from the first `#` that starts a word is themes, one per `#`: a
  theme's number on screen, its name, or words found in exactly one theme's
  name. Words that match no theme make a new one; `#+Name` makes (or finds)
  exactly that name. Words that match several themes are refused until one is chosen.

Pure functions: no textual, no store. The screen parses at every key press.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

_SPEAKER = re.compile(r"^\s*(?P<code>\?|unknown|[A-Za-z0-9_-]{1,12})\s*:(?=\s|$)\s*", re.IGNORECASE)
_TAGS = re.compile(r"(?:^|(?<=\s))#")
_OPENING_QUOTES = '"“”„«'
_CLOSING_QUOTES = '"“”»'
_TRAILING_DIGITS = re.compile(r"(\d+)$")
# A title is one short line: no quote mark (text that opens with one is a quote) and no
# control character (a title is printed on one line in every export).
_TITLE = re.compile(r"^\s*(?P<title>[^:#\n\"“”„«\x00-\x1f\x7f]{1,80}?)\s*::(?:\s+|$)")


@dataclass(frozen=True)
class ThemeChoice:
    """A theme as the screen lists it: its number there, id and name."""

    number: int
    id: str
    name: str


@dataclass(frozen=True)
class Tag:
    """One `#…` of the line and what it stands for."""

    spec: str
    theme: ThemeChoice | None = None
    new_name: str | None = None
    candidates: tuple[ThemeChoice, ...] = ()
    problem: str | None = None

    @property
    def name(self) -> str | None:
        """The theme name to store, or None when the tag is not settled."""
        if self.theme is not None:
            return self.theme.name
        return self.new_name


@dataclass(frozen=True)
class Draft:
    """What Enter would save."""

    text: str
    speaker: str | None
    speaker_problem: str | None
    quoted: bool
    tags: tuple[Tag, ...]
    # The `#` being typed at the end of the line (its words), None when not typing one.
    typing_tag: str | None
    # A case study's title, typed as `Title:: text`; "" for none.
    title: str = ""

    @property
    def theme_names(self) -> list[str]:
        """The settled themes, each once, in the order typed."""
        names: list[str] = []
        for tag in self.tags:
            name = tag.name
            if name is not None and name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
        return names

    @property
    def problems(self) -> list[str]:
        """Why Enter would refuse this line (an unknown speaker code, an unsettled theme)."""
        found = [self.speaker_problem] if self.speaker_problem else []
        found += [tag.problem for tag in self.tags if tag.problem]
        return found


def _words(value: str) -> str:
    return " ".join(value.split())


def _number(text: str) -> int | None:
    """A typed number, or None: "²" is a digit to Python yet no number, and nobody numbers
    a speaker or a theme with thousands of digits (int() refuses those)."""
    return int(text) if text.isdecimal() and len(text) <= 6 else None


def speaker_for(code: str, roster: Sequence[str]) -> tuple[str | None, str | None]:
    """(code to store, problem) for a typed speaker; (None, None) is unknown."""
    if code in {"?"} or code.casefold() == "unknown":
        return None, None
    if (number := _number(code)) is not None:
        if not roster:
            return f"P{number}", None
        numbered = [c for c in roster if (m := _TRAILING_DIGITS.search(c)) and _number(m.group(1)) == number]
        if len(numbered) == 1:
            return numbered[0], None
        if not numbered:
            return None, f"no participant numbered {code} in the roster"
        return None, f"{code} could be {', '.join(numbered)}: type the code"
    if not any(ch.isdigit() for ch in code):
        return None, None  # not a code at all: the caller treats the prefix as text
    for known in roster:
        if known.casefold() == code.casefold():
            return known, None
    if roster:
        return None, f"{code} is not in the roster ({', '.join(roster)})"
    return code, None


def _new_name(spec: str) -> str:
    return spec[:1].upper() + spec[1:]


def resolve_tag(spec: str, themes: Sequence[ThemeChoice]) -> Tag:
    """What one `#spec` stands for among the listed themes."""
    spec = _words(spec)
    by_name = {t.name.casefold(): t for t in themes}
    if spec.startswith("+"):
        name = _words(spec[1:])
        if not name:
            return Tag(spec, problem="#+ needs a theme name")
        found = by_name.get(name.casefold())
        return Tag(spec, theme=found) if found else Tag(spec, new_name=_new_name(name))
    if spec.casefold() in by_name:
        return Tag(spec, theme=by_name[spec.casefold()])
    if (number := _number(spec)) is not None:
        for theme in themes:
            if theme.number == number:
                return Tag(spec, theme=theme)
        return Tag(spec, problem=f"no theme number {number}")
    wanted = spec.casefold().split()
    candidates = tuple(t for t in themes if all(word in t.name.casefold() for word in wanted))
    if len(candidates) == 1:
        return Tag(spec, theme=candidates[0], candidates=candidates)
    if candidates:
        return Tag(
            spec,
            candidates=candidates,
            problem=f"#{spec} matches {len(candidates)} themes: type more, or its number",
        )
    return Tag(spec, new_name=_new_name(spec))


def matching(spec: str, themes: Sequence[ThemeChoice]) -> list[ThemeChoice]:
    """The themes a partly typed `#spec` could mean, for the list on screen."""
    spec = _words(spec).lstrip("+").strip()
    if not spec:
        return list(themes)
    if spec.isdigit():
        return [t for t in themes if str(t.number).startswith(spec)]
    wanted = spec.casefold().split()
    return [t for t in themes if all(word in t.name.casefold() for word in wanted)]


def parse(line: str, roster: Sequence[str], themes: Sequence[ThemeChoice]) -> Draft:
    """Read a note line: speaker prefix, text (a quote if it starts with a quote mark), themes."""
    speaker: str | None = None
    problem: str | None = None
    body = line
    match = _SPEAKER.match(line)
    if match:
        code = match.group("code")
        if code == "?" or code.casefold() == "unknown" or any(ch.isdigit() for ch in code):
            speaker, problem = speaker_for(code, roster)
            body = line[match.end() :]
    tags: list[Tag] = []
    typing: str | None = None
    found = _TAGS.search(body)
    if found:
        chunks = body[found.end() :].split("#")
        body = body[: found.start()]
        for chunk in chunks:
            if _words(chunk):
                tags.append(resolve_tag(chunk, themes))
        typing = _words(chunks[-1])
    title = ""
    titled = _TITLE.match(body)
    if titled:
        title = _words(titled.group("title"))
        body = body[titled.end() :]
    text = body.strip()
    quoted = bool(text) and text[0] in _OPENING_QUOTES
    if quoted:
        text = text[1:]
        if text and text[-1] in _CLOSING_QUOTES:
            text = text[:-1]
        text = text.strip()
    return Draft(text, speaker, problem, quoted, tuple(tags), typing, title)


def line_for(
    text: str,
    speaker: str | None,
    theme_names: Sequence[str],
    themes: Sequence[ThemeChoice],
    title: str = "",
) -> str:
    """The note line that reads back as this note (to edit a saved note in the same box).

    Themes are written as their numbers, so that a slip of the finger in a long
    name cannot turn into a new theme; the line under the box spells them out.
    """
    parts = [f"{speaker}: " if speaker else "", f"{title}:: " if title else "", " ".join(text.split("\n"))]
    numbers = {t.name.casefold(): t.number for t in themes}
    for name in theme_names:
        number = numbers.get(name.casefold())
        parts.append(f" #{number}" if number is not None else f" #+{name}")
    return "".join(parts)


def close_to(name: str, themes: Sequence[ThemeChoice]) -> ThemeChoice | None:
    """An existing theme whose name is nearly `name` (a likely slip when making a new one)."""
    by_name = {t.name.casefold(): t for t in themes}
    found = difflib.get_close_matches(name.casefold(), list(by_name), n=1, cutoff=0.85)
    return by_name[found[0]] if found else None
