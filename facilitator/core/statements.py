"""Statement sets: the statements and the response scale, read from TOML files."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facilitator.core.errors import FacilitatorError, NotFound

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
SET_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True)
class Category:
    """One response category of a scale, e.g. *Strongly agree*."""

    key: str
    label: str
    short: str
    entry: str
    symbol: str = ""
    neutral: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "short": self.short,
            "entry": self.entry,
            "symbol": self.symbol,
            "neutral": self.neutral,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Category:
        return cls(
            key=str(data["key"]),
            label=str(data["label"]),
            short=str(data.get("short") or data["label"]),
            entry=str(data["entry"]),
            symbol=str(data.get("symbol", "")),
            neutral=bool(data.get("neutral", False)),
        )


@dataclass(frozen=True)
class Scale:
    """The ordered response categories, from one end of the wall to the other."""

    categories: tuple[Category, ...]

    def __iter__(self) -> Any:
        return iter(self.categories)

    def __len__(self) -> int:
        return len(self.categories)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.categories]

    def get(self, key: str) -> Category:
        for category in self.categories:
            if category.key == key:
                return category
        raise NotFound(f"unknown response {key!r}")

    def by_entry(self, entry: str) -> Category | None:
        for category in self.categories:
            if category.entry == entry:
                return category
        return None

    def resolve(self, text: str) -> Category:
        """The category named by a key, a label, a short label or an entry key."""
        wanted = " ".join(str(text).split()).casefold()
        for category in self.categories:
            names = {category.key, category.label, category.short, category.entry}
            if wanted in {n.casefold() for n in names} or wanted == category.key.replace("_", " "):
                return category
        choices = ", ".join(f"{c.entry}={c.key}" for c in self.categories)
        raise FacilitatorError(f"unknown response {text!r}: use one of {choices}")

    def to_list(self) -> list[dict[str, Any]]:
        return [c.to_dict() for c in self.categories]

    @classmethod
    def from_list(cls, items: Iterable[Mapping[str, Any]]) -> Scale:
        return cls(tuple(Category.from_dict(item) for item in items))


@dataclass(frozen=True)
class Statement:
    """One statement hung on the wall, numbered from 1 in set order."""

    number: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text}


@dataclass(frozen=True)
class StatementSet:
    """An ordered list of statements with the scale that every statement uses."""

    id: str
    title: str
    scale: Scale
    statements: tuple[Statement, ...]
    description: str = ""
    themes: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SetProblem:
    """A statement set file that could not be read, and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _require(data: Mapping[str, Any], name: str, kind: type, where: str) -> Any:
    if name not in data:
        raise ValueError(f"{where} is missing '{name}'")
    value = data[name]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ValueError(f"{where} has '{name}' of the wrong type (expected {kind.__name__})")
    return value


def parse_scale(raw_scale: list[Any]) -> Scale:
    """Check and build a scale from its parsed categories; ValueError says what is wrong."""
    if not 2 <= len(raw_scale) <= 9:
        raise ValueError("scale must have between 2 and 9 categories")
    categories = []
    for index, item in enumerate(raw_scale, start=1):
        where = f"scale category {index}"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be a table")
        key = _require(item, "key", str, where)
        if not KEY_PATTERN.match(key):
            raise ValueError(f"{where} key {key!r} must be lower-case letters, digits or '_'")
        label = _require(item, "label", str, where).strip()
        entry = item.get("entry", index)
        if isinstance(entry, bool) or str(entry) not in {str(n) for n in range(1, 10)}:
            raise ValueError(f"{where} entry must be a digit from 1 to 9")
        short = item.get("short", label)
        if not isinstance(short, str) or not label:
            raise ValueError(f"{where} needs a non-empty label and short label")
        categories.append(
            Category(
                key=key,
                label=label,
                short=short.strip() or label,
                entry=str(entry),
                symbol=str(item.get("symbol", "")),
                neutral=bool(item.get("neutral", False)),
            )
        )
    for attribute in ("key", "entry", "label"):
        values = [getattr(c, attribute) for c in categories]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"scale has a repeated {attribute}: {', '.join(duplicates)}")
    return Scale(tuple(categories))


def parse_statements(raw_statements: list[Any]) -> tuple[Statement, ...]:
    """Check and build the numbered statements from their parsed items; ValueError says what is wrong."""
    if not raw_statements:
        raise ValueError("there are no statements")
    statements = []
    for index, item in enumerate(raw_statements, start=1):
        where = f"statement {index}"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be a table")
        text = " ".join(_require(item, "text", str, where).split())
        if not text:
            raise ValueError(f"{where} has empty text")
        number = item.get("number", index)
        if number != index:
            raise ValueError(f"{where} is numbered {number!r}: number statements 1, 2, 3 … in order")
        statements.append(Statement(number=index, text=text))
    return tuple(statements)


def parse_statement_set(data: Mapping[str, Any], path: Path | None = None) -> StatementSet:
    """Check and build a statement set from parsed TOML; ValueError says what is wrong."""
    set_id = _require(data, "id", str, "the file")
    if not SET_ID_PATTERN.match(set_id):
        raise ValueError(f"id {set_id!r} must be lower-case letters, digits, '-', '_' or '.'")
    title = _require(data, "title", str, "the file").strip()
    if not title:
        raise ValueError("title is empty")
    scale = parse_scale(_require(data, "scale", list, "the file"))
    statements = parse_statements(_require(data, "statements", list, "the file"))
    themes = data.get("themes", [])
    if not isinstance(themes, list) or not all(isinstance(t, str) and t.strip() for t in themes):
        raise ValueError("themes must be a list of non-empty strings")
    description = data.get("description", "")
    return StatementSet(
        id=set_id,
        title=title,
        scale=scale,
        statements=statements,
        description=" ".join(str(description).split()),
        themes=tuple(" ".join(t.split()) for t in themes),
        path=path,
    )


def load_statement_set(path: Path) -> StatementSet:
    """Read one set file. ValueError names what is wrong (and the line, if TOML says)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read the file ({error.__class__.__name__}: {error})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"not valid TOML: {error}") from None
    except RecursionError:
        raise ValueError("not a statement set: its values are nested too deeply") from None
    return parse_statement_set(data, path)


@dataclass
class Catalogue:
    """Every statement set that loaded, and the files that did not."""

    sets: dict[str, StatementSet]
    problems: list[SetProblem]

    def get(self, set_id: str) -> StatementSet:
        try:
            return self.sets[set_id]
        except KeyError:
            known = ", ".join(sorted(self.sets)) or "none"
            raise NotFound(f"unknown statement set {set_id!r} (known: {known})") from None


def load_catalogue(dirs: Iterable[Path]) -> Catalogue:
    """Load every `*.toml` in the folders, in order; a bad file never hides the others."""
    sets: dict[str, StatementSet] = {}
    problems: list[SetProblem] = []
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                statement_set = load_statement_set(path)
            except ValueError as error:
                problems.append(SetProblem(path, str(error)))
                continue
            if statement_set.id in sets:
                other = sets[statement_set.id].path
                problems.append(SetProblem(path, f"id {statement_set.id!r} is already used by {other}"))
                continue
            sets[statement_set.id] = statement_set
    return Catalogue(sets, problems)
