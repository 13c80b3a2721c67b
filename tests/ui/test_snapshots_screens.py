"""The screens not shown elsewhere, at a laptop's 80x24, with fixed data; and a check that every
screen has a snapshot at 80x24.

Dates, labels and comments are fixed; a screen that shows an id or a stamp uses the
`still_workspace`, whose ids count up from 1 and whose clock starts in 2010.
After a deliberate change, look at the report and run `pytest --snapshot-update`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

import facilitator.ui.screens
from facilitator.actions.data_folder import Workspace
from facilitator.ui.app import make_app
from tests.five_sessions import build

from .conftest import new_session

SnapCompare = Callable[..., bool]
SNAPSHOTS = Path(__file__).parent / "__snapshots__"

# Every screen class, and the 80x24 snapshot test (module::test) that shows it.
SNAPSHOT_OF_SCREEN = {
    "BlankScreen": "test_ui_snapshots::test_blank[80x24]",
    "ChartsScreen": "test_ui_snapshots::test_charts[80x24]",
    "CodeScreen": "test_ui_trust::test_the_enrolment_code",
    "ConfirmScreen": "test_snapshots_screens::test_confirm_receipt_after_closing",
    "ConfirmDeleteScreen": "test_snapshots_screens::test_confirm_delete_half_typed",
    "ConflictsScreen": "test_ui_sync::test_the_conflicts_screen",
    "DevicesScreen": "test_ui_trust::test_the_devices_screen",
    "DiscussionScreen": "test_snapshots_discussion::test_discussion_screen",
    "ExportSummaryScreen": "test_snapshots_screens::test_export_summary_chooser",
    "ExportWarningScreen": "test_ui_export_warning::test_the_warning_at_80x24",
    "FirstStartScreen": "test_snapshots_unlock::test_first_start",
    "HelpScreen": "test_snapshots_screens::test_help_over_the_wall",
    "HomeScreen": "test_ui_snapshots::test_home[80x24]",
    "ParticipantIntro": "test_snapshots_screens::test_participant_intro",
    "ParticipantScreen": "test_ui_snapshots::test_participant_mode[80x24]",
    "PoolForm": "test_snapshots_screens::test_pool_form",
    "PseudonymScreen": "test_snapshots_discussion::test_pseudonym_map",
    "ReceiptScreen": "test_ui_sync::test_the_receipt_of_a_closed_session",
    "RosterScreen": "test_snapshots_discussion::test_roster",
    "ParticipantForm": "test_snapshots_discussion::test_participant_form",
    "SessionFormScreen": "test_snapshots_screens::test_session_form_with_a_problem",
    "SyncForm": "test_ui_sync::test_the_export_form",
    "SyncScreen": "test_ui_sync::test_the_sync_screen",
    "ThemesScreen": "test_snapshots_discussion::test_themes_view",
    "ThemeNotesScreen": "test_snapshots_discussion::test_theme_notes",
    "UnlockScreen": "test_snapshots_unlock::test_unlock",
    "WallScreen": "test_ui_snapshots::test_wall_with_25_cards[80x24]",
}


def sessions(ws: Workspace) -> str:
    """Two sessions of one consultation, the first with five post-its; returns the first."""
    first = new_session(ws, consultation="Does social work care? 2010")
    for number, (key, comment) in enumerate(
        [("agree", "She listened"), ("disagree", ""), ("agree", "Only once"), ("neutral", ""), ("agree", "")]
    ):
        ws.store.postits.add(first, number % 2 + 1, key, comment)
    new_session(ws, "Adult focus group 2", date="2010-02-03", consultation="Does social work care? 2010")
    return first


def test_session_form_with_a_problem(snap_compare: SnapCompare, workspace: Workspace) -> None:
    sessions(workspace)

    async def fill(pilot: Pilot[Any]) -> None:
        await pilot.press("n")
        screen = pilot.app.screen
        screen.query_one("#date", Input).value = "2010-03-11"  # not today: the snapshot stays put
        screen.query_one("#cohort", Input).value = "young offenders"
        await pilot.press(*"Adult focus group 3", "enter")  # no setting chosen: the form says so

    assert snap_compare(make_app(workspace, blink=False), terminal_size=(80, 24), run_before=fill)


def test_confirm_receipt_after_closing(snap_compare: SnapCompare, workspace: Workspace) -> None:
    sessions(workspace)
    assert snap_compare(make_app(workspace, blink=False), terminal_size=(80, 24), press=["c"])


def test_confirm_delete_half_typed(snap_compare: SnapCompare, workspace: Workspace) -> None:
    sessions(workspace)
    assert snap_compare(make_app(workspace, blink=False), terminal_size=(80, 24), press=["d", *"Adult fo"])


def test_export_summary_chooser(snap_compare: SnapCompare, workspace: Workspace) -> None:
    first = sessions(workspace)
    assert snap_compare(make_app(workspace, first, blink=False), terminal_size=(80, 24), press=["x"])


def test_help_over_the_wall(snap_compare: SnapCompare, workspace: Workspace) -> None:
    first = sessions(workspace)
    assert snap_compare(make_app(workspace, first, blink=False), terminal_size=(80, 24), press=["?"])


def test_participant_intro(snap_compare: SnapCompare, workspace: Workspace) -> None:
    first = sessions(workspace)
    assert snap_compare(make_app(workspace, first, blink=False), terminal_size=(80, 24), press=["v"])


def test_pool_form(snap_compare: SnapCompare, workspace: Workspace) -> None:
    five = build(workspace.store)

    async def pool(pilot: Pilot[Any]) -> None:
        await pilot.press("c", "o", *"Focus groups 1 & 4")

    app = make_app(workspace, five["Adult focus group 1"].id, blink=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=pool)


# ---------------------------------------------------------------- every screen has one


def screen_classes() -> set[str]:
    """The names of the Screen subclasses defined in `facilitator/ui/screens/`."""
    found: set[str] = set()
    for module_info in pkgutil.iter_modules(facilitator.ui.screens.__path__):
        module = importlib.import_module(f"facilitator.ui.screens.{module_info.name}")
        for name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Screen) and value.__module__ == module.__name__:
                found.add(name)
    return found


def test_every_screen_has_a_snapshot_at_80x24() -> None:
    assert screen_classes() == set(SNAPSHOT_OF_SCREEN)
    for screen, test in SNAPSHOT_OF_SCREEN.items():
        module_name, test_name = test.split("::")
        module = importlib.import_module(f"tests.ui.{module_name}")
        function = getattr(module, test_name.split("[")[0], None)
        assert callable(function), f"{screen}: no test {test}"
        at_80x24 = test_name.endswith("[80x24]") or "terminal_size=(80, 24)" in inspect.getsource(function)
        assert at_80x24, f"{screen}: {test} is not at 80x24"
        stored = SNAPSHOTS / module_name / f"{test_name}.svg"
        assert stored.is_file(), f"{screen}: no stored snapshot {stored.name}"
