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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.core.statements import Catalogue
from facilitator.store import Session, Store

# The codebook's records and checks live in the store; re-exported here.
from facilitator.store.codebook import MAX_THEME as MAX_THEME
from facilitator.store.codebook import THEME_COLUMNS as THEME_COLUMNS
from facilitator.store.codebook import Codebook as Codebook
from facilitator.store.codebook import Theme as Theme
from facilitator.store.codebook import check_name as check_name
from facilitator.store.codebook import find_in
from facilitator.store.codebook import root_of as root_of


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


# ---------------------------------------------------------------- reading


def all_themes(store: Store) -> dict[str, Theme]:
    """Every theme row, merged and deleted ones too, by id (to resolve merges)."""
    return store.codebook.all()


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
    return find_in(all_themes(store) if everything is None else everything, codebook, name)


def theme(store: Store, codebook: Codebook, name: str) -> Theme:
    """The live theme with this name (see `find_theme`), or NotFound."""
    found = find_theme(store, codebook, name)
    if found is None:
        raise NotFound(f"unknown theme {' '.join(name.split())!r}: 'facilitator themes' lists them")
    return found


def starter_themes(catalogue: Catalogue, session: Session) -> tuple[str, ...]:
    """The starter codebook of the session's statement set, if the set is still there."""
    statement_set = catalogue.sets.get(session.statement_set_id)
    return statement_set.themes if statement_set else ()


# ---------------------------------------------------------------- writing


def add_theme(store: Store, session: Session, name: str) -> Theme:
    """Add a theme to the session's codebook (or return the one already named so)."""
    align_codebook(store, session)
    return store.codebook.ensure(Codebook.of(session), name)


def seed_codebook(store: Store, session: Session, names: Iterable[str]) -> int:
    """Fill the session's codebook from a starter list if it has never held a theme.

    Returns how many themes were added (0 when the codebook was already in use).
    """
    codebook = Codebook.of(session)
    wanted = [check_name(n) for n in names if n.strip()]
    if not wanted:
        return 0
    return store.codebook.seed(codebook, wanted)


def align_codebook(store: Store, session: Session) -> int:
    """Make every tag of the session's notes point into the session's current codebook.

    Needed only after a session joined (or changed) consultation. Each foreign
    tag moves to the codebook's theme of the same name, created if new. Returns
    how many tags moved; writes nothing when all is in place.
    """
    codebook = Codebook.of(session)
    everything = all_themes(store)
    rows = [(n, t) for n, _s, t in store.codebook.tags_of_sessions([session.id])]
    foreign = []
    for note_id, theme_id in rows:
        root = root_of(theme_id, everything)
        if root is not None and not codebook.owns(root):
            foreign.append((note_id, theme_id, root.name))
    if not foreign:
        return 0
    store.codebook.move_tags(codebook, foreign)
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
    store.codebook.rename(current, name)
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
    store.codebook.merge(merged, kept)
    return kept


# ---------------------------------------------------------------- frequency


def tagged_notes(store: Store, session_ids: Sequence[str]) -> list[tuple[str, str, Theme]]:
    """(note id, session id, root theme) for every live tag of live notes in these sessions."""
    if not session_ids:
        return []
    everything = all_themes(store)
    rows = store.codebook.tags_of_sessions(session_ids)
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
