"""Codebooks: the themes of a consultation (or of a session with none), and notes' theme tags.

A theme's id is derived from its codebook and name when first created, so two
laptops that seed or create the same theme for the same consultation make the
same row, and a sync merges them instead of listing the theme twice. A tag's id
is derived from its note and theme the same way. A merged theme points at the
theme it went into (`merged_into`); a tag counts for the end of that chain.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitator.core.clock import new_id
from facilitator.core.errors import FacilitatorError
from facilitator.store.records import Session, check_clean
from facilitator.store.writer import Writer

if TYPE_CHECKING:
    from facilitator.store.database import Store

MAX_THEME = 200
THEME_COLUMNS = (
    "id",
    "consultation_id",
    "session_id",
    "name",
    "merged_into",
    "created_at",
    "updated_at",
    "device_id",
    "deleted_at",
)
THEME_NAMESPACE = uuid.UUID("6f1d2c1e-3b0a-4a5e-9d59-6c1c7e0f2a11")
TAG_NAMESPACE = uuid.UUID("0b7e6a53-2f7d-4c51-8f0e-1d3c9b4a7e22")
# Ids per query: well under SQLite's limit on bound parameters.
_CHUNK = 500


@dataclass(frozen=True)
class Codebook:
    """Whose themes: a consultation's, or (for a session with no consultation) one session's."""

    consultation_id: str | None
    session_id: str | None = None

    @classmethod
    def of(cls, session: Session) -> Codebook:
        """The codebook a session's notes are tagged from."""
        if session.consultation_id:
            return cls(session.consultation_id, None)
        return cls(None, session.id)

    @property
    def key(self) -> str:
        """A stable name for the codebook, from which its themes' ids are derived."""
        if self.consultation_id:
            return f"consultation:{self.consultation_id}"
        return f"session:{self.session_id}"

    def owns(self, theme: Theme) -> bool:
        """Whether the theme belongs to this codebook."""
        if self.consultation_id:
            return theme.consultation_id == self.consultation_id
        return theme.consultation_id is None and theme.session_id == self.session_id


@dataclass(frozen=True)
class Theme:
    id: str
    consultation_id: str | None
    session_id: str | None
    name: str
    merged_into: str | None
    created_at: str
    updated_at: str
    device_id: str
    deleted_at: str | None = None

    @property
    def is_live(self) -> bool:
        """Neither deleted nor merged into another theme."""
        return self.deleted_at is None and self.merged_into is None


def check_name(name: str) -> str:
    """A theme name with its spacing tidied, or FacilitatorError."""
    cleaned = " ".join(check_clean(name or "", "theme name").split())
    if not cleaned:
        raise FacilitatorError("theme name is empty")
    if len(cleaned) > MAX_THEME:
        raise FacilitatorError(f"theme name is too long ({MAX_THEME} characters at most)")
    return cleaned


def theme_id_for(codebook: Codebook, name: str) -> str:
    """The id a theme of this name is first created with in this codebook."""
    return str(uuid.uuid5(THEME_NAMESPACE, f"{codebook.key}\n{name.casefold()}"))


def root_of(theme_id: str, everything: Mapping[str, Theme]) -> Theme | None:
    """The theme a tag counts for: follow `merged_into` to the end (cycles stop safely)."""
    seen: set[str] = set()
    theme = everything.get(theme_id)
    while theme is not None and theme.merged_into and theme.id not in seen:
        seen.add(theme.id)
        following = everything.get(theme.merged_into)
        if following is None:
            break
        theme = following
    return theme


def find_in(everything: Mapping[str, Theme], codebook: Codebook, name: str) -> Theme | None:
    """The codebook's live theme with this name (ignoring case and spacing), among `everything`.

    A name that was merged away finds the theme it was merged into.
    """
    wanted = " ".join(name.split()).casefold()
    mine = [t for t in everything.values() if codebook.owns(t) and t.deleted_at is None]
    for theme in mine:
        if theme.is_live and theme.name.casefold() == wanted:
            return theme
    for theme in mine:
        if theme.name.casefold() == wanted:
            root = root_of(theme.id, everything)
            if root is not None and root.is_live and codebook.owns(root):
                return root
    return None


class CodebookRepository:
    """Themes of every codebook, and the tags that put notes under them."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -------------------------------------------------------- reading

    def all(self) -> dict[str, Theme]:
        """Every theme row, merged and deleted ones too, by id (to resolve merges)."""
        rows = self._store.db.execute(f"SELECT {', '.join(THEME_COLUMNS)} FROM themes").fetchall()
        return {row[0]: Theme(*row) for row in rows}

    def tags_of_notes(self, note_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(note id, theme id) of every live tag of these notes."""
        result: list[tuple[str, str]] = []
        for start in range(0, len(note_ids), _CHUNK):
            chunk = list(note_ids[start : start + _CHUNK])
            rows = self._store.db.execute(
                f"""SELECT note_id, theme_id FROM note_themes
                    WHERE deleted_at IS NULL AND note_id IN ({", ".join("?" * len(chunk))})""",
                chunk,
            ).fetchall()
            result.extend((str(note_id), str(theme_id)) for note_id, theme_id in rows)
        return result

    def tags_of_sessions(self, session_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(note id, session id, theme id) of every live tag of the live notes of these sessions."""
        if not session_ids:
            return []
        marks = ", ".join("?" * len(session_ids))
        rows = self._store.db.execute(
            f"""SELECT notes.id, notes.session_id, note_themes.theme_id FROM notes
                JOIN note_themes ON note_themes.note_id = notes.id
                WHERE notes.session_id IN ({marks})
                  AND notes.deleted_at IS NULL AND note_themes.deleted_at IS NULL""",
            list(session_ids),
        ).fetchall()
        return [(str(n), str(s), str(t)) for n, s, t in rows]

    # -------------------------------------------------------- writing

    def ensure(self, codebook: Codebook, name: str) -> Theme:
        """The codebook's theme of this name, created if new; committed when this returns."""
        with self._store.write() as writer:
            return self.ensure_in(writer, codebook, name)

    def seed(self, codebook: Codebook, names: Sequence[str]) -> int:
        """Add checked theme names to a codebook that has never held a theme; how many were added."""
        with self._store.write() as writer:
            everything = self.all()
            if any(codebook.owns(t) for t in everything.values()):
                return 0
            added = 0
            for name in names:
                if find_in(everything, codebook, name) is None:
                    created = self._insert(writer, codebook, name)
                    everything[created.id] = created
                    added += 1
            return added

    def ensure_many(self, codebook: Codebook, names: Sequence[str]) -> tuple[list[str], list[str]]:
        """Add the names the codebook lacks, all in one transaction: (names added, names already there).

        Every name is checked before anything is written, so a bad one adds none. A name
        already there (ignoring case and spacing, or merged into another theme) is left alone.
        """
        checked = [check_name(name) for name in names]
        added: list[str] = []
        there: list[str] = []
        with self._store.write() as writer:
            everything = self.all()
            for name in checked:
                if find_in(everything, codebook, name) is not None:
                    there.append(name)
                    continue
                created = self._insert(writer, codebook, name)
                everything[created.id] = created
                added.append(name)
        return added, there

    def tag(self, note_id: str, theme_id: str) -> None:
        """Tag a note with a theme (restoring an earlier, untagged tag)."""
        with self._store.write() as writer:
            self.tag_in(writer, note_id, theme_id)

    def move_tags(self, codebook: Codebook, moves: Iterable[tuple[str, str, str]]) -> None:
        """Move tags (note id, theme id, name) onto the codebook's theme of that name, in one transaction.

        The theme is created when the codebook lacks it.
        """
        with self._store.write() as writer:
            everything = self.all()
            for note_id, theme_id, name in moves:
                target = self.ensure_in(writer, codebook, name, everything)
                self.untag_in(writer, note_id, theme_id)
                self.tag_in(writer, note_id, target.id)

    def rename(self, theme: Theme, name: str) -> None:
        """Give a theme a new (checked) name; its tags stay."""
        with self._store.write() as writer:
            writer.update("themes", theme.id, {"name": name})

    def merge(self, merged: Theme, kept: Theme) -> None:
        """Move every tag of `merged` onto `kept` (one per note), then point `merged` at `kept`."""
        with self._store.write() as writer:
            note_ids = [
                str(row[0])
                for row in writer.execute(
                    "SELECT DISTINCT note_id FROM note_themes WHERE theme_id = ? AND deleted_at IS NULL",
                    [merged.id],
                ).fetchall()
            ]
            for note_id in note_ids:
                self.untag_in(writer, note_id, merged.id)
                self.tag_in(writer, note_id, kept.id)
            writer.update("themes", merged.id, {"merged_into": kept.id})

    # -------------------------------------------------------- inside a write transaction

    def ensure_in(
        self, writer: Writer, codebook: Codebook, name: str, everything: dict[str, Theme] | None = None
    ) -> Theme:
        """The codebook's theme of this name, created if new, inside an open write transaction.

        `everything`, if given, is the `all` cache; a created theme is added to it.
        """
        name = check_name(name)
        found = find_in(self.all() if everything is None else everything, codebook, name)
        if found is None:
            found = self._insert(writer, codebook, name)
            if everything is not None:
                everything[found.id] = found
        return found

    def tag_in(self, writer: Writer, note_id: str, theme_id: str) -> None:
        """Tag a note with a theme inside an open write transaction (restoring an untagged tag)."""
        live = writer.execute(
            "SELECT 1 FROM note_themes WHERE note_id = ? AND theme_id = ? AND deleted_at IS NULL",
            [note_id, theme_id],
        ).fetchone()
        if live:
            return
        tag_id = str(uuid.uuid5(TAG_NAMESPACE, f"{note_id}\n{theme_id}"))
        if writer.execute("SELECT 1 FROM note_themes WHERE id = ?", [tag_id]).fetchone():
            writer.restore("note_themes", tag_id)
            return
        writer.insert("note_themes", {"note_id": note_id, "theme_id": theme_id}, row_id=tag_id)

    def untag_in(self, writer: Writer, note_id: str, theme_id: str) -> None:
        """Tombstone a note's tag inside an open write transaction."""
        writer.tombstone_where("note_themes", "note_id = ? AND theme_id = ?", [note_id, theme_id])

    def untag_root_in(
        self, writer: Writer, note_id: str, root_id: str, everything: Mapping[str, Theme]
    ) -> None:
        """Untag a theme and every theme merged into it (the tag may point at either)."""
        for theme_id in everything:
            root = root_of(theme_id, everything)
            if root is not None and root.id == root_id:
                self.untag_in(writer, note_id, theme_id)

    def _insert(self, writer: Writer, codebook: Codebook, name: str) -> Theme:
        theme_id = theme_id_for(codebook, name)
        if writer.execute("SELECT 1 FROM themes WHERE id = ?", [theme_id]).fetchone():
            theme_id = new_id()
        row = writer.insert(
            "themes",
            {
                "consultation_id": codebook.consultation_id,
                "session_id": codebook.session_id,
                "name": name,
                "merged_into": None,
            },
            row_id=theme_id,
        )
        return Theme(
            row["id"],
            codebook.consultation_id,
            codebook.session_id,
            name,
            None,
            row["created_at"],
            row["updated_at"],
            row["device_id"],
        )
