"""The five focus groups of *Does social work care?*, built through the public API.

Participant numbers match the report (46 took part: 37 male, 9 female; 32 adults,
14 young offenders). Every participant places one post-it per statement; the
responses follow a fixed pattern so every count is known in advance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from facilitator.core.statements import load_statement_set
from facilitator.store import NewPostit, Session, SessionDetails, Store

ROOT = Path(__file__).resolve().parent.parent
SET_PATH = ROOT / "statements" / "does-social-work-care.toml"
CONSULTATION = "Does social work care? 2010"
POOLED = "Adult focus groups 2 & 3"

HOSTILE = (
    "<script>alert('x')</script>",
    '=HYPERLINK("http://example.org","click")',
    "[red]markup[/] and *stars* _under_ `tick` # hash",
    "\x1b[31mred\x1b[0m & <b>bold</b>",
)


@dataclass(frozen=True)
class Plan:
    label: str
    cohort: str
    setting: str
    date: str
    male: int
    female: int
    shift: int


# Created in this order on purpose: the dates, not the creation order, decide the appendix order.
# Adult focus group 3 met after Young offender focus group 4, so the pooled group still
# stands where Adult focus group 2 stood.
PLANS = (
    Plan("Young offender focus group 4", "young offenders", "prison", "2010-03-10", 7, 0, 1),
    Plan("Adult focus group 1", "adults", "community", "2010-03-01", 7, 3, 0),
    Plan("Adult focus group 2", "adults", "community", "2010-03-08", 9, 3, 2),
    Plan("Adult focus group 3", "adults", "prison", "2010-03-15", 7, 3, 3),
    Plan("Young offender focus group 5", "young offenders", "prison", "2010-03-22", 7, 0, 4),
)
KEYS = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree")


def responses(plan: Plan, statement: int) -> list[str]:
    """The responses placed on one statement: a fixed, varied pattern per session."""
    n = plan.male + plan.female
    return [
        KEYS[(person * person + statement * 2 + plan.shift) % 5 if person % 3 else 1] for person in range(n)
    ]


def comment(plan: Plan, statement: int, person: int) -> str:
    if plan.label == "Adult focus group 1" and statement == 1 and person < len(HOSTILE):
        return HOSTILE[person]
    return f"{plan.label} statement {statement} participant {person + 1}" if person % 2 == 0 else ""


def build(store: Store) -> dict[str, Session]:
    """Create the five sessions with all their post-its; returns them by label."""
    statement_set = load_statement_set(SET_PATH)
    sessions: dict[str, Session] = {}
    for plan in PLANS:
        session = store.sessions.create(
            statement_set,
            SessionDetails(
                label=plan.label,
                cohort=plan.cohort,
                setting=plan.setting,
                consultation=CONSULTATION,
                location="Somewhere",
                date=plan.date,
                facilitators=["AB"],
                male=plan.male,
                female=plan.female,
            ),
        )
        items = [
            NewPostit(number, key, comment(plan, number, person), f"P{person + 1}")
            for number in range(1, 5)
            for person, key in enumerate(responses(plan, number))
        ]
        store.postits.add_many(session.id, items)
        sessions[plan.label] = session
    return sessions


def expected_counts(labels: list[str], statement: int) -> dict[str, int]:
    """What the post-its entered add up to, for some sessions and one statement."""
    counts = dict.fromkeys(KEYS, 0)
    for plan in PLANS:
        if plan.label in labels:
            for key in responses(plan, statement):
                counts[key] += 1
    return counts


def pool_option(sessions: dict[str, Session]) -> str:
    return f"{POOLED}={sessions['Adult focus group 2'].id},{sessions['Adult focus group 3'].id}"


# A discussion for each session: speakers on the roster, notes of each kind
# tagged with themes, a real name that the session's pseudonym map changes, and
# a note that a spreadsheet would run as a formula.
THEMES = ("Social workers do not listen", "Support after release", "Trust")
FORMULA_NOTE = '=HYPERLINK("http://example.org","click")'
REAL_NAME, CHANGED_NAME = "Darren", "Dave"


def add_discussion(store: Store, sessions: dict[str, Session]) -> None:
    """Give every session a roster of two speakers and three notes; the first session has four.

    Theme frequency over the consultation: "Social workers do not listen" in five
    sessions, "Support after release" in three, "Trust" in one.
    """
    from facilitator.discussion import anonymity, roster
    from facilitator.discussion import notes as discussion

    for position, (label, session) in enumerate(sessions.items()):
        young = session.cohort == "young offenders"
        roster.add_participant(store, session.id, "P1", "male", age_band="18-21" if young else "25+")
        roster.add_participant(store, session.id, "P2", "female", age_band="18-21" if young else "25+")
        anonymity.set_pseudonym(store, session.id, REAL_NAME, CHANGED_NAME)
        discussion.add_note(
            store,
            session.id,
            f"{label}: nobody from social services came when {REAL_NAME} asked.",
            kind="quote",
            speaker="P1",
            themes=[THEMES[0]],
        )
        discussion.add_note(
            store,
            session.id,
            f"{label}: the group talked about help with housing after release.",
            themes=[THEMES[1]] if position < 3 else [],
        )
        discussion.add_note(
            store,
            session.id,
            f"{label}: a worker who stayed for years made the difference.",
            kind="case_study",
            speaker="P2",
            themes=[THEMES[0], THEMES[2]] if position == 0 else [THEMES[0]],
        )
        if position == 0:
            discussion.add_note(store, session.id, FORMULA_NOTE, speaker="P2", themes=[THEMES[1]])
