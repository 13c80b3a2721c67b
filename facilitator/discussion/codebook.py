"""The codebook: the themes a consultation's discussions raise, and how often.

Themes belong to a consultation. A session without a consultation has a codebook
of its own; when it later joins a consultation, the next use of its codebook
moves its notes' tags onto the consultation's themes of the same name (created
if needed), so no tag is lost.

A statement set may carry a starter codebook (`themes = [...]` in its TOML).
`seed_codebook` copies it into a codebook that has never had a theme.

A theme's id is derived from its codebook and name when first created, so two
laptops that seed or create the same theme for the same consultation make the
same row, and a sync merges them instead of listing the theme twice.

Frequency, as the report counts it: a theme is ranked by the number of sessions
that raised it (had at least one note tagged with it), then by the number of
notes, then by name (ignoring case), then by id. Themes with equal session and
note counts share a rank ("1, 2, 2, 4").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from facilitator.core.clock import new_id, now
from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.core.statements import Catalogue
from facilitator.store import Session, Store
from facilitator.store.writer import Writer

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
_THEME_NAMESPACE = uuid.UUID("6f1d2c1e-3b0a-4a5e-9d59-6c1c7e0f2a11")
_TAG_NAMESPACE = uuid.UUID("0b7e6a53-2f7d-4c51-8f0e-1d3c9b4a7e22")


@dataclass(frozen=True)
class Codebook:
    """Whose themes: a consultation's, or (for a session with no consultation) one session's."""

    consultation_id: str | None
    session_id: str | None = None

    @classmethod
    def of(cls, session: Session) -> Codebook:
        if session.consultation_id:
            return cls(session.consultation_id, None)
        return cls(None, session.id)

    @property
    def key(self) -> str:
        if self.consultation_id:
            return f"consultation:{self.consultation_id}"
        return f"session:{self.session_id}"

    def owns(self, theme: Theme) -> bool:
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
        return self.deleted_at is None and self.merged_into is None


@dataclass(frozen=True)
class RankedTheme:
    """A theme with how many sessions and notes raised it, and its rank (ties share one)."""

    rank: int
    theme: Theme
    sessions: int
    notes: int

    @property
    def name(self) -> str:
        return self.theme.name


def check_name(name: str) -> str:
    """A theme name with its spacing tidied, or FacilitatorError."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise FacilitatorError("theme name is empty")
    if len(cleaned) > MAX_THEME:
        raise FacilitatorError(f"theme name is too long ({MAX_THEME} characters at most)")
    return cleaned


# ---------------------------------------------------------------- reading


def all_themes(store: Store) -> dict[str, Theme]:
    """Every theme row, merged and deleted ones too, by id (to resolve merges)."""
    rows = store.db.execute(f"SELECT {', '.join(THEME_COLUMNS)} FROM themes").fetchall()
    return {row[0]: Theme(*row) for row in rows}


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


def themes(store: Store, codebook: Codebook) -> list[Theme]:
    """The live themes of a codebook, by name (ignoring case)."""
    found = [t for t in all_themes(store).values() if codebook.owns(t) and t.is_live]
    return sorted(found, key=lambda t: (t.name.casefold(), t.id))


def find_theme(
    store: Store, codebook: Codebook, name: str, everything: Mapping[str, Theme] | None = None
) -> Theme | None:
    """The live theme with this name (ignoring case and spacing).

    A name that was merged away finds the theme it was merged into. Pass
    `everything` (from `all_themes`) to look up many names with one read.
    """
    wanted = " ".join(name.split()).casefold()
    if everything is None:
        everything = all_themes(store)
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


def theme(store: Store, codebook: Codebook, name: str) -> Theme:
    found = find_theme(store, codebook, name)
    if found is None:
        raise NotFound(f"unknown theme {' '.join(name.split())!r}: 'facilitator themes' lists them")
    return found


def starter_themes(catalogue: Catalogue, session: Session) -> tuple[str, ...]:
    """The starter codebook of the session's statement set, if the set is still there."""
    statement_set = catalogue.sets.get(session.statement_set_id)
    return statement_set.themes if statement_set else ()


# ---------------------------------------------------------------- writing


def _insert_theme(db: Writer, store: Store, codebook: Codebook, name: str) -> Theme:
    theme_id = str(uuid.uuid5(_THEME_NAMESPACE, f"{codebook.key}\n{name.casefold()}"))
    if db.execute("SELECT 1 FROM themes WHERE id = ?", [theme_id]).fetchone():
        theme_id = new_id()
    stamp = now()
    created = Theme(
        theme_id, codebook.consultation_id, codebook.session_id, name, None, stamp, stamp, store.device_id
    )
    db.execute(
        f"INSERT INTO themes ({', '.join(THEME_COLUMNS)}) VALUES ({', '.join('?' * len(THEME_COLUMNS))})",
        [getattr(created, column) for column in THEME_COLUMNS],
    )
    return created


def ensure_theme(
    db: Writer,
    store: Store,
    codebook: Codebook,
    name: str,
    everything: dict[str, Theme] | None = None,
) -> Theme:
    """The codebook's theme of this name, created if new. Call inside `store.write()`.

    `everything`, if given, is the `all_themes` cache; a created theme is added to it.
    """
    name = check_name(name)
    found = find_theme(store, codebook, name, everything)
    if found is None:
        found = _insert_theme(db, store, codebook, name)
        if everything is not None:
            everything[found.id] = found
    return found


def add_theme(store: Store, session: Session, name: str) -> Theme:
    """Add a theme to the session's codebook (or return the one already named so)."""
    align_codebook(store, session)
    with store.write() as db:
        return ensure_theme(db, store, Codebook.of(session), name)


def seed_codebook(store: Store, session: Session, names: Iterable[str]) -> int:
    """Fill the session's codebook from a starter list if it has never held a theme.

    Returns how many themes were added (0 when the codebook was already in use).
    """
    codebook = Codebook.of(session)
    wanted = [check_name(n) for n in names if n.strip()]
    if not wanted:
        return 0
    with store.write() as db:
        if any(codebook.owns(t) for t in all_themes(store).values()):
            return 0
        added = 0
        for name in wanted:
            if find_theme(store, codebook, name) is None:
                _insert_theme(db, store, codebook, name)
                added += 1
        return added


def tag(db: Writer, store: Store, note_id: str, theme_id: str) -> None:
    """Tag a note with a theme (restoring an earlier, untagged tag). Call inside `store.write()`."""
    live = db.execute(
        "SELECT 1 FROM note_themes WHERE note_id = ? AND theme_id = ? AND deleted_at IS NULL",
        [note_id, theme_id],
    ).fetchone()
    if live:
        return
    tag_id = str(uuid.uuid5(_TAG_NAMESPACE, f"{note_id}\n{theme_id}"))
    stamp = now()
    if db.execute("SELECT 1 FROM note_themes WHERE id = ?", [tag_id]).fetchone():
        db.execute(
            "UPDATE note_themes SET deleted_at = NULL, updated_at = ?, device_id = ? WHERE id = ?",
            [stamp, store.device_id, tag_id],
        )
        return
    db.execute(
        """INSERT INTO note_themes (id, note_id, theme_id, created_at, updated_at, device_id)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [tag_id, note_id, theme_id, stamp, stamp, store.device_id],
    )


def untag(db: Writer, store: Store, note_id: str, theme_id: str) -> None:
    """Tombstone a note's tag. Call inside `store.write()`."""
    stamp = now()
    db.execute(
        """UPDATE note_themes SET deleted_at = ?, updated_at = ?, device_id = ?
           WHERE note_id = ? AND theme_id = ? AND deleted_at IS NULL""",
        [stamp, stamp, store.device_id, note_id, theme_id],
    )


def align_codebook(store: Store, session: Session) -> int:
    """Make every tag of the session's notes point into the session's current codebook.

    Needed only after a session joined (or changed) consultation. Each foreign
    tag moves to the codebook's theme of the same name, created if new. Returns
    how many tags moved; writes nothing when all is in place.
    """
    codebook = Codebook.of(session)
    everything = all_themes(store)
    rows = store.db.execute(
        """SELECT note_themes.note_id, note_themes.theme_id FROM note_themes
           JOIN notes ON notes.id = note_themes.note_id
           WHERE notes.session_id = ? AND notes.deleted_at IS NULL AND note_themes.deleted_at IS NULL""",
        [session.id],
    ).fetchall()
    foreign = []
    for note_id, theme_id in rows:
        root = root_of(theme_id, everything)
        if root is not None and not codebook.owns(root):
            foreign.append((note_id, theme_id, root.name))
    if not foreign:
        return 0
    with store.write() as db:
        for note_id, theme_id, name in foreign:
            target = ensure_theme(db, store, codebook, name)
            untag(db, store, note_id, theme_id)
            tag(db, store, note_id, target.id)
    return len(foreign)


def rename_theme(store: Store, session: Session, old: str, new: str) -> Theme:
    """Rename a theme of the session's codebook; its tags stay."""
    align_codebook(store, session)
    codebook = Codebook.of(session)
    current = theme(store, codebook, old)
    name = check_name(new)
    clash = find_theme(store, codebook, name)
    if clash is not None and clash.id != current.id:
        raise FacilitatorError(
            f"a theme named {clash.name!r} already exists: merge the two instead of renaming"
        )
    with store.write() as db:
        db.execute(
            "UPDATE themes SET name = ?, updated_at = ?, device_id = ? WHERE id = ?",
            [name, now(), store.device_id, current.id],
        )
    return theme(store, codebook, name)


def merge_themes(store: Store, session: Session, source: str, target: str) -> Theme:
    """Merge theme `source` into `target`: every tag moves over, none is lost or doubled.

    A note tagged with both keeps one tag. The merged theme leaves the codebook but
    remembers where it went, so a tag synced in later still counts for `target`.
    """
    align_codebook(store, session)
    codebook = Codebook.of(session)
    merged = theme(store, codebook, source)
    kept = theme(store, codebook, target)
    if merged.id == kept.id:
        raise FacilitatorError(f"cannot merge {merged.name!r} into itself")
    stamp = now()
    with store.write() as db:
        note_ids = [
            row[0]
            for row in db.execute(
                "SELECT DISTINCT note_id FROM note_themes WHERE theme_id = ? AND deleted_at IS NULL",
                [merged.id],
            ).fetchall()
        ]
        for note_id in note_ids:
            untag(db, store, note_id, merged.id)
            tag(db, store, note_id, kept.id)
        db.execute(
            "UPDATE themes SET merged_into = ?, updated_at = ?, device_id = ? WHERE id = ?",
            [kept.id, stamp, store.device_id, merged.id],
        )
    return kept


# ---------------------------------------------------------------- frequency


def tagged_notes(store: Store, session_ids: Sequence[str]) -> list[tuple[str, str, Theme]]:
    """(note id, session id, root theme) for every live tag of live notes in these sessions."""
    if not session_ids:
        return []
    everything = all_themes(store)
    marks = ", ".join("?" * len(session_ids))
    rows = store.db.execute(
        f"""SELECT notes.id, notes.session_id, note_themes.theme_id FROM notes
            JOIN note_themes ON note_themes.note_id = notes.id
            WHERE notes.session_id IN ({marks})
              AND notes.deleted_at IS NULL AND note_themes.deleted_at IS NULL""",
        list(session_ids),
    ).fetchall()
    result = []
    for note_id, session_id, theme_id in rows:
        root = root_of(theme_id, everything)
        if root is not None and root.deleted_at is None:
            result.append((note_id, session_id, root))
    return result


def _ranked(counted: list[tuple[Theme, int, int]]) -> list[RankedTheme]:
    """(theme, sessions, notes) sorted by sessions, notes, name and id; ties share a rank."""
    counted.sort(key=lambda c: (-c[1], -c[2], c[0].name.casefold(), c[0].id))
    ranked: list[RankedTheme] = []
    for position, (item, n_sessions, n_notes) in enumerate(counted, start=1):
        tied = ranked and (ranked[-1].sessions, ranked[-1].notes) == (n_sessions, n_notes)
        ranked.append(RankedTheme(ranked[-1].rank if tied else position, item, n_sessions, n_notes))
    return ranked


def rank(
    store: Store, codebook: Codebook, session_ids: Sequence[str], *, include_unused: bool = True
) -> list[RankedTheme]:
    """The codebook's themes ranked by sessions, then notes, over these sessions.

    Ties (same sessions and notes) share a rank and are listed by name, ignoring
    case, then id. Unused themes come last with zero counts unless left out.
    """
    notes_by_theme: dict[str, set[str]] = {}
    sessions_by_theme: dict[str, set[str]] = {}
    for note_id, session_id, root in tagged_notes(store, session_ids):
        notes_by_theme.setdefault(root.id, set()).add(note_id)
        sessions_by_theme.setdefault(root.id, set()).add(session_id)
    counted = [
        (t, len(sessions_by_theme.get(t.id, ())), len(notes_by_theme.get(t.id, ())))
        for t in themes(store, codebook)
    ]
    if not include_unused:
        counted = [c for c in counted if c[2] > 0]
    return _ranked(counted)


def sessions_sharing(store: Store, codebook: Codebook) -> list[Session]:
    """The live sessions whose notes the codebook counts."""
    if codebook.consultation_id:
        return store.sessions.all(codebook.consultation_id)
    return [store.sessions.get(codebook.session_id)] if codebook.session_id else []


def rank_for_session(store: Store, session: Session, *, include_unused: bool = True) -> list[RankedTheme]:
    """The session's codebook ranked by this session's notes alone."""
    align_codebook(store, session)
    return rank(store, Codebook.of(session), [session.id], include_unused=include_unused)


def rank_for_consultation(
    store: Store, consultation_id: str, *, include_unused: bool = True
) -> list[RankedTheme]:
    """A consultation's codebook ranked over all its sessions, as the report lists its themes."""
    sessions = store.sessions.all(consultation_id)
    for session in sessions:
        align_codebook(store, session)
    return rank(store, Codebook(consultation_id), [s.id for s in sessions], include_unused=include_unused)


def rank_across(store: Store, session_ids: Sequence[str]) -> list[RankedTheme]:
    """The themes these sessions' notes raised, ranked as `rank` ranks them.

    For a report that may cover sessions of more than one codebook: themes of the
    same name (ignoring case and spacing) count as one theme, shown under the name
    first created. Themes no note raised are left out. Nothing is written.
    """
    notes_by_name: dict[str, set[str]] = {}
    sessions_by_name: dict[str, set[str]] = {}
    shown: dict[str, Theme] = {}
    for note_id, session_id, root in tagged_notes(store, session_ids):
        name = " ".join(root.name.split()).casefold()
        notes_by_name.setdefault(name, set()).add(note_id)
        sessions_by_name.setdefault(name, set()).add(session_id)
        if name not in shown or (root.created_at, root.id) < (shown[name].created_at, shown[name].id):
            shown[name] = root
    counted = [(shown[n], len(sessions_by_name[n]), len(notes_by_name[n])) for n in shown]
    return _ranked(counted)
