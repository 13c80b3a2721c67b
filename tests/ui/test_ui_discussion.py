"""The discussion screen, the themes view, the roster and the pseudonym map, checked against the database."""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable, Input

from facilitator.actions.data_folder import Workspace
from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.anonymity import pseudonyms
from facilitator.ui.app import make_app
from facilitator.ui.screens.confirm import ConfirmScreen
from facilitator.ui.screens.discussion import DiscussionScreen
from facilitator.ui.screens.home import HomeScreen
from facilitator.ui.screens.pseudonyms import PseudonymScreen
from facilitator.ui.screens.themes import ThemesScreen
from facilitator.ui.screens.wall import WallScreen
from facilitator.ui.widgets.key_bar import KeyBar
from facilitator.ui.widgets.postit_card import CommentBox

from .conftest import new_session, screen_text

LISTEN = "Social workers don't listen"
CHANGE = "Social workers change too often: no stable relationship"
TRUST = "Lack of trust in social workers"


def burst(app: App[object], text: str) -> None:
    """Keys as a fast typist sends them: all queued before the app handles the first."""
    for character in text:
        app.post_message(events.Key(character, character))


def with_roster(workspace: Workspace, session_id: str, *codes: str) -> None:
    for code in codes:
        roster.add_participant(workspace.store, session_id, code, "female" if code == "P2" else "male")


def tags(workspace: Workspace, session_id: str) -> list[tuple[str, list[str]]]:
    return [(n.text, sorted(n.theme_names)) for n in discussion.notes(workspace.store, session_id)]


async def test_a_typed_line_and_enter_make_exactly_one_note(workspace: Workspace, session_id: str) -> None:
    with_roster(workspace, session_id, "P1", "P2", "P3")
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        screen = app.screen
        assert isinstance(screen, DiscussionScreen)
        await pilot.press(*'2: "no one" #1 #2', "enter")
        (note,) = discussion.notes(workspace.store, session_id)
        assert (note.participant, note.kind, note.text) == ("P2", "quote", "no one")
        assert sorted(note.theme_names) == sorted([LISTEN, CHANGE])
        assert screen.box.value == "" and app.focused is screen.box  # ready for the next note
        assert "“no one”" in screen_text(app)
        await pilot.press(*"P9: x", "enter")  # not in the roster: refused, kept in the box
        assert len(discussion.notes(workspace.store, session_id)) == 1
        assert screen.box.value == "P9: x"


async def test_a_new_theme_on_the_fly_and_a_case_study(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("t", *"long story #+Housing", "ctrl+t", "ctrl+t", "enter")
        (note,) = discussion.notes(workspace.store, session_id)
        assert (note.participant, note.kind, note.theme_names) == (None, "case_study", ("Housing",))
        session = workspace.store.sessions.get(session_id)
        names = [t.name for t in codebook.themes(workspace.store, codebook.Codebook.of(session))]
        assert "Housing" in names and LISTEN in names  # the starter codebook was seeded too
        assert "Housing" in screen_text(app)


async def test_edit_delete_and_bring_back_a_note(workspace: Workspace, session_id: str) -> None:
    codebook.seed_codebook(workspace.store, workspace.store.sessions.get(session_id), [LISTEN, CHANGE, TRUST])
    first = discussion.add_note(workspace.store, session_id, "first", speaker="P1", themes=[TRUST])
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("t", *"half typed", "down", "e")
        screen = app.screen
        assert isinstance(screen, DiscussionScreen)
        assert screen.box.value == "P1: first #3"
        await pilot.press("ctrl+u", *"P1: edited #listen", "enter")
        edited = discussion.note(workspace.store, first.id)
        assert (edited.text, edited.theme_names, edited.kind) == ("edited", (LISTEN,), "note")
        assert screen.box.value == "half typed"  # what was being typed comes back
        await pilot.press("ctrl+u", "down")
        burst(app, "Tried")  # a letter that is no key of the list goes to the box; the rest follows
        await pilot.pause()
        assert app.focused is screen.box and screen.box.value == "Tried"
        assert [n.id for n in discussion.notes(workspace.store, session_id)] == [first.id]
        await pilot.press("ctrl+u", "down", "d")
        assert discussion.notes(workspace.store, session_id) == []
        await pilot.press("u")
        assert [n.id for n in discussion.notes(workspace.store, session_id)] == [first.id]


async def test_identifying_details_warn_while_typing_but_never_block(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("t")
        screen = app.screen
        assert isinstance(screen, DiscussionScreen)
        screen.box.value = "Kelly at the back agreed"  # a name at the start of the line
        await pilot.pause()
        assert "Kelly a capitalised word that may be a name" in screen_text(app)
        screen.box.value = "we met Kim, number A1234BC"
        await pilot.pause()
        shown = screen_text(app)
        assert "May identify someone" in shown
        assert "Kim a capitalised word that may be a name" in shown
        assert "A1234BC looks like a prison number" in shown
        await pilot.press("ctrl+n")  # the flagged name is offered for the map
        assert isinstance(app.screen, PseudonymScreen)
        assert app.screen.query_one("#real", Input).value == "Kim"
        await pilot.press(*"Jo", "enter", "escape")
        assert [(p.real, p.changed) for p in pseudonyms(workspace.store, session_id)] == [("Kim", "Jo")]
        assert app.screen is screen and screen.box.value == "we met Kim, number A1234BC"
        assert "Kim in the pseudonym map" in screen_text(app)
        await pilot.press("enter")
        assert [n.text for n in discussion.notes(workspace.store, session_id)] == [
            "we met Kim, number A1234BC"
        ]


async def test_the_walls_comment_box_warns_too(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("3", *"saw Kim")
        box = app.screen.query_one(CommentBox)
        assert box.has_class("-identity-warning")
        assert (
            box.border_subtitle is not None
            and "Kim" in box.border_subtitle
            and "name?" in box.border_subtitle
        )
        await pilot.press("enter")
        assert [p.comment for p in workspace.store.postits.of(session_id)] == ["saw Kim"]


async def test_the_whole_comment_warning_is_readable_on_a_small_screen(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", *"no A1234BC")
        await pilot.pause()
        shown = screen_text(app)
        assert "May identify someone: A1234BC looks like a prison number" in shown  # under the columns
        box = app.screen.query_one(CommentBox)
        subtitle = box.border_subtitle
        assert subtitle is not None and "…" not in str(subtitle) and len(str(subtitle)) <= box.size.width
        await pilot.press("enter")  # never blocked; the warning leaves with the box
        await pilot.pause()
        assert [p.comment for p in workspace.store.postits.of(session_id)] == ["no A1234BC"]
        assert "May identify someone" not in screen_text(app)


async def test_rename_and_merge_from_the_themes_view_keep_every_tag(workspace: Workspace) -> None:
    first = new_session(workspace, consultation="Social work 2010")
    second = new_session(workspace, "Adult focus group 2", consultation="Social work 2010")
    store = workspace.store
    codebook.seed_codebook(store, store.sessions.get(first), [LISTEN, CHANGE, TRUST])
    discussion.add_note(store, first, "a", themes=[LISTEN])
    discussion.add_note(store, first, "b", themes=[LISTEN, TRUST])
    discussion.add_note(store, second, "c", themes=[TRUST])
    app = make_app(workspace, first, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t", "ctrl+g")
        screen = app.screen
        assert isinstance(screen, ThemesScreen)
        assert [(r.rank, r.name, r.sessions, r.notes) for r in screen.ranked][:2] == [
            (1, TRUST, 2, 2),
            (2, LISTEN, 1, 2),
        ]
        table = screen.query_one(DataTable)
        table.move_cursor(row=1)
        await pilot.press("r", "ctrl+u", *"Listening", "enter")
        assert tags(workspace, first) == [
            ("a", ["Listening"]),
            ("b", ["Lack of trust in social workers", "Listening"]),
        ]
        assert "Theme renamed to Listening; its notes keep it. ↑ ↓ choose a theme" in screen_text(app)
        table.move_cursor(row=0)  # Lack of trust, merged into Listening
        assert "enter  notes" in key_bar(screen)
        await pilot.press("m", "down")
        assert "enter  merge into this one" in key_bar(screen) and "enter  notes" not in key_bar(screen)
        assert "esc  cancel the merge" in key_bar(screen) and "?  help" in key_bar(screen)
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert "enter  notes" in key_bar(screen)
        assert tags(workspace, first) == [("a", ["Listening"]), ("b", ["Listening"])]
        assert tags(workspace, second) == [("c", ["Listening"])]
        top = screen.ranked[0]
        assert (top.name, top.sessions, top.notes) == ("Listening", 2, 3)
        await pilot.press("escape")  # the notes on the discussion screen show the new name
        assert isinstance(app.screen, DiscussionScreen)
        assert "#Listening" in screen_text(app) and "#Lack of trust" not in screen_text(app)


async def test_add_a_participant_from_the_roster(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("t")  # from home, on the selected session
        assert isinstance(app.screen, DiscussionScreen)
        await pilot.press("ctrl+r", "a", "f", "tab", "tab", "tab", "space", "ctrl+s")
        (person,) = roster.participants(workspace.store, session_id)
        assert (person.code, person.gender, person.cohort, person.consent) == ("P1", "female", "adults", True)
        assert "1 participant: 1 female" in screen_text(app)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, HomeScreen)


async def test_escape_leaves_only_an_empty_box(workspace: Workspace, session_id: str) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test() as pilot:
        await pilot.press("t", "x", "escape")
        assert isinstance(app.screen, DiscussionScreen)  # a note is in the box: stay
        await pilot.press("backspace", "escape")
        assert isinstance(app.screen, WallScreen)


def theme_names(workspace: Workspace, session_id: str) -> list[str]:
    session = workspace.store.sessions.get(session_id)
    return [t.name for t in codebook.themes(workspace.store, codebook.Codebook.of(session))]


async def test_adding_a_theme_that_exists_says_so_and_selects_it(
    workspace: Workspace, session_id: str
) -> None:
    store = workspace.store
    codebook.seed_codebook(store, store.sessions.get(session_id), [LISTEN, "Housing", TRUST])
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t", "ctrl+g", "a", *"housing", "enter")
        screen = app.screen
        assert isinstance(screen, ThemesScreen)
        assert sorted(theme_names(workspace, session_id)) == sorted([LISTEN, "Housing", TRUST])
        chosen = screen.selected()
        assert chosen is not None and chosen.name == "Housing"
        shown = screen_text(app)
        assert "“housing” is already a theme: Housing" in shown and "Nothing added." in shown
        assert "Theme added" not in shown


async def test_typing_after_an_add_goes_into_a_box_never_into_commands(
    workspace: Workspace, session_id: str
) -> None:
    store = workspace.store
    codebook.seed_codebook(store, store.sessions.get(session_id), [LISTEN, "Housing"])
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t", "ctrl+g", "a", *"Money", "enter")
        screen = app.screen
        assert isinstance(screen, ThemesScreen)
        box = screen.query_one("#theme-name", Input)
        assert app.focused is box and box.value == ""  # the box stays for another name
        assert "Theme Money added" in screen_text(app) and "Another new theme?" in screen_text(app)
        await pilot.press(*"Trust", "enter", "escape")  # the r of Trust is a letter, not a rename
        assert sorted(theme_names(workspace, session_id)) == sorted([LISTEN, "Housing", "Money", "Trust"])
        assert app.focused is screen.query_one(DataTable) and not box.display
        burst(app, "Policeman")  # a letter that is no key here opens the box; the o, m, a follow it
        await pilot.pause()
        assert app.focused is box and box.value == "Policeman" and isinstance(app.screen, ThemesScreen)
        await pilot.press("backspace", "backspace", "backspace", "enter")
        assert "Police" in theme_names(workspace, session_id)
        await pilot.press("escape", "r")  # a rename shows a labelled box holding the name
        assert app.focused is box and box.value == "Police"
        assert "Rename the theme Police to:" in screen_text(app)
        await pilot.press("ctrl+u", *"Policing", "enter")
        assert "Policing" in theme_names(workspace, session_id) and "Police" not in theme_names(
            workspace, session_id
        )
        assert app.focused is screen.query_one(DataTable) and not box.display
        assert "Theme renamed to Policing" in screen_text(app)


async def test_enter_in_either_box_of_the_map_saves_or_says_what_is_missing(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PseudonymScreen(workspace, session_id, "Kim", blink=False))
        await pilot.pause()
        screen = app.screen
        real, changed = screen.query_one("#real", Input), screen.query_one("#changed", Input)
        assert app.focused is changed and "Changed name (in exports)" in screen_text(app)
        await pilot.press("enter")  # the changed name is missing: said, nothing saved
        assert pseudonyms(workspace.store, session_id) == []
        assert "type the changed name too" in screen_text(app) and app.focused is changed
        await pilot.press("tab")
        burst(app, "Dave")  # on the list, fast typing still goes into the box, the a included
        await pilot.pause()
        await pilot.press("enter")
        assert [(p.real, p.changed) for p in pseudonyms(workspace.store, session_id)] == [("Kim", "Dave")]
        assert real.value == changed.value == "" and app.focused is real
        await pilot.press(*"Sharon", "tab", *"Sue", "shift+tab", "enter")  # Enter in the first box saves too
        assert [p.changed for p in pseudonyms(workspace.store, session_id)] == ["Dave", "Sue"]
        await pilot.press("tab", *"Jo", "enter")  # the real name is missing
        assert "type the real name too" in screen_text(app) and app.focused is real
        assert len(pseudonyms(workspace.store, session_id)) == 2


def key_bar(screen: Screen[None]) -> str:
    """What the screen's key bar shows now."""
    return str(screen.query_one(KeyBar).render())


def flat(text: str) -> str:
    """Screen text with its spacing (and the key bar's line break) folded to single spaces."""
    return " ".join(text.replace("\xa0", " ").split())


async def test_help_on_the_roster_and_the_map(workspace: Workspace, session_id: str) -> None:
    from facilitator.ui.screens.help import HelpScreen
    from facilitator.ui.screens.roster import RosterScreen

    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(RosterScreen(workspace, session_id, blink=False))
        await pilot.pause()
        assert "? help" in flat(screen_text(app))  # in the key bar
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            assert isinstance(app.screen, HelpScreen) and "Keys of the roster" in screen_text(app)
            await pilot.press("escape")
            assert isinstance(app.screen, RosterScreen)
        app.push_screen(PseudonymScreen(workspace, session_id, blink=False))
        await pilot.pause()
        assert "F1 help" in flat(screen_text(app)) and "?" not in key_bar(app.screen)
        assert "d remove" in flat(key_bar(app.screen)) and "tab" not in key_bar(app.screen)
        await pilot.press("f1")  # from a box
        assert isinstance(app.screen, HelpScreen) and "Keys of the pseudonym map" in screen_text(app)
        await pilot.press("escape", "tab", "tab", "question_mark")  # from the list
        assert isinstance(app.screen, HelpScreen)
        help_row = "F1, ?", "All the keys of this screen: F1, or ? when not typing in a box."
        assert help_row in app.screen.rows


async def test_help_on_the_discussion_with_f1_from_the_box_and_with_question_mark_from_the_notes(
    workspace: Workspace, session_id: str
) -> None:
    from facilitator.ui.screens.help import HelpScreen

    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t", *"is this fair?", "enter")
        assert [n.text for n in discussion.notes(workspace.store, session_id)] == ["is this fair?"]
        assert "F1 help" in flat(screen_text(app)) and "?" not in key_bar(app.screen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen) and "Keys of the discussion" in screen_text(app)
        await pilot.press("f1")  # closes it again
        await pilot.press("down", "question_mark")  # from the notes
        assert isinstance(app.screen, HelpScreen)
        keys_of_help = [keys for keys, what in app.screen.rows if "? when not typing" in what]
        assert keys_of_help == ["F1, ?"]
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, DiscussionScreen) and app.screen.box.value == ""


async def test_a_titled_case_study_is_typed_and_notes_move_with_b_and_a(
    workspace: Workspace, session_id: str
) -> None:
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t", *"first point", "enter", *"Darren:: moved eleven times", "enter")
        first, case = discussion.notes(workspace.store, session_id)
        assert (case.kind, case.title, case.text) == ("case_study", "Darren", "moved eleven times")
        # The list shows the newest first: the case study is on top; b moves it one place earlier.
        await pilot.press("down", "b")
        assert [n.id for n in discussion.notes(workspace.store, session_id)] == [case.id, first.id]
        await pilot.press("b")  # already first: nothing changes
        assert [n.id for n in discussion.notes(workspace.store, session_id)] == [case.id, first.id]
        await pilot.press("a")
        assert [n.id for n in discussion.notes(workspace.store, session_id)] == [first.id, case.id]
        assert "Darren" in screen_text(app)
