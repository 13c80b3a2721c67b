"""First start, unlocking and the lock: the app asks for the passphrase on its own screens.

These tests unset FACILITATOR_PASSPHRASE (the suite sets it so that the app opens
unlocked), so the app shows its first-start and unlock screens. Time is a clock the
test moves on: nobody waits for an idle lock or a wrong try's delay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from textual.pilot import Pilot
from textual.widgets import Input

from facilitator.actions.data_folder import FolderState, Workspace
from facilitator.actions.locking import set_idle_lock
from facilitator.core.paths import DATABASE_NAME
from facilitator.store.key_file import KeyFile, is_encrypted
from facilitator.ui.app import FacilitatorApp, make_app
from facilitator.ui.lock import awake_clock
from facilitator.ui.screens.blank import BlankScreen
from facilitator.ui.screens.export_summary import ExportSummaryScreen
from facilitator.ui.screens.export_warning import ExportWarningScreen
from facilitator.ui.screens.first_start import FirstStartScreen
from facilitator.ui.screens.help import HelpScreen
from facilitator.ui.screens.home import HomeScreen
from facilitator.ui.screens.participant import ParticipantScreen
from facilitator.ui.screens.unlock import UnlockScreen, recovery_sentence, wait_after
from facilitator.ui.screens.wall import WallScreen
from tests.folders import TEST_PASSPHRASE, open_folder

from .conftest import new_session, screen_text

NEW_PASSPHRASE = "four plain words here"


class Clock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def no_passphrase_in_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FACILITATOR_PASSPHRASE")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def new_folder(no_passphrase_in_environment: None) -> Iterator[Workspace]:
    ws = Workspace(Path("data"))
    yield ws
    ws.close()


@pytest.fixture
def locked_folder(no_passphrase_in_environment: None) -> Iterator[Workspace]:
    """An encrypted folder, closed: the app has to unlock it."""
    with open_folder(Path("data")):
        pass
    ws = Workspace(Path("data"))
    assert ws.state() is FolderState.LOCKED
    yield ws
    ws.close()


@pytest.fixture
def open_workspace(no_passphrase_in_environment: None) -> Iterator[Workspace]:
    """An encrypted folder, already unlocked."""
    with open_folder(Path("data")):
        pass
    ws = Workspace(Path("data"))
    ws.unlock(TEST_PASSPHRASE)
    yield ws
    ws.close()


def words(app: FacilitatorApp) -> str:
    """The screen's text with its lines joined, so that a sentence reads whole wherever it wraps."""
    return " ".join(screen_text(app).split())


def notifications(app: FacilitatorApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the key derivation's thread, then for the screens it brings."""
    await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


async def type_in(pilot: Pilot[None], text: str) -> None:
    """Type into the focused box at once (a passphrase key by key would take seconds)."""
    focused = pilot.app.focused
    assert isinstance(focused, Input)
    focused.insert_text_at_cursor(text)
    await pilot.pause()


# ---------------------------------------------------------------- first start


async def test_first_start_encrypts_the_new_folder_under_the_passphrase_typed_twice(
    new_folder: Workspace,
) -> None:
    app = make_app(new_folder, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, FirstStartScreen)
        shown = words(app)
        assert "a lost or stolen laptop gives nothing away" in shown
        assert "only the office can recover" in shown
        assert "trusts no office yet" in shown
        await type_in(pilot, NEW_PASSPHRASE)
        assert "Strong." in words(app)
        await pilot.press("enter")  # to the second box
        await type_in(pilot, NEW_PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert new_folder.encrypted and new_folder.state() is FolderState.OPEN
    assert KeyFile.exists(Path("data"))
    assert is_encrypted(Path("data") / DATABASE_NAME)
    assert KeyFile.load(Path("data")).unwrap(NEW_PASSPHRASE)


@pytest.mark.parametrize(
    ("first", "again", "said"),
    [
        ("short", "short", "at least 8 characters"),
        (NEW_PASSPHRASE, NEW_PASSPHRASE + "!", "The two passphrases differ"),
    ],
    ids=["too-short", "not-matching"],
)
async def test_a_short_or_mismatched_passphrase_creates_nothing(
    new_folder: Workspace, first: str, again: str, said: str
) -> None:
    app = make_app(new_folder, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, first)
        await pilot.press("enter")
        await type_in(pilot, again)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FirstStartScreen)
        assert said in words(app)
        assert new_folder.state() is FolderState.NEW
    assert not (Path("data") / DATABASE_NAME).exists()
    assert not KeyFile.exists(Path("data"))


async def test_after_a_too_short_passphrase_every_key_still_reaches_a_box(new_folder: Workspace) -> None:
    """The sequence a new facilitator typed: a short passphrase, Tab, again, then Shift+Tab and Ctrl+U."""
    app = make_app(new_folder, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        first, again = app.screen.query_one("#new-passphrase", Input), app.screen.query_one("#again", Input)
        await pilot.press("c", "a", "t", "enter")
        assert app.focused is first and "at least 8 characters" in words(app)  # Enter stays: too short
        await pilot.press("tab", "c", "a", "t", "enter")
        assert first.value == "cat" and app.focused is first  # typed in the second box, then refused
        assert "at least 8 characters" in words(app)
        await pilot.press("shift+tab", "ctrl+u", "w", "o", "r", "d", "s")
        assert app.focused is again and again.value == "words"
        await pilot.press("shift+tab", "ctrl+u", "w", "o", "r", "d", "s")
        assert app.focused is first and first.value == "words"
        assert new_folder.state() is FolderState.NEW


async def test_the_explicit_choice_makes_an_unencrypted_folder_after_saying_what_it_means(
    new_folder: Workspace,
) -> None:
    app = make_app(new_folder, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        assert "Leave this data folder unencrypted?" in words(app)
        assert "anyone who gets" in words(app)
        await pilot.press("n")  # no: back, nothing made
        assert isinstance(app.screen, FirstStartScreen) and new_folder.state() is FolderState.NEW
        await pilot.press("f2", "y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert not new_folder.encrypted
    assert not KeyFile.exists(Path("data"))
    assert not is_encrypted(Path("data") / DATABASE_NAME)


async def test_the_first_start_offers_no_palette_and_no_blank(new_folder: Workspace) -> None:
    app = make_app(new_folder, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p", "ctrl+l")
        assert isinstance(app.screen, FirstStartScreen)
        assert "palette" not in words(app)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert (
            "No office",
            "until this laptop trusts one, a forgotten passphrase loses the data",
        ) in app.screen.notes
        assert [key for key, _what in app.screen.rows] == ["Enter", "F2", "F1", "Ctrl+Q"]  # no palette


# ---------------------------------------------------------------- unlocking


async def test_the_right_passphrase_opens_on_the_home_screen_and_a_wrong_one_does_not(
    locked_folder: Workspace,
) -> None:
    app = make_app(locked_folder, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, UnlockScreen)
        assert "Data folder: data" in words(app)
        await type_in(pilot, "not the passphrase")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "Wrong passphrase (1 wrong try). Try again." in words(app)
        assert locked_folder.state() is FolderState.LOCKED
        await type_in(pilot, TEST_PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert locked_folder.state() is FolderState.OPEN


async def test_from_the_third_wrong_try_each_costs_a_longer_wait(locked_folder: Workspace) -> None:
    clock = Clock()
    app = make_app(locked_folder, blink=False, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one("#passphrase", Input)
        for _ in range(2):
            await type_in(pilot, "wrong")
            await pilot.press("enter")
            await settle(pilot)
            assert not box.disabled  # the first two cost nothing
        await type_in(pilot, "wrong")
        await pilot.press("enter")
        await settle(pilot)
        assert box.disabled
        assert "Wrong passphrase (3 wrong tries). Try again in 2 s." in words(app)
        await pilot.press(*"typed")  # nothing is taken while waiting
        assert box.value == ""
        clock.now += 1
        unlock = app.screen
        assert isinstance(unlock, UnlockScreen)
        unlock.tick()
        await pilot.pause()
        assert "Try again in 1 s." in words(app) and box.disabled
        clock.now += 1
        for _ in range(20):  # the countdown's own timer ticks four times a second
            await pilot.pause(0.1)
            if not box.disabled:
                break
        assert not box.disabled and "Try again." in words(app)
        await type_in(pilot, "wrong again")
        await pilot.press("enter")
        await settle(pilot)
        assert "Try again in 4 s." in words(app)
        clock.now += 4
        unlock.tick()
        await pilot.pause()
        await type_in(pilot, TEST_PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.attempts.wrong == 0


async def test_the_screen_says_unlocking_while_the_key_is_derived_and_never_freezes(
    locked_folder: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    derived = threading.Event()
    unlock = locked_folder.unlock

    def slow_unlock(passphrase: str) -> None:
        assert derived.wait(10)
        unlock(passphrase)

    monkeypatch.setattr(locked_folder, "unlock", slow_unlock)
    app = make_app(locked_folder, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, TEST_PASSPHRASE)
        await pilot.press("enter")
        await pilot.pause()
        assert "Unlocking…" in words(app)  # drawn while the derivation runs in its thread
        assert app.screen.query_one("#passphrase", Input).disabled
        derived.set()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


def test_the_unlock_screen_says_whether_the_office_can_recover_the_folder(
    no_passphrase_in_environment: None, tmp_path: Path
) -> None:
    from tests.sync_helpers import join_office, make_office

    laptop = tmp_path / "laptop"
    with open_folder(laptop):
        pass
    assert recovery_sentence(Workspace(laptop)).startswith("No office can recover this folder yet")
    join_office(laptop, tmp_path / "office", make_office(tmp_path / "office", tmp_path / "office.key"))
    assert recovery_sentence(Workspace(laptop)).startswith("Forgotten it? The office can recover this folder")


def test_the_waits_double_from_the_third_wrong_try_up_to_a_minute() -> None:
    assert [wait_after(n) for n in range(1, 10)] == [0, 0, 2, 4, 8, 16, 32, 60, 60]


async def test_a_locked_folder_opens_on_the_wall_asked_for_once_unlocked(locked_folder: Workspace) -> None:
    with open_folder(Path("data")) as store:
        statement_set = locked_folder.catalogue().get("does-social-work-care")
        from facilitator.store import SessionDetails

        session = store.sessions.create(
            statement_set, SessionDetails(label="Group A", cohort="adults", setting="prison")
        )
    app = make_app(locked_folder, session.id[:8], blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Group A" not in words(app)
        await type_in(pilot, TEST_PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WallScreen)
        assert app.screen.session.id == session.id


# ---------------------------------------------------------------- the lock


async def test_the_idle_lock_keeps_a_half_typed_comment(open_workspace: Workspace) -> None:
    session_id = new_session(open_workspace)
    clock = Clock()
    app = make_app(open_workspace, session_id, blink=False, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", *"She listened")
        clock.now += 9 * 60
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, WallScreen)  # not yet: the setting is ten minutes
        clock.now += 60
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        shown = words(app)
        assert "facilitator is locked" in shown and "She listened" not in shown
        await type_in(pilot, TEST_PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WallScreen)
        await pilot.press(*" to me", "enter")
        await pilot.pause()
    assert [p.comment for p in open_workspace.store.postits.of(session_id)] == ["She listened to me"]


async def test_the_app_locks_by_itself_after_the_idle_time(open_workspace: Workspace) -> None:
    app = make_app(open_workspace, blink=False, idle_lock_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        for _ in range(30):
            await pilot.pause(0.1)
            if isinstance(app.screen, UnlockScreen):
                break
        assert isinstance(app.screen, UnlockScreen)


def test_the_idle_time_is_the_folders_setting(open_workspace: Workspace) -> None:
    app = make_app(open_workspace)
    assert app.idle_threshold() == 600
    set_idle_lock(open_workspace.store, 3)
    assert app.idle_threshold() == 180
    set_idle_lock(open_workspace.store, None)
    assert app.idle_threshold() is None


@pytest.mark.skipif(not hasattr(time, "CLOCK_BOOTTIME"), reason="a clock of Linux")
def test_the_idle_time_counts_while_the_laptop_sleeps(open_workspace: Workspace) -> None:
    """A lid closed for an hour and opened by someone else locks at once: the monotonic clock
    stops while the laptop sleeps, so the idle lock counts on the clock that does not."""
    app = make_app(open_workspace)
    assert app.clock is awake_clock
    assert abs(awake_clock() - time.clock_gettime(time.CLOCK_BOOTTIME)) < 1.0


async def test_ctrl_l_twice_locks_and_the_lock_offers_no_way_round(open_workspace: Workspace) -> None:
    session_id = new_session(open_workspace)
    app = make_app(open_workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        assert isinstance(app.screen, BlankScreen)
        await pilot.press("ctrl+l")
        assert isinstance(app.screen, UnlockScreen)
        await pilot.press("ctrl+p", "ctrl+l")  # no palette, no blank
        assert isinstance(app.screen, UnlockScreen)
        assert "I expect my social worker" not in words(app)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert any("Ctrl+L twice" in what for _note, what in app.screen.notes)
        app.notify("Adult focus group 1 exported")  # e.g. a sync finishing meanwhile: held back
        await pilot.pause()
        assert notifications(app) == []
        await pilot.press("escape")
        await type_in(pilot, TEST_PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WallScreen)  # the blank went with the lock
        assert notifications(app) == ["Adult focus group 1 exported"]


async def test_an_export_that_ends_while_locked_leaves_the_lock_up(open_workspace: Workspace) -> None:
    """A screen beneath the lock that closes itself (its export done) must not take the lock with it."""
    session_id = new_session(open_workspace)
    open_workspace.store.postits.add(session_id, 1, "agree", "She listened to me")
    app = make_app(open_workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        summary = app.screen
        assert isinstance(summary, ExportSummaryScreen)
        app.lock()  # the idle lock, just as the export was asked for
        await pilot.pause()
        summary.action_export("md")
        await settle(pilot)
        assert list(Path("data", "exports").iterdir())  # the export went on, and was written
        assert isinstance(app.screen, UnlockScreen)  # but the lock is still up
        assert "She listened" not in words(app) and notifications(app) == []
        await type_in(pilot, TEST_PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WallScreen)  # the summary screen closed, as it would have
        assert any(told.startswith("Saved ") for told in notifications(app))


async def test_a_screen_a_worker_brings_while_locked_waits_for_the_unlock(open_workspace: Workspace) -> None:
    """The export's warning lists names found in the comments: it must not show above the lock."""
    session_id = new_session(open_workspace)
    open_workspace.store.postits.add(session_id, 1, "agree", "ring me on 07700 900123")
    app = make_app(open_workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        summary = app.screen
        assert isinstance(summary, ExportSummaryScreen)
        app.lock()
        await pilot.pause()
        summary.action_export("md")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "07700" not in words(app)
        await type_in(pilot, TEST_PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportWarningScreen)  # asked once the facilitator is back
        assert "07700 900123" in words(app)
    assert not Path("data", "exports").exists()


@pytest.mark.parametrize("comment", ["She listened to me", "ring me on 07700 900123"])
async def test_an_export_that_ends_under_the_privacy_blank_leaves_the_blank_up(
    open_workspace: Workspace, comment: str
) -> None:
    """The blank hides the screen from the room: an export ending beneath it neither lifts it nor
    shows over it its warning (the phone number it found) or its notification."""
    session_id = new_session(open_workspace)
    open_workspace.store.postits.add(session_id, 1, "agree", comment)
    app = make_app(open_workspace, session_id, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        summary = app.screen
        assert isinstance(summary, ExportSummaryScreen)
        await pilot.press("ctrl+l")
        summary.action_export("md")
        await settle(pilot)
        assert isinstance(app.screen, BlankScreen)
        assert words(app) == "" and notifications(app) == []
        await pilot.press("space")  # any key: the facilitator is back, and so is what happened
        await pilot.pause()
        if "07700" in comment:
            assert isinstance(app.screen, ExportWarningScreen)
            assert "07700 900123" in words(app)
        else:
            assert isinstance(app.screen, WallScreen)
            assert any(told.startswith("Saved ") for told in notifications(app))


async def test_an_unencrypted_folder_has_no_lock(no_passphrase_in_environment: None) -> None:
    ws = Workspace(Path("data"))
    ws.create(None)
    clock = Clock()
    app = make_app(ws, blink=False, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l", "ctrl+l")
        assert isinstance(app.screen, HomeScreen)  # the second Ctrl+L brings it back, as before
        clock.now += 3600
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    ws.close()


async def test_participant_mode_blanks_instead_of_locking(open_workspace: Workspace) -> None:
    session_id = new_session(open_workspace)
    clock = Clock()
    app: FacilitatorApp = make_app(open_workspace, session_id, blink=False, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v", "enter", "2", *"my words")
        assert isinstance(app.screen, ParticipantScreen)
        clock.now += 3600
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, BlankScreen)
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, BlankScreen)  # and stays blank, never the unlock screen
        await pilot.press("ctrl+l")  # nor does Ctrl+L on the blank lock here: back to the participant
        assert isinstance(app.screen, ParticipantScreen)
        assert "my words" in words(app)
        await pilot.press("ctrl+l", "ctrl+l")
        assert isinstance(app.screen, ParticipantScreen)
        await pilot.press("enter")
    assert [p.comment for p in open_workspace.store.postits.of(session_id)] == ["my words"]


async def test_leaving_participant_mode_after_it_blanked_for_the_idle_time_asks_the_passphrase(
    open_workspace: Workspace,
) -> None:
    """A laptop left in participant mode blanks instead of locking; whoever leaves participant
    mode after that (the leave keys are no secret) meets the lock, not the wall."""
    session_id = new_session(open_workspace)
    clock = Clock()
    app = make_app(open_workspace, session_id, blink=False, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v", "enter")
        assert isinstance(app.screen, ParticipantScreen)
        clock.now += 3600
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, BlankScreen)
        await pilot.press("space")
        assert isinstance(app.screen, ParticipantScreen)  # the participants' screen, as before
        await pilot.press("ctrl+o", "e", "n", "d")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        await type_in(pilot, TEST_PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WallScreen)
        await pilot.press("v", "enter", "ctrl+o", "e", "n", "d")  # no idle time since: no lock
        await pilot.pause()
        assert isinstance(app.screen, WallScreen)


# ---------------------------------------------------------------- from the command line


@pytest.fixture
def app_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[FolderState, str | None]]:
    """Each run of the app the command line starts: the folder's state then, and the session asked for."""
    from facilitator.cli import core
    from facilitator.ui import app as app_module

    runs: list[tuple[FolderState, str | None]] = []
    monkeypatch.setattr(core, "app_can_run", lambda: True)
    monkeypatch.setattr(
        app_module, "run_app", lambda ws, session_id=None: runs.append((ws.state(), session_id))
    )
    return runs


def run_cli(*args: str) -> Result:
    from facilitator.cli import main

    return CliRunner().invoke(main, ["--data-dir", "data", *args], catch_exceptions=False)


def test_a_wrong_passphrase_in_the_environment_stops_before_the_app(
    locked_folder: Workspace, app_runs: list[tuple[FolderState, str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACILITATOR_PASSPHRASE", "not the passphrase")
    result = run_cli()
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["error: that passphrase is not right; nothing was changed"]
    assert app_runs == []


def test_the_right_passphrase_in_the_environment_opens_the_app_unlocked(
    locked_folder: Workspace, app_runs: list[tuple[FolderState, str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACILITATOR_PASSPHRASE", TEST_PASSPHRASE)
    assert run_cli().exit_code == 0
    assert app_runs == [(FolderState.OPEN, None)]


def test_open_on_a_locked_folder_leaves_the_session_to_the_app(
    locked_folder: Workspace, app_runs: list[tuple[FolderState, str | None]]
) -> None:
    assert run_cli("open", "Group A").exit_code == 0
    assert app_runs == [(FolderState.LOCKED, "Group A")]  # looked up once the app has unlocked it


def test_open_on_an_unlocked_folder_looks_the_session_up_first(
    locked_folder: Workspace, app_runs: list[tuple[FolderState, str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACILITATOR_PASSPHRASE", TEST_PASSPHRASE)
    result = run_cli("open", "no-such-session")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert app_runs == []


def test_no_passphrase_makes_a_new_folder_unencrypted_before_the_app(
    new_folder: Workspace, app_runs: list[tuple[FolderState, str | None]]
) -> None:
    assert run_cli("--no-passphrase").exit_code == 0
    assert app_runs == [(FolderState.OPEN, None)]
    assert not is_encrypted(Path("data") / DATABASE_NAME) and not KeyFile.exists(Path("data"))


def test_a_new_folder_is_left_to_the_first_start_screen(
    new_folder: Workspace, app_runs: list[tuple[FolderState, str | None]]
) -> None:
    assert run_cli().exit_code == 0
    assert app_runs == [(FolderState.NEW, None)]
    assert not Path("data", DATABASE_NAME).exists()
