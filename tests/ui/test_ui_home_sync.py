"""The sessions screen says how far each session is on its way to the office, in words.

`not sent` (changed here since a bundle carried it), `sent, awaiting office` (a bundle
carried it, no acknowledgement yet) and `✓ at office 05 Mar` (the office's signed
acknowledgement came back on the stick). Only a confirmed session has the ✓.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from facilitator.actions import sync as actions
from facilitator.actions.data_folder import Workspace
from facilitator.sync.status import session_statuses
from facilitator.ui.app import make_app
from tests.folders import open_folder

from .conftest import new_session, screen_text, ticking_clock
from .test_ui_sync import run_form

SnapCompare = Callable[..., bool]


def three_statuses(ws: Workspace, tmp_path: Path) -> dict[str, str]:
    """Three sessions on a laptop enrolled at a real office: confirmed, exported and local.

    Returns the session ids by the status each should have. The office's clock is fixed
    too, so the date of its acknowledgement is the same on every run.
    """
    laptop, stick, identity = ws.store, tmp_path / "stick", tmp_path / "office.key"
    stick.mkdir()
    office = open_folder(tmp_path / "office", clock=ticking_clock(datetime(2010, 3, 5, 9, 0, tzinfo=UTC)))
    try:
        code, _previous = actions.make_office(office, identity)
        actions.trust_office(laptop, str(code))
        actions.enrol_device(office, str(actions.enrolment_code(laptop)), "Laptop 1")
        confirmed = new_session(ws, "Young offenders group 1", date="2010-01-12")
        exported = new_session(ws, "Adult focus group 2", date="2010-02-03")
        laptop.postits.add(confirmed, 1, "agree", "She actually listened to me")
        laptop.postits.add(exported, 1, "disagree")
        actions.sync_folder(laptop, stick)  # both go on the stick
        actions.sync_folder(office, stick, identity)  # the office imports them and acknowledges both
        laptop.postits.add(exported, 2, "agree")  # changed since: the acknowledgement no longer covers it
        actions.sync_folder(laptop, stick)  # reads the acknowledgement, sends the changed one again
        local = new_session(ws, "Adult focus group 3", date="2010-03-04")
    finally:
        office.close()
    return {"confirmed": confirmed, "exported": exported, "local": local}


async def test_each_session_says_where_it_stands_with_the_office(still_workspace: Workspace, tmp_path):
    ids = three_statuses(still_workspace, tmp_path)
    found = session_statuses(still_workspace.store)
    assert {status: found[session].status for status, session in ids.items()} == {
        "confirmed": "confirmed",
        "exported": "exported",
        "local": "local",
    }
    app = make_app(still_workspace, blink=False)
    async with app.run_test(size=(100, 24)):
        lines = screen_text(app).splitlines()
        said = {
            label: next(line for line in lines if label in line)
            for label in ("group 1", "group 2", "group 3")
        }
        assert "open · ✓ at office 05 Mar" in said["group 1"]
        assert "open · sent, awaiting office" in said["group 2"] and "✓" not in said["group 2"]
        assert "open · not sent" in said["group 3"] and "✓" not in said["group 3"]


def test_the_sessions_screen_with_the_three_statuses(
    snap_compare: SnapCompare, still_workspace: Workspace, tmp_path: Path
) -> None:
    three_statuses(still_workspace, tmp_path)
    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24))


async def test_f_puts_the_session_on_the_stick_and_reads_the_office_s_acknowledgement(
    workspace: Workspace, tmp_path: Path
) -> None:
    laptop, stick, identity = workspace.store, tmp_path / "stick", tmp_path / "office.key"
    stick.mkdir()
    session = new_session(workspace, "Adult focus group 1")
    laptop.postits.add(session, 1, "agree")
    with open_folder(tmp_path / "office") as office:
        code, _previous = actions.make_office(office, identity)
        actions.trust_office(laptop, str(code))
        actions.enrol_device(office, str(actions.enrolment_code(laptop)), "Laptop 1")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await run_form(pilot, "f", folder=str(stick))
        shown = screen_text(app)
        assert "1 session(s) on the stick for the office; 0 confirmed by it." in shown, shown
        assert "only once this bundle reaches the office" in shown
        assert session_statuses(laptop)[session].status == "exported"
        with open_folder(tmp_path / "office") as office:
            actions.sync_folder(office, stick, identity)  # at the office, with the same stick
        await run_form(pilot, "f", folder=str(stick))
        shown = screen_text(app)
        assert "The office's acknowledgement confirmed 1 session(s)." in shown, shown
        assert "1 of 1 session confirmed" in shown
        assert session_statuses(laptop)[session].status == "confirmed"
        await pilot.press("escape")
        assert "open · ✓ at office" in screen_text(app)
