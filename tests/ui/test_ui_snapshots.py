"""What the screens look like, at a laptop's 80x24 and a projector's 160x45.

Data is made through the store with fixed dates and comments; nothing on screen
shows an id or a timestamp, and cursors do not blink. After a deliberate change,
look at the report and run `pytest --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from tests.five_sessions import build

from .conftest import new_session
from .scales import SEVEN, session_with_scale

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]
SnapCompare = Callable[..., bool]

COMMENTS = [
    "She actually listened to me",
    "",
    "Only when my mum was there",
    "[bold red]x[/]",
    "They never call back",
    "",
    "<b>depends who</b>",
    "Mine did, the last one didn't",
    "",
    "too many changes of worker",
]
RESPONSES = list("1122223344451223444455213")  # entry keys of the 25 cards


def fill_wall(ws: Workspace, session_id: str, cards: int = 25) -> None:
    for index, response in enumerate(RESPONSES[:cards]):
        ws.store.postits.add(session_id, 1, response, COMMENTS[index % len(COMMENTS)])
    ws.store.postits.add(session_id, 3, "agree", "on another statement")


def sessions(ws: Workspace) -> str:
    first = new_session(ws, "Young offenders group 1", cohort="young offenders", setting="prison",
                        date="2010-01-12", location="HMP somewhere")  # fmt: skip
    fill_wall(ws, first, 5)
    ws.store.sessions.close(first)
    return new_session(ws, "Adult focus group 2", date="2010-02-03")


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare: SnapCompare, workspace: Workspace, size: tuple[int, int]) -> None:
    sessions(workspace)
    assert snap_compare(make_app(workspace, blink=False), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_wall_empty(snap_compare: SnapCompare, workspace: Workspace, size: tuple[int, int]) -> None:
    session_id = new_session(workspace)
    assert snap_compare(make_app(workspace, session_id, blink=False), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_wall_with_25_cards(snap_compare: SnapCompare, workspace: Workspace, size: tuple[int, int]) -> None:
    session_id = new_session(workspace)
    fill_wall(workspace, session_id)
    assert snap_compare(make_app(workspace, session_id, blink=False), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_wall_adding_a_comment(
    snap_compare: SnapCompare, workspace: Workspace, size: tuple[int, int]
) -> None:
    session_id = new_session(workspace)
    fill_wall(workspace, session_id, 6)

    async def type_comment(pilot: Pilot[Any]) -> None:
        await pilot.press("3", *"half typed")

    assert snap_compare(
        make_app(workspace, session_id, blink=False), terminal_size=size, run_before=type_comment
    )


LONG_COMMENT = (
    "Darren said A1234BC was on my file, and my social worker never came "
    "when I was moved to the other wing, so nobody listened"
)


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")])
def test_wall_comment_line_with_a_long_comment_and_a_warning(
    snap_compare: SnapCompare, workspace: Workspace, size: tuple[int, int]
) -> None:
    """The comment line under the columns: category, the whole comment wrapped, the whole warning."""
    session_id = new_session(workspace)
    fill_wall(workspace, session_id, 12)

    async def type_long_comment(pilot: Pilot[Any]) -> None:
        await pilot.press("2", *"Darren")
        box = pilot.app.screen.query_one("CommentBox", Input)
        box.value = LONG_COMMENT
        box.cursor_position = len(LONG_COMMENT)
        await pilot.pause()

    assert snap_compare(
        make_app(workspace, session_id, blink=False), terminal_size=size, run_before=type_long_comment
    )


@pytest.mark.parametrize("size", SIZES)
def test_blank(snap_compare: SnapCompare, workspace: Workspace, size: tuple[int, int]) -> None:
    session_id = new_session(workspace)
    fill_wall(workspace, session_id)

    async def blank(pilot: Pilot[Any]) -> None:
        await pilot.press("b")

    assert snap_compare(make_app(workspace, session_id, blink=False), terminal_size=size, run_before=blank)


@pytest.mark.parametrize("size", SIZES)
def test_participant_mode(snap_compare: SnapCompare, workspace: Workspace, size: tuple[int, int]) -> None:
    session_id = new_session(workspace)
    fill_wall(workspace, session_id)

    async def participant(pilot: Pilot[Any]) -> None:
        await pilot.press("v", "enter")

    assert snap_compare(
        make_app(workspace, session_id, blink=False), terminal_size=size, run_before=participant
    )


@pytest.mark.parametrize("size", SIZES)
def test_charts(snap_compare: SnapCompare, workspace: Workspace, size: tuple[int, int]) -> None:
    five = build(workspace.store)

    async def charts(pilot: Pilot[Any]) -> None:
        await pilot.press("c")

    app = make_app(workspace, five["Adult focus group 2"].id, blink=False)
    assert snap_compare(app, terminal_size=size, run_before=charts)


@pytest.mark.parametrize("size", SIZES)
def test_charts_diverging(snap_compare: SnapCompare, workspace: Workspace, size: tuple[int, int]) -> None:
    five = build(workspace.store)

    async def every_group(pilot: Pilot[Any]) -> None:
        await pilot.press("c", "n", "r", "r")  # statement 2: every group, as % of each n

    app = make_app(workspace, five["Adult focus group 2"].id, blink=False)
    assert snap_compare(app, terminal_size=size, run_before=every_group)


def test_wall_with_a_seven_point_scale(snap_compare: SnapCompare, workspace: Workspace) -> None:
    """Seven columns at 80x24: short labels, every count, the key bar says 1-7."""
    session_id = session_with_scale(workspace, SEVEN)
    for index, response in enumerate("12234567766"):
        key = SEVEN[int(response) - 1][0]
        workspace.store.postits.add(session_id, 1, key, COMMENTS[index % len(COMMENTS)])
    assert snap_compare(make_app(workspace, session_id, blink=False), terminal_size=(80, 24))
