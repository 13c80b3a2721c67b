"""Statement sets: the statements and the response scale, read from TOML files."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.core.literal import visible

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# A language code as in BCP 47, e.g. "cy", "gd", "pa-guru".
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
# Limits on a second language's text: the kit prints its statements at 36 pt or more.
MAX_LANGUAGE_NAME = 40
MAX_SECOND_STATEMENT = 300
MAX_SECOND_LABEL = 40
# The consent script and the privacy reminders fit on the facilitator's page.
MAX_FACILITATOR_TEXT = 1_500
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
    # The label in the set's second language, if it has one and names this category.
    second_label: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "short": self.short,
            "entry": self.entry,
            "symbol": self.symbol,
            "neutral": self.neutral,
        }
        if self.second_label:
            # Only then: a scale without a second language is stored as it always was.
            data["second_label"] = self.second_label
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Category:
        return cls(
            key=str(data["key"]),
            label=str(data["label"]),
            short=str(data.get("short") or data["label"]),
            entry=str(data["entry"]),
            symbol=str(data.get("symbol", "")),
            neutral=bool(data.get("neutral", False)),
            second_label=str(data.get("second_label", "")),
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
class Language:
    """A set's second language: its code (e.g. "cy") and its name as its readers write it ("Cymraeg")."""

    code: str
    name: str


@dataclass(frozen=True)
class Statement:
    """One statement hung on the wall, numbered from 1 in set order, and its second-language text."""

    number: int
    text: str
    second: str = ""
    language: Language | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"number": self.number, "text": self.text}
        if self.language is not None:
            # Only then: a session without a second language is stored as it always was.
            data["second"] = {"code": self.language.code, "name": self.language.name, "text": self.second}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Statement:
        """A statement as a session froze it; TypeError or ValueError if it is not in that form."""
        unknown = set(data) - {"number", "text", "second"}
        if unknown:
            raise TypeError(f"unexpected {', '.join(sorted(unknown))}")
        second = data.get("second")
        if second is None:
            return cls(number=data["number"], text=data["text"])
        language, text = parse_frozen_second(second)
        return cls(number=data["number"], text=data["text"], second=text, language=language)


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
    # The facilitator's consent script and privacy reminders, when the set words them its own way.
    consent: str = ""
    privacy: str = ""

    @property
    def language(self) -> Language | None:
        """The set's second language, if it has one."""
        return self.statements[0].language if self.statements else None


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


def parse_scale(raw_scale: list[Any], *, frozen: bool = False) -> Scale:
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
                second_label=_frozen_label(item, where) if frozen else "",
            )
        )
    for attribute in ("key", "entry", "label"):
        values = [getattr(c, attribute) for c in categories]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"scale has a repeated {attribute}: {', '.join(duplicates)}")
    return Scale(tuple(categories))


def parse_frozen_second(item: object) -> tuple[Language, str]:
    """A statement's second language as a session froze it; ValueError says what is wrong."""
    if not isinstance(item, dict) or set(item) != {"code", "name", "text"}:
        raise ValueError("its second language must have a code, a name and a text")
    code, name, text = item["code"], item["name"], item["text"]
    if not all(isinstance(v, str) for v in (code, name, text)):
        raise ValueError("its second language's code, name and text must be text")
    return _language(code, name), _second_text(text, "its second language's text", MAX_SECOND_STATEMENT)


def _language(code: str, name: str) -> Language:
    if not LANGUAGE_CODE.match(code):
        raise ValueError(f"language code {code[:20]!r} must be like 'cy' or 'gd' (lower-case letters)")
    return Language(code, _second_text(name, f"language {code}'s name", MAX_LANGUAGE_NAME))


def _second_text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text")
    text = " ".join(value.split())
    if not text:
        raise ValueError(f"{what} is empty")
    if len(text) > limit:
        raise ValueError(f"{what} is too long ({len(text)} characters; {limit} at most)")
    return text


def parse_language(
    raw: object, scale: Scale, statements: tuple[Statement, ...]
) -> tuple[Scale, tuple[Statement, ...]]:
    """Add a set's second language (its `[language.CODE]` table) to its scale and statements.

    ValueError says what is wrong: one language, a name, as many statements as the
    set has (in the same order), and labels only for the scale's own categories.
    """
    if not isinstance(raw, dict) or not raw:
        raise ValueError("language must be a table: [language.cy] with name and statements")
    if len(raw) > 1:
        raise ValueError(f"a set has one second language, not {len(raw)} ({', '.join(sorted(raw))})")
    ((code, table),) = raw.items()
    where = f"language {code}"
    if not isinstance(table, dict):
        raise ValueError(f"{where} must be a table: [language.{code}]")
    unknown = set(table) - {"name", "statements", "labels"}
    if unknown:
        raise ValueError(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
    language = _language(code, _require(table, "name", str, where))
    texts = _require(table, "statements", list, where)
    if len(texts) != len(statements):
        raise ValueError(
            f"{where} has {len(texts)} statements, the set has {len(statements)}: give one for each, in order"
        )
    translated = tuple(
        Statement(
            s.number,
            s.text,
            _second_text(text, f"{where} statement {s.number}", MAX_SECOND_STATEMENT),
            language,
        )
        for s, text in zip(statements, texts, strict=True)
    )
    labels = table.get("labels", {})
    if not isinstance(labels, dict):
        raise ValueError(f"{where} labels must be a table: [language.{code}.labels] with key = label")
    strangers = set(labels) - set(scale.keys)
    if strangers:
        raise ValueError(f"{where} labels name categories the scale lacks: {', '.join(sorted(strangers))}")
    categories = tuple(
        replace(c, second_label=_second_text(labels[c.key], f"{where} label {c.key}", MAX_SECOND_LABEL))
        if c.key in labels
        else c
        for c in scale
    )
    return Scale(categories), translated


def _frozen_label(item: Mapping[str, Any], where: str) -> str:
    if "second_label" not in item:
        return ""
    return _second_text(item["second_label"], f"{where}'s second label", MAX_SECOND_LABEL)


def parse_statements(raw_statements: list[Any], *, frozen: bool = False) -> tuple[Statement, ...]:
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
        unknown = set(item) - {"number", "text"}
        if unknown and not frozen:
            # TOML reads every line after a [[statements]] header into that statement: a
            # consent script put below the statements would otherwise vanish without a word.
            names = ", ".join(visible(name) for name in sorted(unknown)[:3])
            raise ValueError(
                f"{where} has fields it does not use ({names}): a set's own fields "
                "(consent, privacy, themes…) go above the first [[statements]]"
            )
        if frozen and "second" in item:
            try:
                language, second = parse_frozen_second(item["second"])
            except ValueError as error:
                raise ValueError(f"{where}: {error}") from None
            statements.append(Statement(number=index, text=text, second=second, language=language))
        else:
            statements.append(Statement(number=index, text=text))
    languages = {s.language for s in statements}
    if len(languages) > 1:
        raise ValueError("every statement must have the same second language, or none")
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
    if "language" in data:
        scale, statements = parse_language(data["language"], scale, statements)
    return StatementSet(
        id=set_id,
        title=title,
        scale=scale,
        statements=statements,
        description=" ".join(str(description).split()),
        themes=tuple(" ".join(t.split()) for t in themes),
        path=path,
        consent=_facilitator_text(data, "consent"),
        privacy=_facilitator_text(data, "privacy"),
    )


def _facilitator_text(data: Mapping[str, Any], name: str) -> str:
    """An optional consent script or privacy reminder: text, kept in its paragraphs."""
    value = data.get(name, "")
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    if len(value) > MAX_FACILITATOR_TEXT:
        raise ValueError(f"{name} is too long ({len(value)} characters; {MAX_FACILITATOR_TEXT} at most)")
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", value))
    return "\n\n".join(p for p in paragraphs if p)


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
