"""Who took part and what the discussion raised, as the session summary and the report show it.

Participant numbers come from a session's roster when it has one, else from the
numbers typed in for the session. The discussion is shown as the report shows
it: its themes "in order of frequency of occurrence" (sessions that raised each,
then notes), and under each theme its notes, quotes and case studies.

Privacy, here as in every export:
- notes, quotes, case studies and theme names pass through the pseudonym map;
  the map itself is never shown;
- a quote carries only a descriptor in the report's form, "(Male young
  offender)", never a code;
- who asked for a one-to-one interview is never shown, only how many did.

A quote whose speaker is unknown (or not in the roster) is attributed by cohort
alone, "(Young offender)", when everyone in its session shares one cohort, and
gets no descriptor when they do not: a guessed gender or cohort would be wrong
about a real person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.anonymity import Anonymiser
from facilitator.exercise.charts import ChartGroup
from facilitator.store import Session, Store


@dataclass(frozen=True)
class Headcount:
    """How many took part in one session, by gender and by cohort."""

    session_label: str
    recorded: bool  # False: no roster and no numbers typed in
    from_roster: bool
    total: int
    male: int
    female: int
    other: int
    not_given: int
    cohorts: tuple[tuple[str, int], ...]
    wants_interview: int | None  # None: no roster, so requests were not recorded
    on_roster: int = 0  # how many the roster lists (it may hold only those who spoke)


def headcount(store: Store, session: Session) -> Headcount:
    """A session's participants: the numbers typed in for the session when there are any,
    else the roster's (`roster.gender_counts`).

    A roster often lists only the people who spoke, so it never replaces typed
    numbers; `on_roster` keeps its size so that a difference can be said.
    """
    people = roster.participants(store, session.id)
    interviews = sum(p.wants_interview for p in people) if people else None
    if session.participants is None and people:
        cohorts: dict[str, tuple[str, int]] = {}
        for person in people:
            label, n = cohorts.get(person.cohort.casefold(), (person.cohort, 0))
            cohorts[person.cohort.casefold()] = (label, n + 1)
        male = sum(p.gender == "male" for p in people)
        female = sum(p.gender == "female" for p in people)
        return Headcount(
            session.label,
            True,
            True,
            len(people),
            male,
            female,
            sum(p.gender == "other" for p in people),
            sum(p.gender == "not_given" for p in people),
            tuple(cohorts.values()),
            interviews,
            len(people),
        )
    recorded = session.participants is not None
    male, female = session.male or 0, session.female or 0
    total = session.participants if session.participants is not None else 0
    return Headcount(
        session.label,
        recorded,
        False,
        total,
        male,
        female,
        0,
        max(total - male - female, 0),
        ((session.cohort, total),) if recorded else (),
        interviews,
        len(people),
    )


def roster_difference(counts: Sequence[Headcount]) -> str:
    """When rosters list fewer (or more) people than the numbers typed in: "4 are on the
    speakers' roster", so a reader sees both; "" when they agree or there is no roster."""
    typed = [c for c in counts if c.recorded and not c.from_roster and c.on_roster]
    if not typed or all(c.on_roster == c.total for c in typed):
        return ""
    listed = sum(c.on_roster for c in typed)
    return f"{listed} {'is' if listed == 1 else 'are'} on the speakers' roster"


def took_part(store: Store, session: Session) -> int | None:
    """How many took part in a session, for a chart's n: the number typed for the session
    first (male and female alone add up to it); the roster's count only when none was
    typed (a roster may list only those who spoke, so it never replaces a typed number);
    None when there is neither."""
    if session.participants is not None:
        return session.participants
    return len(roster.participants(store, session.id)) or None


def participants_of(store: Store, groups: Sequence[ChartGroup]) -> dict[tuple[str, ...], int | None]:
    """Per chart group (by its session ids), how many took part (`took_part`), None when a
    session has no number: what lets a chart say "n = 44 of 46 participants"."""
    known: dict[str, int | None] = {}
    for group in groups:
        for session in group.sessions:
            if session.id not in known:
                known[session.id] = took_part(store, session)
    result: dict[tuple[str, ...], int | None] = {}
    for group in groups:
        counts = [known[s.id] for s in group.sessions]
        result[group.session_ids] = (
            None if not counts or any(c is None for c in counts) else sum(c or 0 for c in counts)
        )
    return result


def participant_totals(known: Sequence[Headcount]) -> tuple[int, str, str]:
    """The recorded sessions' totals: how many took part, "37 male, 9 female" and
    "32 adults, 14 young offenders" (cohorts in the order they first took part)."""
    genders = [f"{sum(c.male for c in known)} male", f"{sum(c.female for c in known)} female"]
    if other := sum(c.other for c in known):
        genders.append(f"{other} other")
    if not_given := sum(c.not_given for c in known):
        genders.append(f"{not_given} gender not recorded")
    cohorts: dict[str, tuple[str, int]] = {}
    for count in known:
        for label, n in count.cohorts:
            first, total = cohorts.get(label.casefold(), (label, 0))
            cohorts[label.casefold()] = (first, total + n)
    by_cohort = ", ".join(f"{n} {label}" for label, n in cohorts.values())
    return sum(c.total for c in known), ", ".join(genders), by_cohort


def participants_sentence(counts: Sequence[Headcount], *, by_cohort: bool = True) -> str:
    """Participant totals in the report's form.

    For example "46 took part: 37 male, 9 female; 32 adults, 14 young offenders."
    Cohorts are listed in the order they first took part.
    """
    known = [c for c in counts if c.recorded]
    if not known:
        return "Participant numbers were not recorded."
    total, genders, cohorts = participant_totals(known)
    sentence = f"{total} took part: {genders}"
    if by_cohort:
        sentence += f"; {cohorts}"
    missing = [c.session_label for c in counts if not c.recorded]
    if missing:
        sentence += " (not recorded for " + ", ".join(missing) + ")"
    if difference := roster_difference(counts):
        sentence += f"; {difference}"
    return sentence + "."


def interview_sentence(counts: Sequence[Headcount]) -> str:
    """How many asked for a one-to-one interview afterwards; never who."""
    kept = [c for c in counts if c.wants_interview is not None]
    if not kept:
        return "No roster was kept, so requests for a one-to-one interview were not recorded."
    n = sum(c.wants_interview or 0 for c in kept)
    if n == 0:
        sentence = "No participant asked for a one-to-one interview"
    else:
        sentence = f"{n} {'participant' if n == 1 else 'participants'} asked for a one-to-one interview"
    missing = [c.session_label for c in counts if c.wants_interview is None]
    if missing:
        sentence += " (no roster was kept for " + ", ".join(missing) + ")"
    return sentence + "."


# ---------------------------------------------------------------- the discussion


@dataclass(frozen=True)
class ThemeCount:
    """A theme as shown: its rank (ties share one), its name (anonymised) and its counts."""

    rank: int
    name: str
    sessions: int
    notes: int
    key: str


@dataclass(frozen=True)
class Said:
    """One note, quote or case study as shown: anonymised, attributed by descriptor only."""

    kind: str
    text: str
    descriptor: str
    themes: tuple[str, ...]  # theme keys (in rank order once placed in a Discussion)
    title: str = ""  # a case study's title, after the pseudonym map ("Dave")


@dataclass(frozen=True)
class Discussion:
    """The themes in rank order, what was said under each, and what no theme covers."""

    themes: tuple[ThemeCount, ...]
    by_theme: tuple[tuple[ThemeCount, tuple[Said, ...]], ...]
    untagged: tuple[Said, ...]
    # theme key -> the themes ranked higher under which its other notes are listed
    listed_under: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names(self) -> dict[str, str]:
        return {t.key: t.name for t in self.themes}

    def listed_above(self, theme: ThemeCount, shown: int) -> str:
        """Where a theme's notes that sit under a higher-ranked theme are, in words; "" if none."""
        higher = [self.names[k] for k in self.listed_under.get(theme.key, ())]
        if not higher:
            return ""
        where = ", ".join(higher)
        if shown:
            return f"Its other notes are listed above, under {where}."
        return f"Its notes are listed above, under {where}."

    @property
    def is_empty(self) -> bool:
        return not self.themes and not self.untagged


def theme_key(name: str) -> str:
    """What makes two theme names the same theme: spacing and case do not count."""
    return " ".join(name.split()).casefold()


def speaker_descriptor(code: str | None, people: Sequence[roster.Participant], session: Session) -> str:
    """A quote's attribution: the speaker's descriptor, or the cohort alone, or nothing.

    A speaker in the roster gets "Male young offender". An unknown speaker, or a
    code not in the roster, gets the cohort alone ("Young offender") when the
    whole session shares one cohort, and "" when it does not.
    """
    if code is not None:
        for person in people:
            if person.code.casefold() == code.casefold():
                return person.descriptor
    cohorts = {p.cohort.casefold(): p.cohort for p in people} or {session.cohort.casefold(): session.cohort}
    if len(cohorts) != 1:
        return ""
    return roster.descriptor("not_given", next(iter(cohorts.values())))


def _said(store: Store, sessions: Sequence[Session], anonymisers: Mapping[str, Anonymiser]) -> list[Said]:
    said = []
    for session in sessions:
        people = roster.participants(store, session.id)
        anonymise = anonymisers[session.id]
        for note in discussion.notes(store, session.id):
            keys = dict.fromkeys(theme_key(t.name) for t in note.themes)
            descriptor = speaker_descriptor(note.participant, people, session) if note.kind == "quote" else ""
            title = anonymise(note.title) if note.kind == "case_study" else ""
            said.append(Said(note.kind, anonymise(note.text), descriptor, tuple(keys), title))
    return said


# Within a theme: the narrative first, then the quotes, then the case studies.
_KIND_ORDER = {"note": 0, "quote": 1, "case_study": 2}


def _by_kind(items: Sequence[Said]) -> tuple[Said, ...]:
    """Notes, then quotes, then case studies; within a kind, as given (session order, then
    the author's order within each session)."""
    return tuple(sorted(items, key=lambda item: _KIND_ORDER.get(item.kind, len(_KIND_ORDER))))


def _discussion(themes: Sequence[ThemeCount], said: Sequence[Said]) -> Discussion:
    # Ties share a rank; within one, themes read in the order of the names shown.
    themes = sorted(themes, key=lambda t: (t.rank, t.name.casefold(), t.key))
    order = {t.key: i for i, t in enumerate(themes)}
    listed: dict[str, list[Said]] = {t.key: [] for t in themes}
    elsewhere: dict[str, dict[str, None]] = {t.key: {} for t in themes}
    untagged = []
    for item in said:
        keys = sorted((k for k in item.themes if k in listed), key=order.__getitem__)
        placed = replace(item, themes=tuple(keys))
        if not keys:
            untagged.append(placed)
            continue
        listed[keys[0]].append(placed)
        for other in keys[1:]:
            elsewhere[other][keys[0]] = None
    return Discussion(
        tuple(themes),
        tuple((t, _by_kind(listed[t.key])) for t in themes),
        _by_kind(untagged),
        {k: tuple(v) for k, v in elsewhere.items() if v},
    )


def session_discussion(store: Store, session: Session, anonymiser: Anonymiser) -> Discussion:
    """One session's discussion: its themes ranked by its notes, each note under its first theme."""
    ranked = codebook.rank_for_session(store, session, include_unused=False)
    themes = [ThemeCount(r.rank, anonymiser(r.name), r.sessions, r.notes, theme_key(r.name)) for r in ranked]
    return _discussion(themes, _said(store, [session], {session.id: anonymiser}))


def consultation_maps(store: Store, sessions: Sequence[Session]) -> tuple[dict[str, Anonymiser], Anonymiser]:
    """The pseudonym maps a file of `sessions` for analysts applies, as a bundle to the office does:
    (each session's, for its own text; one for what the sessions share, theme names and titles).

    Besides the maps of the sessions exported, those of the other sessions of their
    consultations apply: a codebook is the consultation's, and a name one session
    changes must not leave unchanged from another exported without it.
    """
    ids = [s.id for s in sessions]
    consultations = dict.fromkeys(s.consultation_id for s in sessions if s.consultation_id)
    others = [s.id for c in consultations for s in store.sessions.all(c) if s.id not in ids]
    own = Anonymiser.per_session(store, [*ids, *others])
    return {i: own[i] for i in ids}, Anonymiser.for_sessions(store, [*ids, *others])


def sessions_discussion(
    store: Store, sessions: Sequence[Session], anonymisers: Mapping[str, Anonymiser]
) -> Discussion:
    """Several sessions' discussion, as the report lists it: themes ranked across them all.

    Each session's text goes through its own anonymiser. Theme names belong to a
    codebook shared by the sessions, so they go through every session's map at
    once (`Anonymiser.for_sessions`).
    """
    ranked = codebook.rank_across(store, [s.id for s in sessions])
    names = Anonymiser.for_sessions(store, [s.id for s in sessions])
    themes = [ThemeCount(r.rank, names(r.name), r.sessions, r.notes, theme_key(r.name)) for r in ranked]
    return _discussion(themes, _said(store, sessions, anonymisers))
