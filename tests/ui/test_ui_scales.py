"""Sets of 2 to 9 categories: the category keys come from the session's scale, everywhere."""

from __future__ import annotations

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from facilitator.ui.screens.charts import ChartsScreen
from facilitator.ui.screens.help import HelpScreen
from facilitator.ui.screens.participant import ParticipantScreen
from facilitator.ui.screens.wall import WallScreen
from facilitator.ui.widgets.postit_card import CommentBox

from .conftest import screen_text
from .scales import SEVEN, THREE, session_with_scale


def flat(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


async def test_a_seven_point_set_records_moves_and_charts_all_seven(workspace: Workspace) -> None:
    session_id = session_with_scale(workspace, SEVEN)
    store = workspace.store
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "1-7 add" in flat(screen_text(app))  # the key bar names the scale's own keys
        await pilot.press("6", *"not really", "enter", "7", "enter", "1", "enter")
        assert [(p.response_key, p.comment) for p in store.postits.of(session_id)] == [
            ("disagree", "not really"),
            ("strongly_disagree", ""),
            ("strongly_agree", ""),
        ]
        await pilot.press("m")  # the card just saved is selected
        assert "Press its number, 1-7" in screen_text(app)
        await pilot.press("7")
        keys = sorted(p.response_key for p in store.postits.of(session_id))
        assert keys == ["disagree", "strongly_disagree", "strongly_disagree"]
        assert "Moved to Strongly disagree" in screen_text(app)

        await pilot.press("c")
        charts = app.screen
        assert isinstance(charts, ChartsScreen)
        chart = charts.chart()
        assert chart.counts == (0, 0, 0, 0, 0, 1, 2)
        assert list(chart.by_key) == [key for key, *_ in SEVEN]
        shown = screen_text(app)
        assert "1 (33%)" in shown and "2 (67%)" in shown
        for _key, label, short, _symbol in SEVEN:
            assert label in shown or short in shown


async def test_a_three_point_set_refuses_key_4_and_records_nothing(workspace: Workspace) -> None:
    session_id = session_with_scale(workspace, THREE)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        assert "No category 4 on this scale: its keys are 1-3." in screen_text(app)
        assert not app.screen.query(CommentBox)
        assert workspace.store.postits.of(session_id) == []
        await pilot.press("3", "enter")
        assert [p.response_key for p in workspace.store.postits.of(session_id)] == ["disagree"]
        assert "No category 4" not in screen_text(app)


async def test_participants_on_a_three_point_set_are_told_which_keys_there_are(
    workspace: Workspace,
) -> None:
    session_id = session_with_scale(workspace, THREE)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v", "enter", "9")
        assert isinstance(app.screen, ParticipantScreen)
        assert "There is no answer 9: press 1-3" in screen_text(app)
        await pilot.press("2", "enter")
        assert [p.response_key for p in workspace.store.postits.of(session_id)] == ["unsure"]


async def test_the_help_of_a_seven_point_wall_lists_its_seven_categories(workspace: Workspace) -> None:
    session_id = session_with_scale(workspace, SEVEN)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        assert "Add post-it: Neither agree nor disagree (0)" in shown
        assert "Add post-it: Strongly disagree (---)" in shown
        assert [key for key, _ in app.screen.rows[:8]] == [*"1234567", "?, F1"]
        await pilot.press("escape")
        assert isinstance(app.screen, WallScreen)
