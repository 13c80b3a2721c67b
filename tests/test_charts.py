"""Chart groups, their order and titles, and their counts, as the report frames them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.core.statements import Statement, load_statement_set
from facilitator.exercise import charts
from facilitator.store import Session, SessionDetails, Store
from tests.five_sessions import CONSULTATION, POOLED, SET_PATH, build, expected_counts, pool_option
from tests.folders import open_folder

STATEMENTS = (
    "I expect my social worker to listen to me",
    "I expect my social worker to tell me what to do",
    "My social worker must put my best interests first",
    "Social workers don't understand me",
)
GROUPS = (
    "Adult focus group 1",
    POOLED,
    "Young offender focus group 4",
    "Young offender focus group 5",
)
APPENDIX_TITLES = [f"{group}: {text}" for group in GROUPS for text in STATEMENTS]
FIGURE_TITLES = [f"Figure {n}: {text}" for n, text in enumerate(STATEMENTS, start=1)]
# The comparison (diverging) charts follow the Figures, one per statement across the groups.
COMPARISON_TITLES = [f"Figure {n}: {text}, by group" for n, text in enumerate(STATEMENTS, start=5)]
MEMBERS = {
    "Adult focus group 1": ["Adult focus group 1"],
    POOLED: ["Adult focus group 2", "Adult focus group 3"],
    "Young offender focus group 4": ["Young offender focus group 4"],
    "Young offender focus group 5": ["Young offender focus group 5"],
}
EVERY_LABEL = [label for labels in MEMBERS.values() for label in labels]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_folder(tmp_path / "data")


@pytest.fixture
def five(store: Store) -> dict[str, Session]:
    return build(store)


def test_the_appendix_has_one_chart_per_group_per_statement_in_the_order_the_groups_met(
    store: Store, five: dict[str, Session]
) -> None:
    selection = charts.select(store, consultation=CONSULTATION, pools=[pool_option(five)])
    counts = charts.Counts(store, selection.sessions)

    appendix = charts.appendix_charts(counts, selection)
    figures = charts.figure_charts(counts, selection)

    assert len(APPENDIX_TITLES) == 16
    assert [c.title for c in appendix] == APPENDIX_TITLES
    assert [c.title for c in figures] == FIGURE_TITLES


def test_every_count_is_the_post_its_entered(store: Store, five: dict[str, Session]) -> None:
    selection = charts.select(store, consultation=CONSULTATION, pools=[pool_option(five)])
    counts = charts.Counts(store, selection.sessions)

    for chart in charts.appendix_charts(counts, selection):
        assert chart.by_key == expected_counts(MEMBERS[chart.group.label], chart.statement.number)
    for chart in charts.figure_charts(counts, selection):
        assert chart.by_key == expected_counts(EVERY_LABEL, chart.statement.number)
        assert chart.n == 46


def test_a_pooled_group_stands_where_its_first_session_stood_even_when_another_group_met_between(
    store: Store, five: dict[str, Session]
) -> None:
    # Adult focus group 3 met after Young offender focus group 4.
    selection = charts.select(store, pools=[pool_option(five)])

    assert [g.label for g in selection.groups] == list(GROUPS)
    assert [s.label for s in selection.groups[1].sessions] == ["Adult focus group 2", "Adult focus group 3"]


def test_without_pools_every_session_is_its_own_group_in_date_order(
    store: Store, five: dict[str, Session]
) -> None:
    selection = charts.select(store, consultation=CONSULTATION)

    assert [g.label for g in selection.groups] == [
        "Adult focus group 1",
        "Adult focus group 2",
        "Young offender focus group 4",
        "Adult focus group 3",
        "Young offender focus group 5",
    ]


def test_named_sessions_are_charted_alone_and_titled_after_the_consultation(
    store: Store, five: dict[str, Session]
) -> None:
    selection = charts.select(
        store, session_refs=[five["Young offender focus group 5"].id, five["Adult focus group 1"].id[:8]]
    )

    assert [s.label for s in selection.sessions] == ["Adult focus group 1", "Young offender focus group 5"]
    assert selection.everyone().label == CONSULTATION


def test_cohorts_and_screen_groups(store: Store, five: dict[str, Session]) -> None:
    selection = charts.select(store, pools=[pool_option(five)])
    counts = charts.Counts(store, selection.sessions)

    cohorts = selection.cohorts()
    assert [(g.label, len(g.sessions)) for g in cohorts] == [("adults", 3), ("young offenders", 2)]
    assert [g.label for g in selection.screen_groups()] == [
        *GROUPS,
        "adults",
        "young offenders",
        CONSULTATION,
    ]
    young = counts.chart(cohorts[1], selection.statements[0], selection.scale)
    assert young.n == 14
    assert young.title == "young offenders: I expect my social worker to listen to me"


def test_deleted_post_its_are_not_counted(store: Store, five: dict[str, Session]) -> None:
    session = five["Adult focus group 1"]
    first = store.postits.of(session.id, 1)[0]
    store.postits.delete(first.id)

    chart = charts.Counts(store, [session]).chart(
        charts.ChartGroup(session.label, charts.SESSION, (session,)), session.statements[0], session.scale
    )

    assert chart.n == 9
    assert chart.by_key[first.response_key] == expected_counts([session.label], 1)[first.response_key] - 1


def test_percent_text_and_an_empty_chart() -> None:
    statement_set = load_statement_set(SET_PATH)
    empty = charts.Chart(
        "x", charts.ChartGroup("g", charts.ALL, ()), Statement(1, "s"), statement_set.scale, (0,) * 5
    )

    assert charts.percent_text(1, 3) == "33%"
    assert charts.percent_text(0, 0) == "0%"
    assert empty.n == 0 and empty.percent(0) == 0.0


def test_the_palette_runs_blue_to_orange_through_grey_and_marks_the_middle() -> None:
    scale = load_statement_set(SET_PATH).scale

    assert charts.category_colours(scale) == ["#0072B2", "#56B4E9", "#BBBBBB", "#E69F00", "#D55E00"]
    assert charts.centre(scale) == 2.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no equals sign", "must be written LABEL=ID,ID"),
        ("=abcd", "must be written LABEL=ID,ID"),
        ("Label=", "must be written LABEL=ID,ID"),
    ],
)
def test_a_badly_written_pool_is_refused(text: str, message: str) -> None:
    with pytest.raises(FacilitatorError, match=message):
        charts.parse_pool(text)


def test_a_session_pooled_twice_is_refused(store: Store, five: dict[str, Session]) -> None:
    one, two = five["Adult focus group 2"].id, five["Adult focus group 3"].id

    with pytest.raises(FacilitatorError, match="'Adult focus group 2' is pooled twice"):
        charts.select(store, pools=[f"A={one},{two}", f"B={one}"])
    with pytest.raises(FacilitatorError, match="pooled twice"):
        charts.select(store, pools=[f"A={one},{one}"])


def test_an_unknown_session_or_consultation_is_refused(store: Store, five: dict[str, Session]) -> None:
    with pytest.raises(NotFound, match="unknown session"):
        charts.select(store, session_refs=["nonexistent-id"])
    with pytest.raises(NotFound, match="unknown session"):
        charts.select(store, pools=["X=nonexistent-id"])
    with pytest.raises(NotFound, match="unknown consultation 'Nope'"):
        charts.select(store, consultation="Nope")


def test_a_pool_label_may_not_take_another_groups_label(store: Store, five: dict[str, Session]) -> None:
    two, three = five["Adult focus group 2"].id, five["Adult focus group 3"].id

    with pytest.raises(FacilitatorError, match="already the label of another chart group"):
        charts.select(store, pools=[f"Adult focus group 1={two},{three}"])


def test_sessions_with_different_statements_cannot_share_a_figure(
    store: Store, five: dict[str, Session]
) -> None:
    statement_set = load_statement_set(SET_PATH)
    other = replace(statement_set, id="other-set", statements=(Statement(1, "Something else"),))
    store.sessions.create(other, SessionDetails(label="Other group", cohort="adults", setting="prison"))

    with pytest.raises(FacilitatorError, match="use different statements, so they cannot share a figure"):
        charts.select(store)
    # Within the consultation every session shares the set, so that still works.
    assert len(charts.select(store, consultation=CONSULTATION).sessions) == 5


def test_a_session_outside_the_consultation_is_refused(store: Store, five: dict[str, Session]) -> None:
    statement_set = load_statement_set(SET_PATH)
    outsider = store.sessions.create(
        statement_set,
        SessionDetails(label="Elsewhere", cohort="adults", setting="prison", consultation="Other"),
    )

    with pytest.raises(FacilitatorError, match="'Elsewhere' is not in consultation"):
        charts.select(store, consultation=CONSULTATION, session_refs=[outsider.id])


def test_nothing_to_chart_is_a_clear_error(store: Store) -> None:
    with pytest.raises(FacilitatorError, match="no sessions to chart"):
        charts.select(store)


def test_counts_by_session_and_streamed_comments_follow_scale_and_session_order(
    store: Store, five: dict[str, Session]
) -> None:
    sessions = store.sessions.all()
    scale = sessions[0].scale
    by_session = store.postits.counts_by_session([s.id for s in sessions])

    assert sum(n for s in by_session.values() for by_key in s.values() for n in by_key.values()) == 46 * 4

    order = [s.id for s in sessions]
    stream = list(store.postits.iter_comments(order, scale.keys))
    keys = [(p.statement_number, scale.keys.index(p.response_key), order.index(p.session_id)) for p in stream]
    assert keys == sorted(keys)
    assert all(p.comment.strip() for p in stream)
    assert len(stream) == sum(1 for s in sessions for p in store.postits.of(s.id) if p.comment.strip())


def test_slugs_are_safe_file_names() -> None:
    assert charts.slug("Adult focus groups 2 & 3") == "adult-focus-groups-2-3"
    assert charts.slug("Jeunes détenus / groupe 4") == "jeunes-detenus-groupe-4"
    assert charts.slug("<<>>") == "group"


def test_the_charts_screen_starts_on_the_sessions_consultation(
    store: Store, five: dict[str, Session]
) -> None:
    statement_set = load_statement_set(SET_PATH)
    other = replace(statement_set, id="other-set", statements=(Statement(1, "Something else"),))
    alone = store.sessions.create(other, SessionDetails(label="Alone", cohort="adults", setting="prison"))

    from_wall = charts.screen_selection(store, five["Adult focus group 2"].id)
    lone = charts.screen_selection(store, alone.id)
    from_home = charts.screen_selection(store)

    assert from_wall.title == CONSULTATION and len(from_wall.sessions) == 5
    assert [g.label for g in lone.screen_groups()] == ["Alone", "Alone"]
    assert [s.label for s in from_home.sessions] == ["Alone"]  # the most recent session's own charts
