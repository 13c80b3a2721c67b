"""The wall's keys, driven as a facilitator would, checked against the database."""

from __future__ import annotations

from collections import Counter

from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from facilitator.ui.screens.blank import BlankScreen
from facilitator.ui.screens.charts import ChartsScreen
from facilitator.ui.screens.help import HelpScreen
from facilitator.ui.screens.wall import WallScreen
from facilitator.ui.widgets.key_bar import KeyBar
from facilitator.ui.widgets.postit_card import CommentBox, PostitCard

from .conftest import new_session, screen_text


async def test_three_comment_enter_saves_exactly_one_postit(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", *"too busy", "enter")
        postits = workspace.store.postits.of(session_id)
        assert [(p.statement_number, p.response_key, p.comment) for p in postits] == [
            (1, "neutral", "too busy")
        ]
        card = app.screen.query_one(PostitCard)
        assert card.postit.id == postits[0].id
        assert "too busy" in screen_text(app)


async def test_enter_with_no_comment_saves_a_blank_postit(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("1", "enter", "5", "enter")
        assert [(p.response_key, p.comment) for p in workspace.store.postits.of(session_id)] == [
            ("strongly_agree", ""),
            ("strongly_disagree", ""),
        ]


async def test_escape_abandons_the_postit(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("2", *"no", "escape")
        assert workspace.store.postits.of(session_id) == []
        assert not app.screen.query(PostitCard)
        assert isinstance(app.screen, WallScreen)


async def test_delete_then_undo_restores_the_card(workspace: Workspace, session_id: str) -> None:
    kept = workspace.store.postits.add(session_id, 1, "agree", "keep me")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("down", "d")
        assert workspace.store.postits.of(session_id) == []
        assert workspace.store.postits.get(kept.id, include_deleted=True).deleted_at is not None
        await pilot.press("u")
        assert [p.id for p in workspace.store.postits.of(session_id)] == [kept.id]
        assert app.screen.query_one(PostitCard).postit.id == kept.id


async def test_move_edit_and_undo_several_steps_back(workspace: Workspace, session_id: str) -> None:
    postit = workspace.store.postits.add(session_id, 1, "agree", "first words")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("tab", "m", "4")
        assert workspace.store.postits.get(postit.id).response_key == "disagree"
        await pilot.press("e", "ctrl+u", *"new words", "enter")
        assert workspace.store.postits.get(postit.id).comment == "new words"
        await pilot.press("e", *" more", "escape")
        assert workspace.store.postits.get(postit.id).comment == "new words"
        await pilot.press("u")
        assert workspace.store.postits.get(postit.id).comment == "first words"
        await pilot.press("u")
        assert workspace.store.postits.get(postit.id).response_key == "agree"
        await pilot.press("u")
        assert len(workspace.store.postits.of(session_id)) == 1


async def test_navigation_puts_postits_on_the_right_statement(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("n", "right", "1", "enter", "p", "2", "enter", "left", "left", "3", "enter")
        placed = [(p.statement_number, p.response_key) for p in workspace.store.postits.of(session_id)]
        assert placed == [(1, "neutral"), (2, "agree"), (3, "strongly_agree")]
        await pilot.press("n", "n", "n", "n")  # past the last statement: stays on 4
        assert app.screen.number == 4  # type: ignore[attr-defined]
        assert "statement 4 of 4" in screen_text(app)


async def test_blank_hides_everything_and_any_key_returns(workspace: Workspace, session_id: str) -> None:
    workspace.store.postits.add(session_id, 1, "agree", "a secret remark")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        assert "secret" in screen_text(app)
        await pilot.press("b")
        assert isinstance(app.screen, BlankScreen)
        shown = screen_text(app)
        assert "secret" not in shown and "social worker" not in shown and not shown.strip()
        await pilot.press("ctrl+q")  # even quit only brings the wall back
        assert isinstance(app.screen, WallScreen)
        await pilot.press("b", "x")
        assert isinstance(app.screen, WallScreen)
        assert len(workspace.store.postits.of(session_id)) == 1


async def test_chart_and_help_open_and_close(workspace: Workspace, session_id: str) -> None:
    workspace.store.postits.add(session_id, 1, "agree")
    workspace.store.postits.add(session_id, 1, "agree")
    workspace.store.postits.add(session_id, 1, "disagree")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ChartsScreen)
        shown = screen_text(app)
        assert "2 (67%)" in shown and "1 (33%)" in shown
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Ctrl+O" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, WallScreen)


async def test_hostile_comments_show_literally(workspace: Workspace, session_id: str) -> None:
    comments = ["[bold red]x[/]", "\x1b[31mred", "<b>bold</b>", "\\x1b[31m"]
    for comment in comments:
        workspace.store.postits.add(session_id, 1, "agree", comment)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(160, 45)):
        shown = screen_text(app)
        assert "[bold red]x[/]" in shown
        assert "␛[31mred" in shown and "\x1b" not in shown
        assert "<b>bold</b>" in shown
        assert "\\x1b[31m" in shown


async def test_command_palette_reaches_wall_actions(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p", *"Add post-it: Strongly agree")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"from palette", "enter")
        assert [(p.response_key, p.comment) for p in workspace.store.postits.of(session_id)] == [
            ("strongly_agree", "from palette")
        ]


async def test_ctrl_l_blanks_even_while_typing_and_the_comment_comes_back(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", *"half said", "b")  # in the box, b is a letter, not the blank
        box = app.screen.query_one(CommentBox)
        assert box.value == "half saidb"
        await pilot.press("ctrl+l")
        assert isinstance(app.screen, BlankScreen)
        assert not screen_text(app).strip()  # nothing at all: no comment, no statement
        await pilot.press("x")
        assert isinstance(app.screen, WallScreen)
        assert box.value == "half saidb" and app.screen.focused is box
        await pilot.press("ctrl+b", "space")  # the second way, for terminals that take Ctrl+L
        assert app.screen.focused is box
        await pilot.press("enter")
        assert [p.comment for p in workspace.store.postits.of(session_id)] == ["half saidb"]


async def test_feedback_replaces_itself_on_one_line_and_the_move_prompt_goes(
    workspace: Workspace, session_id: str
) -> None:
    for comment in ("one", "two", "three"):
        workspace.store.postits.add(session_id, 1, "agree", comment)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        wall = app.screen
        assert isinstance(wall, WallScreen)
        await pilot.press("down", "d", "d", "d", "u", "u", "u")
        assert len(workspace.store.postits.of(session_id)) == 3
        shown = screen_text(app)
        assert shown.count("Undid the delete.") == 1 and "deleted" not in shown
        assert not app._notifications  # no toasts piling over the columns
        await pilot.press("m")
        assert "Move to which category?" in screen_text(app)
        await pilot.press("4")
        assert "Move to which category?" not in screen_text(app)
        assert "Moved to Disagree" in screen_text(app)
        await pilot.press("m", "escape")
        assert "Move to which category?" not in screen_text(app) and wall.moving is None
        await pilot.press("p")
        assert "That was the first statement." in screen_text(app)
        await pilot.press("n")
        assert "first statement" not in screen_text(app)  # the next key clears it
        assert [p.response_key for p in workspace.store.postits.of(session_id)].count("disagree") == 1


async def test_a_closed_session_says_so_and_still_saves_postits(
    workspace: Workspace, session_id: str
) -> None:
    workspace.store.sessions.close(session_id)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = screen_text(app)
        assert "session closed" in shown and "This session is closed" in shown
        await pilot.press("1", *"late one", "enter")
        assert "Closed session: post-it saved." in screen_text(app)
        await pilot.press("2", "enter")
        assert "Closed session: post-it saved." not in screen_text(app)  # said once
        assert "This session is closed" in screen_text(app)
        assert [p.comment for p in workspace.store.postits.of(session_id)] == ["late one", ""]
        assert not app._notifications


async def test_tab_jumps_to_the_newest_card_of_the_next_column_and_arrows_go_card_by_card(
    workspace: Workspace, session_id: str
) -> None:
    for n in range(1, 11):
        workspace.store.postits.add(session_id, 1, "strongly_agree", f"strong {n}")
    workspace.store.postits.add(session_id, 1, "agree", "agree old")
    workspace.store.postits.add(session_id, 1, "agree", "agree new")
    workspace.store.postits.add(session_id, 1, "disagree", "disagree only")  # Not sure is empty
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        wall = app.screen

        def selected() -> str:
            assert isinstance(wall.focused, PostitCard)
            return wall.focused.postit.comment

        await pilot.press("tab")
        assert selected() == "strong 10"
        assert "strong 10" in screen_text(app)  # scrolled into view
        await pilot.press("tab")
        assert selected() == "agree new"
        await pilot.press("tab")
        assert selected() == "disagree only"  # the empty column is skipped
        await pilot.press("shift+tab", "shift+tab")
        assert selected() == "strong 10"
        await pilot.press("down")
        assert selected() == "agree old"  # the arrows still go card by card
        await pilot.press("up", "up")
        assert selected() == "strong 9"


async def test_the_status_line_clears_on_another_statement_and_back_from_another_screen(
    workspace: Workspace, session_id: str
) -> None:
    workspace.store.postits.add(session_id, 1, "agree", "one")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "m", "4", "u")
        assert "Undid the move." in screen_text(app)
        await pilot.press("ctrl+l", "space")  # the blank, and back
        assert isinstance(app.screen, WallScreen)
        assert "Undid" not in screen_text(app)
        await pilot.press("down", "m", "4", "u")
        await pilot.press("ctrl+p", "escape")  # the palette, and back
        assert "Undid" not in screen_text(app)
        await pilot.press("down", "m", "4", "u", "v", "enter", "ctrl+o", "n", "ctrl+o", "e", "n", "d")
        await pilot.pause()
        assert isinstance(app.screen, WallScreen) and app.screen.number == 2  # participants moved on
        assert "Undid" not in screen_text(app)


async def test_more_postits_than_participants_is_said_once_per_statement_and_never_blocks(
    workspace: Workspace,
) -> None:
    session_id = new_session(workspace, participants=2)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "enter", "2", "enter")
        assert "took part" not in screen_text(app)
        await pilot.press("3", "enter")
        assert "3 post-its on this statement; the session says 2 took part." in screen_text(app)
        await pilot.press("4", "enter")
        assert "took part" not in screen_text(app)  # said once for this statement
        await pilot.press("n", "1", "enter", "1", "enter", "1", "enter")
        assert "3 post-its on this statement; the session says 2 took part." in screen_text(app)
        counts = Counter(p.statement_number for p in workspace.store.postits.of(session_id))
        assert counts == {1: 4, 2: 3}


async def test_the_key_bar_shows_the_comment_lines_keys_while_a_comment_is_typed(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:

        def bar() -> str:
            return " ".join(str(app.screen.query_one(KeyBar).render()).split())

        wall_bar = bar()
        assert "next" in wall_bar and "delete" in wall_bar
        await pilot.press("3")
        assert bar() == "Enter save Esc abandon F1 help ^l blank ^p palette"
        await pilot.press(*"ok", "enter")
        assert bar() == wall_bar
        await pilot.press("2", "escape")
        assert bar() == wall_bar
        assert [p.comment for p in workspace.store.postits.of(session_id)] == ["ok"]


async def test_every_key_of_the_wall_clears_the_last_feedback(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        wall = app.screen
        assert isinstance(wall, WallScreen)
        await pilot.press("p")
        assert "That was the first statement." in screen_text(app)
        await pilot.press("l")  # the statement in its other language: a key like any other
        assert "first statement" not in screen_text(app)
        await pilot.press("e")
        assert "Select a card first" in screen_text(app)
        await pilot.press("t", "escape")  # to the discussion and back: a clean line
        assert app.screen is wall and "Select a card first" not in screen_text(app)
