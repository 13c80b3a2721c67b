"""A set's second language on the wall (key l), and the wall kit from the sessions screen's palette."""

from __future__ import annotations

from pathlib import Path

from facilitator.actions.data_folder import Workspace
from facilitator.core.paths import EXPORTS_FOLDER
from facilitator.core.statements import load_statement_set
from facilitator.outputs.kit import kit_html
from facilitator.store import SessionDetails
from facilitator.ui.app import FacilitatorApp, make_app

from .conftest import SET_ID, new_session, screen_text

TWO_LANGUAGES = Path(__file__).resolve().parent.parent / "fixtures" / "two-languages.toml"


def messages(app: FacilitatorApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def two_language_session(ws: Workspace) -> str:
    details = SessionDetails(label="Grŵp 1", cohort="adults", setting="community", date="2010-03-04")
    return ws.store.sessions.create(load_statement_set(TWO_LANGUAGES), details).id


async def test_l_shows_the_statement_in_its_second_language_and_back(workspace: Workspace) -> None:
    session_id = two_language_session(workspace)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "I expect my social worker to listen to me" in screen_text(app)
        await pilot.press("l")
        shown = screen_text(app)
        assert "Rwy'n disgwyl i'm gweithiwr cymdeithasol wrando arna i" in shown
        assert "statement 1 of 2 · Cymraeg" in shown
        assert "I expect my social worker" not in shown
        # The next statement keeps the language chosen, and post-its still land on it.
        await pilot.press("n", "1", *"ie", "enter")
        shown = screen_text(app)
        assert "Dydy gweithwyr cymdeithasol ddim yn fy neall i" in shown and "ie" in shown
        placed = [
            (p.statement_number, p.response_key, p.comment) for p in workspace.store.postits.of(session_id)
        ]
        assert placed == [(2, "agree", "ie")]
        await pilot.press("l")
        assert "Social workers don't understand me" in screen_text(app)
        assert "Cymraeg" not in screen_text(app)


async def test_l_on_a_session_in_one_language_says_so(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        assert messages(app) == ["This session's statements are in one language only."]
        assert "I expect my social worker to listen to me" in screen_text(app)


async def test_the_palette_prints_the_wall_kit_into_the_exports_folder(workspace: Workspace) -> None:
    new_session(workspace)
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p", *"print the wall kit: does")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        kit = workspace.data_dir / EXPORTS_FOLDER / f"kit-{SET_ID}.html"
        assert messages(app) == [
            f"Saved {kit.name} in data/exports. Open it in a web browser and print it on A4."
        ]
        assert kit.read_text(encoding="utf-8") == kit_html(workspace.catalogue().get(SET_ID))
        # Again: a new file, never over the first.
        await pilot.press("ctrl+p", *"print the wall kit: the selected")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert messages(app)[-1].startswith(f"Saved kit-{SET_ID}-2.html in data/exports.")
        assert (
            "I expect my social worker to listen to me" in kit.with_name(f"kit-{SET_ID}-2.html").read_text()
        )
