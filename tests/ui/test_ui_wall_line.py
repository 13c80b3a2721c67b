"""The wall's comment line at a laptop's 80x24: never typing blind, never losing a key.

Cards are checked on screen (inside the visible part of their column) and in the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from textual import events
from textual.app import App
from textual.pilot import Pilot

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from facilitator.ui.screens.wall import WallScreen
from facilitator.ui.widgets.category_column import CardList
from facilitator.ui.widgets.comment_line import CommentLine
from facilitator.ui.widgets.postit_card import PostitCard

from .conftest import screen_text

TEN = [
    "too busy",
    "never came",
    "kind",
    "listened",
    "late again",
    "mixed",
    "no trust",
    "helped me",
    "rude",
    "fair enough",
]
LONG = (
    "My social worker never came when I was moved to the other wing, "
    "and the letters about my appeal went to my old address for months"
)


def wall(app: App[Any]) -> WallScreen:
    assert isinstance(app.screen, WallScreen)
    return app.screen


def words(app: App[Any]) -> str:
    """The screen's text with its lines joined, so that wrapped sentences read whole."""
    return " ".join(" ".join(line.split()) for line in screen_text(app).splitlines() if line.strip())


def on_screen(card: PostitCard) -> bool:
    """Whether the whole card is inside the part of its column that shows."""
    column = card.query_ancestor(CardList)
    return card.region.height > 0 and column.region.contains_region(card.region)


def top_on_screen(card: PostitCard) -> bool:
    """Whether a card (maybe taller than its column) shows from its first line."""
    column = card.query_ancestor(CardList)
    return card.region.height > 0 and column.region.contains(card.region.x, card.region.y)


def drawn(app: App[Any], card: PostitCard) -> str:
    """The words drawn where the card is on screen (after its left edge)."""
    region, lines = card.region, screen_text(app).splitlines()
    return " ".join(
        " ".join(lines[y][region.x + 1 : region.right].split()) for y in range(region.y, region.bottom)
    )


async def burst(pilot: Pilot[Any], keys: Iterable[str]) -> None:
    """Send keys as a terminal does for a fast typist: all at once, none waiting for the screen."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(pilot.app)
        driver.send_message(event)
    for _ in range(20):  # until the queue of keys has been worked through
        await pilot.pause(0.05)


async def test_ten_comments_in_one_column_are_seen_while_typed_and_after(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for text in TEN:
            await pilot.press("2", *text)
            line = wall(app).query_one(CommentLine)
            assert line.region.height > 0 and text in screen_text(app)
            await pilot.press("enter")
            await pilot.pause()
            card = wall(app).cards()[-1]
            assert card.postit.comment == text and on_screen(card)
            assert text in drawn(app, card)
            assert not wall(app).query(CommentLine)
        postits = workspace.store.postits.of(session_id)
        assert [(p.response_key, p.comment) for p in postits] == [("agree", t) for t in TEN]
        assert "10 post-its" in screen_text(app)


async def test_keys_typed_faster_than_the_screen_land_where_intended(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = [
            *"3too busy", "enter", "1", "enter", *"4never call", "backspace", "l", "enter",
            "5", "enter", *"2kind", "enter", "n", *"1next one", "enter",
        ]  # fmt: skip
        await burst(pilot, keys)
        placed = [
            (p.statement_number, p.response_key, p.comment) for p in workspace.store.postits.of(session_id)
        ]
        assert placed == [
            (1, "neutral", "too busy"),
            (1, "strongly_agree", ""),
            (1, "disagree", "never cal" + "l"),
            (1, "strongly_disagree", ""),
            (1, "agree", "kind"),
            (2, "strongly_agree", "next one"),
        ]
        assert wall(app).number == 2 and "next one" in screen_text(app)


async def test_a_long_comment_and_its_warning_read_whole_at_80_columns(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        wall(app).query_one(CommentLine).box.value = "Darren said A1234BC " + LONG
        await pilot.pause()
        shown = words(app)
        assert "3 ? Not sure · new post-it" in shown
        assert "Darren said A1234BC " + LONG in shown
        assert (
            "⚠ May identify someone: Darren a capitalised word that may be a name; "
            "A1234BC looks like a prison number" in shown
        )
        await pilot.press("enter")
        assert [p.comment for p in workspace.store.postits.of(session_id)] == ["Darren said A1234BC " + LONG]
        assert "May identify someone" not in screen_text(app)


async def test_editing_a_long_comment_shows_all_of_it(workspace: Workspace, session_id: str) -> None:
    postit = workspace.store.postits.add(session_id, 1, "disagree", LONG)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "e")
        shown = words(app)
        assert "4 - Disagree · editing a post-it" in shown
        assert LONG in shown
        await pilot.press(*" soon", "enter")
        assert workspace.store.postits.get(postit.id).comment == LONG + " soon"
        card = wall(app).query_one(PostitCard)
        assert app.screen.focused is card and top_on_screen(card)


async def test_the_selected_card_stays_in_view_through_delete_undo_and_move(
    workspace: Workspace, session_id: str
) -> None:
    for n in range(1, 13):
        workspace.store.postits.add(session_id, 1, "agree", f"card {n}")
    moved = workspace.store.postits.add(session_id, 1, "disagree", "the one that moves")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = wall(app)
        await pilot.press("up", "up")  # the last card of Agree: far down its column
        await pilot.pause()
        assert isinstance(screen.focused, PostitCard) and screen.focused.postit.comment == "card 12"
        assert on_screen(screen.focused) and "card 12" in drawn(app, screen.focused)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(screen.focused, PostitCard) and on_screen(screen.focused)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(screen.focused, PostitCard) and screen.focused.postit.comment == "card 12"
        assert on_screen(screen.focused)
        await pilot.press("down", "m", "2")
        await pilot.pause()
        assert workspace.store.postits.get(moved.id).response_key == "agree"
        assert isinstance(screen.focused, PostitCard) and screen.focused.postit.id == moved.id
        assert on_screen(screen.focused) and "the one that moves" in drawn(app, screen.focused)


async def test_keys_wait_for_the_comment_line_to_open(workspace: Workspace, session_id: str) -> None:
    """A digit and the first letters of its comment in one burst: no letter becomes a command."""
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, ["1", *"the end", "enter"])  # t, e, n, d are wall keys outside the line
        await asyncio.sleep(0)
        assert [p.comment for p in workspace.store.postits.of(session_id)] == ["the end"]
        assert isinstance(app.screen, WallScreen)


async def test_at_60x20_a_long_comment_and_its_warning_leave_two_lines_of_cards_in_sight(
    workspace: Workspace, session_id: str
) -> None:
    from textual.containers import VerticalScroll
    from textual.widgets import Static

    for comment in TEN[:6]:
        workspace.store.postits.add(session_id, 1, "agree", comment)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("2")
        line = wall(app).query_one(CommentLine)
        for text, warned in [
            ("Darren said A1234BC " + LONG, "⚠ Darren name? · A1234BC prison no.?"),
            # Too many names for the box's border: they go to one line under it.
            ("Darren, Kelly and Marcus Smith said A1234BC " + LONG, "⚠ Darren name? · Kelly name? · Marcus"),
        ]:
            line.box.value = text
            await pilot.pause()
            await pilot.pause()
            assert all(cards.region.height >= 2 for cards in wall(app).query(CardList)), text
            assert warned in words(app)
            preview = line.query_one(".preview", VerticalScroll)
            # The whole comment is in the preview, scrolled to its end, where typing goes on.
            assert str(preview.query_one(Static).render()).replace("\n", " ") == text
            assert preview.max_scroll_y > 0 and preview.scroll_y == preview.max_scroll_y
            assert "May identify someone" not in words(app)  # the long warning waits for a taller window
