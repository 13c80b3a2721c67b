"""Chart groups and their counts, in the order the report shows them.

A chart covers one *chart group*: one session, several sessions pooled under a
label, a cohort, or every chosen session. The report's Appendix 1 has one chart
per group per statement, titled "<group label>: <statement text>"; its Figures
pool every chosen session, one per statement, titled "Figure N: <statement text>".

Counts come from the store's GROUP BY, never from loading post-its. This module
is plain Python: the command line, the exports and the app's charts screen use it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from facilitator.core.errors import FacilitatorError

# The one rule for shown percentages (wall, charts screen, summaries, report), re-exported here.
from facilitator.core.percent import percent_text as percent_text
from facilitator.core.statements import Scale, Statement
from facilitator.exercise.pools import check_same_statements as check_same_statements
from facilitator.exercise.pools import pools_for
from facilitator.store import Session, Store

SESSION, POOL, COHORT, ALL = "session", "pool", "cohort", "all"
ALL_SESSIONS = "All sessions"
ALL_GROUPS = "All groups"


@dataclass(frozen=True)
class ChartGroup:
    """What one chart covers: a label and the sessions whose post-its it counts."""

    label: str
    kind: str
    sessions: tuple[Session, ...]

    @property
    def session_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sessions)


@dataclass(frozen=True)
class Chart:
    """One statement's responses over one chart group, counts in scale order."""

    title: str
    group: ChartGroup
    statement: Statement
    scale: Scale
    counts: tuple[int, ...]
    figure: int | None = None

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def by_key(self) -> dict[str, int]:
        """Counts per scale key, in scale order."""
        return dict(zip(self.scale.keys, self.counts, strict=True))

    def percent(self, index: int) -> float:
        """The share of this chart's post-its in the category at `index` (0 when empty)."""
        return 100.0 * self.counts[index] / self.n if self.n else 0.0


@dataclass(frozen=True)
class Selection:
    """The sessions chosen for charts, with their appendix groups, checked for consistency."""

    sessions: tuple[Session, ...]
    groups: tuple[ChartGroup, ...]
    title: str

    @property
    def scale(self) -> Scale:
        return self.sessions[0].scale

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.sessions[0].statements

    @property
    def session_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sessions)

    def everyone(self) -> ChartGroup:
        """Every chosen session pooled: the group behind the Figures."""
        return ChartGroup(self.title, ALL, self.sessions)

    def cohorts(self) -> tuple[ChartGroup, ...]:
        """One group per cohort, in the order each cohort first met."""
        return cohort_groups(self.sessions)

    def screen_groups(self) -> tuple[ChartGroup, ...]:
        """The groups to page through on screen: appendix groups, cohorts (if more than one), all."""
        cohorts = self.cohorts()
        return (*self.groups, *(cohorts if len(cohorts) > 1 else ()), self.everyone())


# ---------------------------------------------------------------- choosing


def parse_pool(text: str) -> tuple[str, list[str]]:
    """Read a `--pool` value, "LABEL=ID,ID", into its label and session references."""
    label, sep, refs = text.partition("=")
    label = " ".join(label.split())
    ids = [r.strip() for r in refs.split(",") if r.strip()]
    if not sep or not label or not ids:
        raise FacilitatorError(f"pool {text!r} must be written LABEL=ID,ID (a label, '=', session ids)")
    return label, ids


def cohort_groups(sessions: Iterable[Session]) -> tuple[ChartGroup, ...]:
    """Sessions grouped by cohort (ignoring case), in the order each cohort first met."""
    found: dict[str, list[Session]] = {}
    for session in sessions:
        found.setdefault(session.cohort.casefold(), []).append(session)
    return tuple(ChartGroup(members[0].cohort, COHORT, tuple(members)) for members in found.values())


def appendix_groups(
    sessions: Sequence[Session], pools: Sequence[tuple[str, Sequence[Session]]] = ()
) -> tuple[ChartGroup, ...]:
    """One group per session, or per pool, in the order the sessions took place.

    A pooled group stands where its first session stood. A session in two pools,
    or twice in one, is an error, as is a pool label that another group already uses.
    """
    pool_of: dict[str, int] = {}
    for index, (_label, members) in enumerate(pools):
        for session in members:
            if session.id in pool_of:
                raise FacilitatorError(
                    f"session {session.label!r} is pooled twice: put each session in one pool only"
                )
            pool_of[session.id] = index
    order = {s.id: position for position, s in enumerate(sessions)}
    groups: list[ChartGroup] = []
    placed: set[int] = set()
    for session in sessions:
        pool = pool_of.get(session.id)
        if pool is None:
            groups.append(ChartGroup(session.label, SESSION, (session,)))
        elif pool not in placed:
            placed.add(pool)
            label, members = pools[pool]
            ordered = tuple(sorted(members, key=lambda s: order[s.id]))
            groups.append(ChartGroup(label, POOL, ordered))
    labels = [g.label.casefold() for g in groups]
    for group in groups:
        if group.kind == POOL and labels.count(group.label.casefold()) > 1:
            raise FacilitatorError(f"pool label {group.label!r} is already the label of another chart group")
    return tuple(groups)


def select(
    store: Store,
    *,
    consultation: str | None = None,
    session_refs: Sequence[str] = (),
    pools: Sequence[str] = (),
    saved_pools: bool = True,
) -> Selection:
    """Choose and check the sessions to chart, before anything is drawn or written.

    The sessions are those named (and those pooled), or else the consultation's,
    or else every session; always in the order they took place. Without `pools`
    (written "LABEL=ID,ID"), the saved pools whose sessions are all chosen are used;
    given `pools` replace them.
    """
    found = None
    if consultation is not None:
        found = store.consultations.named(consultation)
    parsed = [parse_pool(text) for text in pools]
    pooled = [(label, [store.sessions.get(ref) for ref in refs]) for label, refs in parsed]
    named = [store.sessions.get(ref) for ref in session_refs]
    in_pools = [s for _, members in pooled for s in members]
    if found is not None:
        for session in [*named, *in_pools]:
            if session.consultation_id != found.id:
                raise FacilitatorError(f"session {session.label!r} is not in consultation {found.title!r}")
    every = store.sessions.all(found.id if found else None)
    if named:
        wanted = {s.id for s in [*named, *in_pools]}
        every = [s for s in every if s.id in wanted]
    if not every:
        raise FacilitatorError("there are no sessions to chart: record a session first")
    check_same_statements(every)
    if not parsed and saved_pools:
        pooled = pools_for(store, every)
    groups = appendix_groups(every, pooled)
    if found is not None:
        title = found.title
    else:
        titles = {s.consultation for s in every}
        title = titles.pop() if len(titles) == 1 and "" not in titles else ALL_SESSIONS
    return Selection(tuple(every), groups, title)


def session_selection(session: Session) -> Selection:
    """A selection of one session (its summary and its charts)."""
    return Selection((session,), (ChartGroup(session.label, SESSION, (session,)),), session.label)


# ---------------------------------------------------------------- counting


class Counts:
    """Counts per session from one GROUP BY, added up for any chart group."""

    def __init__(self, store: Store, sessions: Sequence[Session]) -> None:
        self._by_session = store.postits.counts_by_session([s.id for s in sessions])

    def chart(
        self, group: ChartGroup, statement: Statement, scale: Scale, *, figure: int | None = None
    ) -> Chart:
        """The chart of one statement over one group, titled as the report titles it."""
        totals = dict.fromkeys(scale.keys, 0)
        for session_id in group.session_ids:
            for key, n in self._by_session.get(session_id, {}).get(statement.number, {}).items():
                if key in totals:
                    totals[key] += n
        title = (
            f"Figure {figure}: {statement.text}" if figure is not None else f"{group.label}: {statement.text}"
        )
        return Chart(title, group, statement, scale, tuple(totals.values()), figure)

    def group_charts(self, group: ChartGroup, selection: Selection) -> list[Chart]:
        """One chart per statement, in set order, for one group."""
        return [self.chart(group, statement, selection.scale) for statement in selection.statements]


def appendix_charts(counts: Counts, selection: Selection) -> list[Chart]:
    """Appendix 1: every group's chart of every statement, groups in the order they met."""
    return [chart for group in selection.groups for chart in counts.group_charts(group, selection)]


def figure_charts(counts: Counts, selection: Selection) -> list[Chart]:
    """Figures 1..N: one chart per statement over every chosen session."""
    everyone = selection.everyone()
    return [
        counts.chart(everyone, statement, selection.scale, figure=position)
        for position, statement in enumerate(selection.statements, start=1)
    ]


def n_text(n: int, participants: int | None = None) -> str:
    """How many post-its a chart counts: "n = 46" when the participants are not known or match;
    "n = 44 of 46 participants" when fewer answered; "n = 46 post-its from 40 participants"
    when there are more post-its than people (several from one person)."""
    if participants is None or participants == n:
        return f"n = {n}"
    people = f"{participants} participant{'s' if participants != 1 else ''}"
    if n > participants:
        return f"n = {n} post-its from {people}"
    return f"n = {n} of {people}"


@dataclass(frozen=True)
class Diverging:
    """One statement across chart groups, for the diverging stacked chart that compares them:
    one row per group (appendix groups in order, then every session), neutral centred."""

    title: str
    statement: Statement
    scale: Scale
    rows: tuple[Chart, ...]


def diverging_charts(counts: Counts, selection: Selection) -> list[Diverging]:
    """One diverging chart per statement, in set order: the figures after Figures 1..N,
    titled "Figure 5: <statement>, by group". None for a single group: nothing to compare."""
    if len(selection.groups) < 2:
        return []
    # The last row pools every group; "All groups" says so where the consultation's title would not.
    groups = (*selection.groups, ChartGroup(ALL_GROUPS, ALL, selection.sessions))
    first = len(selection.statements) + 1
    return [
        Diverging(
            f"Figure {number}: {statement.text}, by group",
            statement,
            selection.scale,
            tuple(counts.chart(group, statement, selection.scale) for group in groups),
        )
        for number, statement in enumerate(selection.statements, start=first)
    ]


def slug(text: str, limit: int = 40) -> str:
    """A file-name-safe form of a label: lower-case ASCII letters, digits and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].rstrip("-") or "group"


# ---------------------------------------------------------------- colour

# Colour-blind-safe, from the Okabe-Ito palette: blues on the agree side, oranges on
# the disagree side, grey in the middle. Darker means further from the middle.
# Colour never carries meaning alone: every bar also has its label and its count.
AGREE_COLOURS = ("#56B4E9", "#0072B2", "#004B75", "#002A42")
DISAGREE_COLOURS = ("#E69F00", "#D55E00", "#9E4500", "#6B2F00")
NEUTRAL_COLOUR = "#BBBBBB"


def centre(scale: Scale) -> float:
    """Where the middle of the scale is, as a (possibly half) category index.

    The category marked neutral if there is one; otherwise the point between the two halves.
    """
    for index, category in enumerate(scale.categories):
        if category.neutral:
            return float(index)
    return (len(scale) - 1) / 2


def distance(scale: Scale, index: int) -> float:
    """How far a category lies from the middle: negative on the first (agree) side."""
    return index - centre(scale)


def category_colours(scale: Scale) -> list[str]:
    """One colour per category, in scale order."""
    colours = []
    for index in range(len(scale)):
        d = distance(scale, index)
        if d == 0:
            colours.append(NEUTRAL_COLOUR)
        else:
            side = AGREE_COLOURS if d < 0 else DISAGREE_COLOURS
            colours.append(side[min(int(abs(d) + 0.5), len(side)) - 1])
    return colours


def screen_selection(store: Store, session_id: str | None = None) -> Selection:
    """What the charts screen starts on: the session's consultation, or the session alone.

    Without a session, every session (or, if their statements differ, the most recent
    session's consultation). Never fails on a consultation whose sessions differ: it
    falls back to the session alone.
    """
    if session_id is None:
        sessions = store.sessions.all()
        if not sessions:
            raise FacilitatorError("there are no sessions to chart: record a session first")
        try:
            return select(store)
        except FacilitatorError:
            session_id = sessions[-1].id
    session = store.sessions.get(session_id)
    if session.consultation:
        try:
            return select(store, consultation=session.consultation)
        except FacilitatorError:
            pass
    return session_selection(session)
