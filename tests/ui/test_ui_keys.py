"""Keys are data: each screen's BINDINGS alone make its help, its palette and its key bar."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import replace
from typing import Any

from textual.binding import Binding
from textual.screen import ModalScreen, Screen

import facilitator.ui.screens as screens_package
from facilitator.actions.data_folder import Workspace
from facilitator.store import Session
from facilitator.ui import keys
from facilitator.ui.app import FacilitatorApp, make_app
from facilitator.ui.screens.charts import ChartsScreen
from facilitator.ui.screens.conflicts import ConflictsScreen
from facilitator.ui.screens.discussion import DiscussionScreen, NoteList
from facilitator.ui.screens.home import HomeScreen
from facilitator.ui.screens.pseudonyms import PseudonymScreen
from facilitator.ui.screens.receipt import ReceiptScreen
from facilitator.ui.screens.roster import RosterScreen
from facilitator.ui.screens.sync import SyncScreen
from facilitator.ui.screens.themes import ThemesScreen
from facilitator.ui.screens.wall import WallScreen
from facilitator.ui.widgets.key_bar import KeyBar, key_bar_text

from .conftest import screen_text
from .scales import SEVEN, session_with_scale

HAND_WRITTEN = ("help_rows", "palette_commands", "action_help", "action_blank")


def screen_classes() -> list[type[Screen[Any]]]:
    found: dict[str, type[Screen[Any]]] = {}
    for module_info in pkgutil.iter_modules(screens_package.__path__):
        module = importlib.import_module(f"{screens_package.__name__}.{module_info.name}")
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Screen) and value.__module__ == module.__name__:
                found[value.__qualname__] = value
    return list(found.values())


def test_every_screen_keeps_its_keys_in_bindings_alone() -> None:
    classes = screen_classes()
    assert len(classes) >= 20
    for screen_class in classes:
        assert not [name for name in HAND_WRITTEN if name in vars(screen_class)], screen_class
        bindings = keys.class_bindings(screen_class)
        ids = [b.id for b in bindings]
        assert len(ids) == len(set(ids)), screen_class
        for binding in bindings:
            assert binding.id and binding.id.split(".")[0], (screen_class, binding)
            assert binding.tooltip and binding.description, (screen_class, binding)


def test_the_blank_is_one_action_and_b_reaches_it_on_every_screen_without_a_box() -> None:
    typing_screens = {"DiscussionScreen", "ParticipantScreen", "BlankScreen"}
    # No blank before the folder is open, nor on the lock: they show no data, only a passphrase box.
    typing_screens |= {"FirstStartScreen", "UnlockScreen"}
    for screen_class in screen_classes():
        if screen_class.__name__ not in typing_screens and not issubclass(screen_class, ModalScreen):
            blanks = [b for b in keys.class_bindings(screen_class) if b.id == keys.BLANK.id]
            assert [replace(b, show=True) for b in blanks] == [keys.BLANK], screen_class
    assert [b for b in FacilitatorApp.BINDINGS if isinstance(b, Binding)] == [keys.QUIT, keys.BLANK_ANYWHERE]


def live_screens(workspace: Workspace, session: Session) -> list[Screen[Any]]:
    return [
        HomeScreen(workspace),
        WallScreen(workspace, session.id),
        ChartsScreen(workspace, session.id),
        DiscussionScreen(workspace, session.id),
        ThemesScreen(workspace, session.id),
        RosterScreen(workspace, session.id),
        PseudonymScreen(workspace, session.id),
        SyncScreen(workspace),
        ConflictsScreen(workspace),
        ReceiptScreen(workspace, session.id),
    ]


def test_help_and_palette_are_the_bindings_of_each_screen(workspace: Workspace) -> None:
    session = workspace.store.sessions.get(session_with_scale(workspace, SEVEN))
    for screen in live_screens(workspace, session):
        bound = keys.class_bindings(type(screen))
        if isinstance(screen, WallScreen):
            bound = [b for b in bound if b.key not in "89"]  # the scale has seven categories
        if isinstance(screen, DiscussionScreen):
            bound += keys.class_bindings(NoteList)
        expected_rows = [(keys.keys_text(b), b.tooltip) for b in [*bound, *keys.APP_KEYS]]
        rows = keys.help_rows(screen)
        assert [key for key, _ in rows] == [key for key, _ in expected_rows], type(screen)
        if not isinstance(screen, WallScreen):
            assert rows == expected_rows
        actions = [c.action for c in keys.palette_commands(screen)]
        assert {b.action for b in bound} | {"app.blank"} <= set(actions), type(screen)
        data = getattr(screen, "data_commands", list)()
        assert len(actions) == len({b.action for b in bound} | {"app.blank"}) + len(data), type(screen)
        # Notes explain what is not a key of the screen: none repeats one of its keys.
        shown_keys = {row for row, _ in rows}
        assert not [note for note, _ in keys.help_notes(screen) if note in shown_keys], type(screen)


def test_the_wall_names_each_category_of_its_scale(workspace: Workspace) -> None:
    session = workspace.store.sessions.get(session_with_scale(workspace, SEVEN))
    wall = WallScreen(workspace, session.id)
    rows = dict(keys.help_rows(wall))
    assert rows["4"] == "Add post-it: Neither agree nor disagree (0)."
    assert "8" not in rows and "9" not in rows
    titles = [c.title for c in keys.palette_commands(wall)]
    assert titles[:7] == [f"Add post-it: {label} ({symbol})" for _key, label, _short, symbol in SEVEN]
    assert "1-7  add" in key_bar_text(keys.key_bar_bindings(wall)).plain


async def test_the_palette_runs_a_category_of_a_seven_point_wall(workspace: Workspace) -> None:
    session_id = session_with_scale(workspace, SEVEN)
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.query_one(KeyBar)
        await pilot.press("ctrl+p", *"Add post-it: Somewhat disagree")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"from palette", "enter")
        placed = [(p.response_key, p.comment) for p in workspace.store.postits.of(session_id)]
        assert placed == [("somewhat_disagree", "from palette")]
        assert "from" in screen_text(app)


# What must never leave a screen's key bar, at 80x24 and at 60x20: help, the palette, and
# the keys used most on that screen (the rest stay in the help and the palette).
VITAL_KEYS = {
    HomeScreen: ["n  new session", "o/enter  open", "t  discussion", "g  charts", "x  export", "s  sync"],
    WallScreen: ["1-7  add", "n/→  next", "p/←  prev", "e  edit", "d  delete", "u  undo", "t  discussion"],
    ChartsScreen: ["g/↓  group", "n/→  next", "p/←  prev", "esc  back"],
    DiscussionScreen: ["enter  save", "↓  notes", "^g  themes", "^n  names map"],
    ThemesScreen: ["enter  notes", "r  rename", "m  merge", "esc  back"],
    RosterScreen: ["a  add", "e/enter  edit", "d  remove", "esc  back"],
    PseudonymScreen: ["a  add", "d  remove", "esc  back"],
    SyncScreen: ["x  export", "i  import", "esc  back"],
    ConflictsScreen: ["k  keep this", "t  take other", "esc  back"],
    ReceiptScreen: ["esc  back"],
}


def test_help_the_palette_and_the_most_used_keys_stay_in_the_key_bar_at_80_and_60_columns(
    workspace: Workspace,
) -> None:
    session = workspace.store.sessions.get(session_with_scale(workspace, SEVEN))
    for screen in live_screens(workspace, session):
        bindings = keys.key_bar_bindings(screen)
        every_key = key_bar_text(bindings).plain
        for width in (80, 60):
            bar = key_bar_text(bindings, width)
            lines = bar.plain.splitlines()
            assert len(lines) <= 2 and max(len(line.rstrip()) for line in lines) <= width, (screen, width)
            shown = " ".join(" ".join(line.split("  ")) for line in lines)
            help_key = "F1  help" if isinstance(screen, DiscussionScreen | PseudonymScreen) else "?  help"
            for vital in [*VITAL_KEYS[type(screen)], help_key, "^p  palette"]:
                assert vital in bar.plain, (type(screen).__name__, width, vital, shown)
            # The keys that are shown keep their order, and are the first ones of the screen.
            kept = [piece for piece in every_key.split("   ") if piece.strip() in bar.plain]
            assert bar.plain.split() == " ".join(kept).split(), (type(screen).__name__, width)


def test_the_wall_at_80_columns_shows_every_key_it_used_to_cut(workspace: Workspace) -> None:
    session = workspace.store.sessions.get(session_with_scale(workspace, SEVEN))
    bar = key_bar_text(keys.key_bar_bindings(WallScreen(workspace, session.id)), 80).plain
    assert "h  sessions" in bar and "t  discussion" in bar and "b/^l  blank" in bar and "^p  palette" in bar


async def test_the_sessions_key_bar_at_60x20_shows_help_and_help_opens(workspace: Workspace) -> None:
    from facilitator.ui.screens.help import HelpScreen

    app = make_app(workspace, blink=False)
    async with app.run_test(size=(60, 20)) as pilot:
        bar = app.screen.query_one(KeyBar)
        assert bar.size.height == 2
        shown = screen_text(app).splitlines()[-2:]
        assert "?  help" in "\n".join(shown) and "^p  palette" in "\n".join(shown)
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            assert isinstance(app.screen, HelpScreen)
            rows = dict(app.screen.rows)
            assert rows["?, F1"] == keys.HELP.tooltip
            await pilot.press(key)  # the same key closes it
            assert isinstance(app.screen, HomeScreen)


async def test_the_palette_calls_the_theme_colours_and_contrast_finds_high_contrast(
    workspace: Workspace,
) -> None:
    from facilitator.ui.app import THEME_META_KEY
    from facilitator.ui.theme import HIGH_CONTRAST

    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Colours" in titles and "Theme" not in titles and "Screenshot" not in titles
        await pilot.press("ctrl+p", *"contrast")
        await pilot.pause(0.3)
        assert "High-contrast colours" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == HIGH_CONTRAST.name
        assert workspace.store.meta.get(THEME_META_KEY) == HIGH_CONTRAST.name


def test_question_mark_and_f1_open_help_on_every_screen() -> None:
    # A passphrase may hold a ?: those two screens have F1 alone. The blank and participant mode
    # show nothing of the app, and the help closes with either key.
    f1_only = {"FirstStartScreen", "UnlockScreen"}
    no_help = {"BlankScreen", "ParticipantScreen", "HelpScreen"}
    for screen_class in screen_classes():
        name = screen_class.__name__
        helps = [b for b in keys.class_bindings(screen_class) if b.action == keys.HELP_ACTION]
        if name in no_help:
            assert not helps, name
            continue
        (help_binding,) = helps
        bound = set(help_binding.key.split(","))
        assert bound == ({"f1"} if name in f1_only else {"f1", "question_mark"}), name
