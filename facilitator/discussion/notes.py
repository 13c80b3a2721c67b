"""Discussion notes: what was said after the statement exercise.

A note is a point, a verbatim quote or a case study. It may name its speaker
by participant code (never by name) and carries theme tags from the session's
codebook; a theme typed that the codebook lacks is created on the fly. Every
note is committed before the call returns, like a post-it. Deleting a note is a
tombstone; untagging a theme tombstones the tag.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from facilitator.core.clock import new_id, now
from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.discussion import codebook
from facilitator.discussion.codebook import Codebook, Theme
from facilitator.discussion.roster import resolve_speaker
from facilitator.store import MAX_COMMENT, SESSION_PREFIX_MIN, Store
from facilitator.store.writer import Writer

KINDS = ("note", "quote", "case_study")
KIND_LABELS = {"note": "Note", "quote": "Quote", "case_study": "Case study"}
NOTE_COLUMNS = (
    "id",
    "session_id",
    "text",
    "kind",
    "participant",
    "created_at",
    "updated_at",
    "device_id",
    "deleted_at",
)


class Keep(enum.Enum):
    """Leave a field as it is (for `edit_note`'s speaker, where None means 'unknown')."""

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

    @property
    def theme_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.themes)


def check_kind(kind: str) -> str:
    """A note kind from KINDS ('case study' and 'case-study' are accepted)."""
    wanted = " ".join((kind or "").split()).casefold().replace(" ", "_").replace("-", "_")
    if wanted not in KINDS:
        raise FacilitatorError(f"kind {kind!r} must be one of {', '.join(KINDS)}")
    return wanted


def check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise FacilitatorError("the note is empty")
    if len(text) > MAX_COMMENT:
        raise FacilitatorError(f"the note is too long ({len(text)} characters; {MAX_COMMENT} at most)")
    return text.strip()


# ---------------------------------------------------------------- reading


def _themes_by_note(store: Store, note_ids: Sequence[str]) -> dict[str, tuple[Theme, ...]]:
    if not note_ids:
        return {}
    everything = codebook.all_themes(store)
    found: dict[str, dict[str, Theme]] = {}
    for start in range(0, len(note_ids), 500):
        chunk = list(note_ids[start : start + 500])
        rows = store.db.execute(
            f"""SELECT note_id, theme_id FROM note_themes
                WHERE deleted_at IS NULL AND note_id IN ({", ".join("?" * len(chunk))})""",
            chunk,
        ).fetchall()
        for note_id, theme_id in rows:
            root = codebook.root_of(theme_id, everything)
            if root is not None and root.deleted_at is None:
                found.setdefault(note_id, {})[root.id] = root
    return {
        note_id: tuple(sorted(by_id.values(), key=lambda t: (t.name.casefold(), t.id)))
        for note_id, by_id in found.items()
    }


def _notes_from_rows(store: Store, rows: Sequence[Sequence[object]]) -> list[Note]:
    tags = _themes_by_note(store, [str(row[0]) for row in rows])
    notes = []
    for row in rows:
        values = dict(zip(NOTE_COLUMNS, row, strict=True))
        notes.append(
            Note(
                id=str(values["id"]),
                session_id=str(values["session_id"]),
                text=str(values["text"]),
                kind=str(values["kind"]),
                participant=values["participant"],  # type: ignore[arg-type]
                themes=tags.get(str(values["id"]), ()),
                created_at=str(values["created_at"]),
                updated_at=str(values["updated_at"]),
                device_id=str(values["device_id"]),
                deleted_at=values["deleted_at"],  # type: ignore[arg-type]
            )
        )
    return notes


def note(store: Store, note_id: str, *, include_deleted: bool = False) -> Note:
    """A note by its id, or a unique start of it (at least four characters)."""
    ref = note_id.strip()
    select = f"SELECT {', '.join(NOTE_COLUMNS)} FROM notes"
    rows = store.db.execute(f"{select} WHERE id = ?", [ref]).fetchall()
    if not rows and len(ref) >= SESSION_PREFIX_MIN:
        escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = store.db.execute(f"{select} WHERE id LIKE ? ESCAPE '\\'", [escaped + "%"]).fetchall()
        if len(rows) > 1:
            raise FacilitatorError(f"note id {ref!r} is ambiguous: give more of it")
    if not rows or (rows[0][-1] is not None and not include_deleted):
        raise NotFound(f"unknown note {ref!r}")
    return _notes_from_rows(store, rows)[0]


def notes(store: Store, session_id: str, *, kind: str | None = None) -> list[Note]:
    """The live notes of a session, in the order they were taken."""
    sql = f"SELECT {', '.join(NOTE_COLUMNS)} FROM notes WHERE session_id = ? AND deleted_at IS NULL"
    params: list[object] = [session_id]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(check_kind(kind))
    rows = store.db.execute(sql + " ORDER BY created_at, id", params).fetchall()
    return _notes_from_rows(store, rows)


def notes_for_theme(store: Store, theme_id: str, session_ids: Sequence[str]) -> list[Note]:
    """Every live note of these sessions tagged with the theme (or one merged into it)."""
    wanted = {n for n, _s, root in codebook.tagged_notes(store, session_ids) if root.id == theme_id}
    if not wanted:
        return []
    ids = sorted(wanted)
    rows: list[Sequence[object]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows.extend(
            store.db.execute(
                f"SELECT {', '.join(NOTE_COLUMNS)} FROM notes WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
        )
    rows.sort(key=lambda r: (str(r[5]), str(r[0])))
    return _notes_from_rows(store, rows)


# ---------------------------------------------------------------- writing


def add_note(
    store: Store,
    session_id: str,
    text: str,
    *,
    kind: str = "note",
    speaker: str | None = None,
    themes: Iterable[str] = (),
) -> Note:
    """Record a note with its speaker code and theme tags; on disk when this returns.

    `themes` are names in the session's codebook; a new name creates the theme.
    The same theme named twice is tagged once.
    """
    session = store.sessions.get(session_id)
    text = check_text(text)
    kind = check_kind(kind)
    participant = resolve_speaker(store, session.id, speaker)
    names = [codebook.check_name(name) for name in themes]
    book = Codebook.of(session)
    note_id, stamp = new_id(), now()
    tagged: dict[str, Theme] = {}
    with store.write() as db:
        db.execute(
            f"INSERT INTO notes ({', '.join(NOTE_COLUMNS)}) VALUES ({', '.join('?' * len(NOTE_COLUMNS))})",
            [note_id, session.id, text, kind, participant, stamp, stamp, store.device_id, None],
        )
        everything = codebook.all_themes(store) if names else {}
        for name in names:
            found = codebook.ensure_theme(db, store, book, name, everything)
            if found.id not in tagged:
                codebook.tag(db, store, note_id, found.id)
                tagged[found.id] = found
    ordered = tuple(sorted(tagged.values(), key=lambda t: (t.name.casefold(), t.id)))
    return Note(note_id, session.id, text, kind, participant, ordered, stamp, stamp, store.device_id)


def edit_note(
    store: Store,
    note_id: str,
    *,
    text: str | None = None,
    kind: str | None = None,
    speaker: str | Keep | None = KEEP,
    themes: Iterable[str] | None = None,
) -> Note:
    """Change a note. None (or KEEP for the speaker) leaves a field as it is.

    `themes`, when given, is the note's whole new set of tags: missing ones are
    untagged (tombstoned), new ones tagged, new names added to the codebook.
    """
    current = note(store, note_id)
    session = store.sessions.get(current.session_id)
    changes: dict[str, object] = {}
    if text is not None:
        changes["text"] = check_text(text)
    if kind is not None:
        changes["kind"] = check_kind(kind)
    if not isinstance(speaker, Keep):
        changes["participant"] = resolve_speaker(store, session.id, speaker)
    names = None if themes is None else [codebook.check_name(n) for n in themes]
    book = Codebook.of(session)
    with store.write() as db:
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            db.execute(
                f"UPDATE notes SET {assignments}, updated_at = ?, device_id = ? WHERE id = ?",
                [*changes.values(), now(), store.device_id, current.id],
            )
        if names is not None:
            everything = codebook.all_themes(store)
            wanted = {codebook.ensure_theme(db, store, book, name, everything).id for name in names}
            for old in current.themes:
                if old.id not in wanted:
                    _untag_all(db, store, current.id, old.id)
            for theme_id in wanted:
                codebook.tag(db, store, current.id, theme_id)
    return note(store, current.id)


def _untag_all(db: Writer, store: Store, note_id: str, root_id: str) -> None:
    """Untag a theme and every theme merged into it (the tag may point at either)."""
    everything = codebook.all_themes(store)
    for theme_id, _theme in everything.items():
        root = codebook.root_of(theme_id, everything)
        if root is not None and root.id == root_id:
            codebook.untag(db, store, note_id, theme_id)


def tag_note(store: Store, note_id: str, theme_name: str) -> Note:
    """Add one theme tag to a note (the theme is created if new)."""
    current = note(store, note_id)
    return edit_note(store, current.id, themes=[*current.theme_names, theme_name])


def untag_note(store: Store, note_id: str, theme_name: str) -> Note:
    """Remove one theme tag from a note."""
    current = note(store, note_id)
    session = store.sessions.get(current.session_id)
    removed = codebook.theme(store, Codebook.of(session), theme_name)
    if removed.id not in {t.id for t in current.themes}:
        raise FacilitatorError(f"the note is not tagged {removed.name!r}")
    return edit_note(store, current.id, themes=[t.name for t in current.themes if t.id != removed.id])


def delete_note(store: Store, note_id: str) -> Note:
    """Tombstone a note (it can be restored); its tags stay for a restore."""
    current = note(store, note_id)
    stamp = now()
    with store.write() as db:
        db.execute(
            "UPDATE notes SET deleted_at = ?, updated_at = ?, device_id = ? WHERE id = ?",
            [stamp, stamp, store.device_id, current.id],
        )
    return current


def restore_note(store: Store, note_id: str) -> Note:
    """Bring back a deleted note."""
    current = note(store, note_id, include_deleted=True)
    with store.write() as db:
        db.execute(
            "UPDATE notes SET deleted_at = NULL, updated_at = ?, device_id = ? WHERE id = ?",
            [now(), store.device_id, current.id],
        )
    return note(store, current.id)
