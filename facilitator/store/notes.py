"""Discussion notes with their theme tags.

A note is a point, a verbatim quote or a case study, with an optional speaker
code and the themes it is tagged with. Adding or editing a note and its tags is
one transaction. Deleting a note is a tombstone that keeps no words; its tags stay
for a restore, which puts back the text the caller kept.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store.codebook import Codebook, Theme, root_of
from facilitator.store.records import MAX_COMMENT, SESSION_PREFIX_MIN, check_clean

if TYPE_CHECKING:
    from facilitator.store.database import Store

KINDS = ("note", "quote", "case_study")
# A case study's title ("Darren"): a heading, not a paragraph.
MAX_TITLE = 80
NOTE_COLUMNS = (
    "id",
    "session_id",
    "text",
    "kind",
    "participant",
    "title",
    "position",
    "created_at",
    "updated_at",
    "device_id",
    "deleted_at",
)
_SELECT = f"SELECT {', '.join(NOTE_COLUMNS)} FROM notes"
# Ids per query: well under SQLite's limit on bound parameters.
_CHUNK = 500


class Keep(enum.Enum):
    """Leave a field as it is (for a note's speaker, where None means 'unknown')."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class Note:
    id: str
    session_id: str
    text: str
    kind: str
    participant: str | None
    themes: tuple[Theme, ...]
    created_at: str
    updated_at: str
    device_id: str
    deleted_at: str | None = None
    title: str = ""
    position: int = 0

    @property
    def theme_names(self) -> tuple[str, ...]:
        """The names of the note's themes, in order."""
        return tuple(t.name for t in self.themes)


def check_kind(kind: str) -> str:
    """A note kind from KINDS ('case study' and 'case-study' are accepted)."""
    wanted = " ".join((kind or "").split()).casefold().replace(" ", "_").replace("-", "_")
    if wanted not in KINDS:
        raise FacilitatorError(f"kind {kind!r} must be one of {', '.join(KINDS)}")
    return wanted


def check_text(text: str) -> str:
    """A note's text, stripped, or FacilitatorError when empty or too long."""
    if not isinstance(text, str) or not text.strip():
        raise FacilitatorError("the note is empty")
    if len(text) > MAX_COMMENT:
        raise FacilitatorError(f"the note is too long ({len(text)} characters; {MAX_COMMENT} at most)")
    return check_clean(text, "the note").strip()


def check_title(title: str) -> str:
    """A case study's title, stripped ("" for none): one line of at most MAX_TITLE characters,
    or FacilitatorError."""
    if not isinstance(title, str):
        raise FacilitatorError("the title must be text")
    title = check_clean(title, "the title").strip()
    if len(title) > MAX_TITLE:
        raise FacilitatorError(f"the title is too long ({len(title)} characters; {MAX_TITLE} at most)")
    for index, character in enumerate(title, start=1):
        if unicodedata.category(character) == "Cc":
            raise FacilitatorError(
                f"the title holds a control character (U+{ord(character):04X}) at position {index}: "
                "a title is one line of text"
            )
    return title


def check_position(position: int) -> int:
    """A note's place in its session's order: a whole number from 0."""
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < 2**31:
        raise FacilitatorError(f"position {position!r} must be a whole number from 0")
    return position


def _order(value: object) -> int:
    return value if isinstance(value, int) else 0


def _by_name(themes: Sequence[Theme]) -> tuple[Theme, ...]:
    return tuple(sorted(themes, key=lambda t: (t.name.casefold(), t.id)))


class NoteRepository:
    """The discussion notes of every session, with their theme tags."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -------------------------------------------------------- reading

    def get(self, ref: str, *, include_deleted: bool = False) -> Note:
        """A note by its id, or a unique start of it (at least four characters)."""
        ref = ref.strip()
        db = self._store.db
        rows = db.execute(f"{_SELECT} WHERE id = ?", [ref]).fetchall()
        if not rows and len(ref) >= SESSION_PREFIX_MIN:
            escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = db.execute(f"{_SELECT} WHERE id LIKE ? ESCAPE '\\'", [escaped + "%"]).fetchall()
            if len(rows) > 1:
                raise FacilitatorError(f"note id {ref!r} is ambiguous: give more of it")
        if not rows or (rows[0][-1] is not None and not include_deleted):
            raise NotFound(f"unknown note {ref!r}")
        return self._from_rows(rows)[0]

    def of(self, session_id: str, *, kind: str | None = None) -> list[Note]:
        """The live notes of a session (of one checked kind, if given), in the author's order."""
        sql = f"{_SELECT} WHERE session_id = ? AND deleted_at IS NULL"
        params: list[object] = [session_id]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        return self._from_rows(
            self._store.db.execute(sql + " ORDER BY position, created_at, id", params).fetchall()
        )

    def with_ids(self, note_ids: Sequence[str]) -> list[Note]:
        """The notes with these ids, by session and in the author's order within each."""
        ids = sorted(set(note_ids))
        rows: list[Sequence[object]] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            rows.extend(
                self._store.db.execute(
                    f"{_SELECT} WHERE id IN ({', '.join('?' * len(chunk))})", chunk
                ).fetchall()
            )
        session, position, created = (NOTE_COLUMNS.index(c) for c in ("session_id", "position", "created_at"))
        # Sessions in the order their first of these notes was taken; the author's order within each.
        first: dict[str, str] = {}
        for r in rows:
            key = str(r[session])
            first[key] = min(first.get(key, str(r[created])), str(r[created]))
        rows.sort(
            key=lambda r: (
                first[str(r[session])],
                str(r[session]),
                _order(r[position]),
                str(r[created]),
                str(r[0]),
            )
        )
        return self._from_rows(rows)

    def _themes_by_note(self, note_ids: Sequence[str]) -> dict[str, tuple[Theme, ...]]:
        if not note_ids:
            return {}
        everything = self._store.codebook.all()
        found: dict[str, dict[str, Theme]] = {}
        for note_id, theme_id in self._store.codebook.tags_of_notes(note_ids):
            root = root_of(theme_id, everything)
            if root is not None and root.deleted_at is None:
                found.setdefault(note_id, {})[root.id] = root
        return {note_id: _by_name(list(by_id.values())) for note_id, by_id in found.items()}

    def _from_rows(self, rows: Sequence[Sequence[object]]) -> list[Note]:
        tags = self._themes_by_note([str(row[0]) for row in rows])
        notes = []
        for row in rows:
            values = dict(zip(NOTE_COLUMNS, row, strict=True))
            participant, deleted_at = values["participant"], values["deleted_at"]
            notes.append(
                Note(
                    id=str(values["id"]),
                    session_id=str(values["session_id"]),
                    text=str(values["text"]),
                    kind=str(values["kind"]),
                    participant=None if participant is None else str(participant),
                    title=str(values["title"]),
                    position=_order(values["position"]),
                    themes=tags.get(str(values["id"]), ()),
                    created_at=str(values["created_at"]),
                    updated_at=str(values["updated_at"]),
                    device_id=str(values["device_id"]),
                    deleted_at=None if deleted_at is None else str(deleted_at),
                )
            )
        return notes

    # -------------------------------------------------------- writing

    def add(
        self,
        session_id: str,
        text: str,
        kind: str,
        participant: str | None,
        codebook: Codebook,
        theme_names: Sequence[str] = (),
        title: str = "",
    ) -> Note:
        """Record a checked note and tag it, in one transaction; on disk when this returns.

        The note goes last in its session's order. A theme name the codebook lacks creates
        the theme; a theme named twice is tagged once.
        """
        codebooks = self._store.codebook
        tagged: dict[str, Theme] = {}
        with self._store.write() as writer:
            last = writer.execute(
                "SELECT coalesce(max(position), 0) FROM notes WHERE session_id = ?", [session_id]
            ).fetchone()[0]
            row = writer.insert(
                "notes",
                {
                    "session_id": session_id,
                    "text": text,
                    "kind": kind,
                    "participant": participant,
                    "title": title,
                    "position": int(last) + 1,
                },
            )
            everything = codebooks.all() if theme_names else {}
            for name in theme_names:
                found = codebooks.ensure_in(writer, codebook, name, everything)
                if found.id not in tagged:
                    codebooks.tag_in(writer, row["id"], found.id)
                    tagged[found.id] = found
        return Note(
            row["id"],
            session_id,
            text,
            kind,
            participant,
            _by_name(list(tagged.values())),
            row["created_at"],
            row["updated_at"],
            row["device_id"],
            title=title,
            position=int(last) + 1,
        )

    def edit(
        self,
        current: Note,
        codebook: Codebook,
        *,
        text: str | None = None,
        kind: str | None = None,
        participant: str | Keep | None = KEEP,
        theme_names: Sequence[str] | None = None,
        title: str | None = None,
    ) -> Note:
        """Change a note's checked fields and, when `theme_names` is given, its whole set of tags.

        None (KEEP for the speaker) leaves a field as it is. Tags missing from
        `theme_names` are tombstoned, new ones added, new names added to the codebook.
        All in one transaction.
        """
        changes: dict[str, object] = {}
        if text is not None:
            changes["text"] = text
        if kind is not None:
            changes["kind"] = kind
        if title is not None:
            changes["title"] = title
        if not isinstance(participant, Keep):
            changes["participant"] = participant
        codebooks = self._store.codebook
        with self._store.write() as writer:
            if changes:
                writer.update("notes", current.id, changes)
            if theme_names is not None:
                everything = codebooks.all()
                wanted = {codebooks.ensure_in(writer, codebook, name, everything).id for name in theme_names}
                for old in current.themes:
                    if old.id not in wanted:
                        codebooks.untag_root_in(writer, current.id, old.id, everything)
                for theme_id in wanted:
                    codebooks.tag_in(writer, current.id, theme_id)
        return self.get(current.id)

    def move(self, note_id: str, step: int) -> Note:
        """Move a live note one place up (-1) or down (+1) in its session's order: it swaps
        places with its neighbour, in one stamped write.

        The first note cannot go up nor the last go down: FacilitatorError says so, and
        nothing changes.
        """
        if step not in (-1, 1):
            raise FacilitatorError(f"a note moves one place up (-1) or down (+1), not {step!r}")
        current = self.get(note_id)
        order = self.of(current.session_id)
        at = next(i for i, n in enumerate(order) if n.id == current.id)
        if not 0 <= at + step < len(order):
            raise FacilitatorError(f"the note is already {'first' if step < 0 else 'last'} in its session")
        here, there = order[at], order[at + step]
        with self._store.write() as writer:
            if here.position != there.position:
                writer.update("notes", here.id, {"position": there.position})
                writer.update("notes", there.id, {"position": here.position})
            else:
                # Equal places (notes from a laptop before ordering): number the session afresh.
                ids = [n.id for n in order]
                ids[at], ids[at + step] = ids[at + step], ids[at]
                was = {n.id: n.position for n in order}
                for number, moved_id in enumerate(ids, start=1):
                    if was[moved_id] != number:
                        writer.update("notes", moved_id, {"position": number})
        return self.get(current.id)

    def delete(self, note: Note) -> None:
        """Tombstone a note, blanking its text, title and speaker in the same transaction; its tags stay.

        The database no longer holds its words: a caller that offers an undo keeps `note`
        and gives it to `restore`.
        """
        with self._store.write() as writer:
            writer.tombstone("notes", note.id)

    def restore(self, note: Note) -> None:
        """Bring back a deleted note with the text, title and speaker held in `note`.

        A note read from the database after its delete has a blank text, and cannot come
        back: it is refused. A note that is not deleted keeps the words it has.
        """
        stored = self.get(note.id, include_deleted=True)
        words: dict[str, object] = {}
        if stored.deleted_at is not None:
            if not note.text.strip():
                raise FacilitatorError("the note was deleted and its text is gone: it cannot be brought back")
            words = {
                "text": check_text(note.text),
                "participant": note.participant,
                "title": check_title(note.title),
            }
        with self._store.write() as writer:
            writer.restore("notes", note.id, words)
