"""The charts screen and the summary export, driven by keys over the five focus groups."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from facilitator.actions.data_folder import Workspace
from facilitator.store import Session
from facilitator.ui.app import FacilitatorApp, make_app
from facilitator.ui.screens.charts import ChartsScreen
from facilitator.ui.screens.export_summary import ExportSummaryScreen
from facilitator.ui.screens.home import HomeScreen
from facilitator.ui.screens.wall import WallScreen
from tests.five_sessions import CONSULTATION, build, expected_counts

from .conftest import new_session, screen_text

ADULTS = ["Adult focus group 1", "Adult focus group 2", "Adult focus group 3"]
EVERYONE = [*ADULTS, "Young offender focus group 4", "Young offender focus group 5"]
LISTEN = "I expect my social worker to listen to me"


@pytest.fixture
def five(workspace: Workspace) -> dict[str, Session]:
    return build(workspace.store)


def summary_text(labels: list[str], statement: int) -> str:
    """A diverging row's counts as the screen writes them, from what was entered."""
    counts = expected_counts(labels, statement)
    marks = ("++", "+", "?", "-", "--")
    return (
        " ".join(f"{m}{c}" for m, c in zip(marks, counts.values(), strict=True))
        + f" n={sum(counts.values())}"
    )


async def test_keys_switch_groups_percent_and_diverging_views(
    workspace: Workspace, five: dict[str, Session]
) -> None:
    app = make_app(workspace, five["Adult focus group 2"].id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "c")  # the wall is on statement 2: the charts start there
        assert isinstance(app.screen, ChartsScreen)
        shown = screen_text(app)
        assert "Adult focus group 2: I expect my social worker to tell me what to do" in shown
        assert "statement 2 of 4" in shown and "group 2 of 8: session" in shown
        counts = expected_counts(["Adult focus group 2"], 2)
        assert "n = 12" in shown
        assert f"Agree +              {'█' * 49} {counts['agree']} (50%)" in shown  # the biggest bar fills

        await pilot.press("p", "g")  # statement 1, then the next group in date order
        shown = screen_text(app)
        assert f"Young offender focus group 4: {LISTEN}" in shown and "n = 7" in shown
        await pilot.press("up", "up")
        assert f"Adult focus group 1: {LISTEN}" in screen_text(app)

        await pilot.press("t")  # percentages first, on a 0-100% scale
        shown = screen_text(app)
        assert "% (count) on a 0-100% scale" in shown
        assert "70% (7)" in shown and "0% (0)" in shown and "7 (70%)" not in shown
        await pilot.press("t")
        assert "7 (70%)" in screen_text(app)

        await pilot.press("d")  # every statement of this group, neutral centred
        shown = screen_text(app)
        assert "Adult focus group 1: every statement" in shown
        for statement in range(1, 5):
            assert summary_text(["Adult focus group 1"], statement) in shown
        assert "│" in shown and "░" in shown

        await pilot.press("r")  # every group on this statement
        shown = screen_text(app)
        assert f"Every chart group: {LISTEN}" in shown
        assert summary_text(["Adult focus group 1"], 1) in shown
        assert summary_text(ADULTS, 1) in shown  # the adults cohort
        assert summary_text(EVERYONE, 1) in shown  # the consultation
        assert "▸ Adult focus group 1 " in shown

        await pilot.press("d")
        assert "Bars" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, WallScreen)


async def test_charts_from_home_start_on_the_selected_session_among_every_session(
    workspace: Workspace, five: dict[str, Session]
) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        selected = workspace.store.sessions.get(home.selected_id() or "")
        await pilot.press("g")
        charts = app.screen
        assert isinstance(charts, ChartsScreen)
        assert f"{selected.label}: {LISTEN}" in screen_text(app)
        assert [g.label for g in charts.groups][-3:] == ["adults", "young offenders", CONSULTATION]
        await pilot.press("c")  # c leaves the charts, as it does for the wall's
        assert app.screen is home
        assert not workspace.store.sessions.get(selected.id).is_closed


async def test_charts_from_an_empty_home_say_there_is_nothing_yet(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, HomeScreen)
        assert messages(app) == ["there are no sessions to chart: record a session first"]


async def test_a_lone_session_has_one_group_and_labels_show_literally(workspace: Workspace) -> None:
    session_id = new_session(workspace, "[red]Group[/] <b>1</b>")
    workspace.store.postits.add(session_id, 1, "agree")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "g")
        charts = app.screen
        assert isinstance(charts, ChartsScreen)
        assert len(charts.groups) == 1
        shown = screen_text(app)
        assert f"[red]Group[/] <b>1</b>: {LISTEN}" in shown
        assert "group 1 of 1: session" in shown and "1 (100%)" in shown
        assert messages(app) == [
            "Only one chart group here. To chart sessions together, give them the same "
            "consultation: e on the sessions screen."
        ]
        await pilot.press("ctrl+p", *"group:")
        await pilot.pause(0.3)
        assert "Chart group: [red]Group[/] <b>1</b>" in screen_text(app)


async def test_the_palette_goes_straight_to_a_group(workspace: Workspace, five: dict[str, Session]) -> None:
    app = make_app(workspace, five["Adult focus group 1"].id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "ctrl+p", *"p: young offenders")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert f"young offenders: {LISTEN}" in screen_text(app)


def messages(app: FacilitatorApp) -> list[str]:
    """The notifications the app has shown."""
    return [notification.message for notification in app._notifications]


async def export(app: FacilitatorApp, pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_export_from_the_wall_writes_html_and_never_overwrites(
    workspace: Workspace, five: dict[str, Session]
) -> None:
    exports = Path("data", "exports")
    app = make_app(workspace, five["Adult focus group 1"].id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        assert isinstance(app.screen, ExportSummaryScreen)
        await export(app, pilot, "h")
        assert isinstance(app.screen, WallScreen)
        first = exports / "adult-focus-group-1-2010-03-01.html"
        page = first.read_text("utf-8")
        assert "Session summary: Adult focus group 1" in page
        assert "&lt;script&gt;" in page and "<script>alert" not in page
        assert f"Saved {first.name} in data/exports." in messages(app)

        await export(app, pilot, "x", "h")
        assert (exports / "adult-focus-group-1-2010-03-01-2.html").is_file()
        assert first.read_text("utf-8") == page
        assert sorted(p.name for p in exports.iterdir()) == [
            "adult-focus-group-1-2010-03-01-2.html",
            "adult-focus-group-1-2010-03-01.html",
        ]


async def test_the_export_notice_at_80x24_shows_the_whole_file_name(workspace: Workspace) -> None:
    from facilitator.actions.example import load_example

    load_example(workspace)
    youngest = workspace.store.sessions.examples()[-1]
    app = make_app(workspace, youngest.id, blink=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await export(app, pilot, "x", "h", "w")  # written as it is, past the warning
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause(0.2)  # the notice appears
        (written,) = Path("data", "exports").iterdir()
        assert written.name.startswith("example-young-offender-focus-group-")
        assert messages(app)[-1] == f"Saved {written.name} in data/exports."
        # The notice wraps over its lines at the top right (a long name is broken), none cut off.
        shown = screen_text(app).splitlines()[:3]
        notice = "".join(line.split("▌")[-1] for line in shown)
        assert "".join(notice.split()) == f"Saved{written.name}indata/exports.", shown


async def test_export_from_home_writes_markdown_with_its_charts(
    workspace: Workspace, five: dict[str, Session]
) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        session = workspace.store.sessions.get(home.selected_id() or "")
        await export(app, pilot, "x", "m")
        stem = f"{session.label.lower().replace(' ', '-')}-{session.date}"
        files = sorted(p.name for p in Path("data", "exports").iterdir())
        assert files == [f"{stem}-statement-{n}.png" for n in range(1, 5)] + [f"{stem}.md"]
        text = Path("data", "exports", f"{stem}.md").read_text("utf-8")
        assert f"# Session summary: {session.label}" in text
        assert f"({stem}-statement-1.png)" in text
        assert f"Saved {stem}.md in data/exports. Its 4 PNG charts are beside it." in (messages(app))


async def test_o_pools_the_session_with_another_and_shows_the_pooled_group(
    workspace: Workspace, five: dict[str, Session]
) -> None:
    from facilitator.exercise.pools import saved_pools
    from facilitator.ui.screens.pool_form import PoolForm

    app = make_app(workspace, five["Adult focus group 2"].id, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c", "o")
        assert isinstance(app.screen, PoolForm)
        # Type the label, Enter to the sessions (Adult 1, Young offender 4, Adult 3, ...), choose Adult 3.
        await pilot.press(*"Adults", "enter", "down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChartsScreen)
        pools = saved_pools(workspace.store)
        assert [(p.label, p.session_ids) for p in pools] == [
            ("Adults", (five["Adult focus group 2"].id, five["Adult focus group 3"].id))
        ]
        shown = screen_text(app)
        assert f"Adults: {LISTEN}" in shown and "group 2 of 7: pooled sessions" in shown
        assert (
            f"n = {sum(expected_counts(['Adult focus group 2', 'Adult focus group 3'], 1).values())}" in shown
        )
