"""The sync screen, the conflicts screen and the receipt, driven by keys; asserted on files and rows."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from facilitator.actions.data_folder import Workspace
from facilitator.core.clock import SYSTEM_CLOCK, Clock
from facilitator.exercise import receipt
from facilitator.store import Store
from facilitator.store.trust import TrustedDevice
from facilitator.sync import keys
from facilitator.sync import merge as sync
from facilitator.sync.bundle import BundleError
from facilitator.sync.signing import encode_key, public_key
from facilitator.sync.status import session_status, session_statuses
from facilitator.ui.app import FacilitatorApp, make_app
from facilitator.ui.screens.confirm import ConfirmScreen
from facilitator.ui.screens.conflicts import ConflictsScreen
from facilitator.ui.screens.receipt import ReceiptScreen
from facilitator.ui.screens.sync import SyncForm, SyncScreen
from tests.folders import open_folder
from tests.sync_helpers import introduce, read_back, take

from .conftest import SET_ID, new_session, screen_text, ticking_clock

SnapCompare = Callable[..., bool]
FIXED_DEVICE = "0d0d0d0d-1111-4222-8333-444444444444"
FIXED_SEED = base64.b64encode(bytes(range(32))).decode("ascii")


def laptop_with_a_session(folder: Path, clock: Clock = SYSTEM_CLOCK) -> tuple[Store, str]:
    """Another device's data folder: one session with two post-its."""
    store = open_folder(folder, clock=clock)
    statement_set = Workspace(folder).catalogue().get(SET_ID)
    from facilitator.store import SessionDetails

    session = store.sessions.create(
        statement_set, SessionDetails(label="From the laptop", cohort="adults", setting="prison")
    )
    store.postits.add(session.id, 1, "agree", "[bold]kept[/bold] as typed")
    store.postits.add(session.id, 2, "disagree")
    return store, session.id


def enrol_without_the_clock(office: Store, laptop: Store) -> None:
    """The office enrols the laptop, without reading the office's clock (its snapshot's times stay)."""
    key = encode_key(public_key(laptop.trust.seed()))
    office.trust.put(TrustedDevice(laptop.device_id, "laptop", key, "", "2010-03-04T08:00:00.000000Z"))


async def run_form(pilot: Pilot[Any], key: str, **values: str) -> None:
    """Open a sync form with `key`, fill its boxes, press Enter, and wait for the worker."""
    app = pilot.app
    await pilot.press(key)
    assert isinstance(app.screen, SyncForm)
    for name, value in values.items():
        app.screen.query_one(f"#{name}", Input).value = value
    app.screen.query_one(Input).focus()
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_export_from_the_sync_screen_writes_an_encrypted_bundle(
    workspace: Workspace, session_id: str, tmp_path: Path
) -> None:
    workspace.store.postits.add(session_id, 1, "agree", "said in the room")
    introduce(workspace.store)  # so that the test can check the bundle's signature
    identity = tmp_path / "office.key"
    keys.trust(workspace.store, keys.new_identity(identity))
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, SyncScreen)
        await run_form(pilot, "x")  # the default folder: bundles/ in the data folder
        assert "written into" in screen_text(app) and "encrypted" in screen_text(app)
        # What it carries, in the room's words: never a table's name.
        assert "1 session, 1 post-it" in screen_text(app) and "postits" not in screen_text(app)
    (written,) = (workspace.data_dir / "bundles").iterdir()
    with pytest.raises(BundleError, match="is encrypted"):
        read_back(written)  # encrypted: unreadable without the office's identity
    read = read_back(written, keys.load_identities(identity))
    postits = {t.table: t for t in read.tables}["postits"]
    assert [row[postits.columns.index("comment")] for row in postits.rows] == ["said in the room"]
    (session,) = workspace.store.sessions.all()
    assert session_status(workspace.store, session.id).status == "exported"  # not confirmed: no ✓


async def test_import_from_the_sync_screen_merges_a_laptop_s_bundle(
    workspace: Workspace, tmp_path: Path
) -> None:
    identity = tmp_path / "office.key"
    recipient = keys.new_identity(identity)
    laptop, session_id = laptop_with_a_session(tmp_path / "laptop")
    introduce(workspace.store, laptop)  # the office enrolled the laptop
    made = sync.export_bundle(laptop, tmp_path, recipients=[recipient])
    laptop.close()
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await run_form(pilot, "i", files=str(made.path), identity=str(identity))
        shown = screen_text(app)
        assert "added 4, updated 0, unchanged 0, conflicted 0" in shown, shown
    comments = sorted(p.comment for p in workspace.store.postits.of(session_id))
    assert comments == ["", "[bold]kept[/bold] as typed"]
    assert session_id not in session_statuses(workspace.store)  # another device's rows: nothing to send
    assert workspace.store.meta.get("ui.sync.identity") == str(identity)


async def test_an_encrypted_bundle_without_the_identity_is_one_line_and_changes_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    laptop, _session_id = laptop_with_a_session(tmp_path / "laptop")
    introduce(workspace.store, laptop)
    sync.export_bundle(laptop, tmp_path, recipients=[keys.new_identity(tmp_path / "k")])
    laptop.close()
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await run_form(pilot, "i", files=str(tmp_path / "*.bundle"), identity="")
        assert "is encrypted: give the office's identity file to read it" in screen_text(app)
    assert workspace.store.sessions.all() == []


async def test_resolving_a_conflict_in_the_conflicts_screen_takes_the_other_version(
    workspace: Workspace, tmp_path: Path
) -> None:
    office = workspace.store
    laptop, session_id = laptop_with_a_session(tmp_path / "laptop")
    introduce(office, laptop)
    usb = tmp_path / "usb"
    usb.mkdir()
    take(office, sync.export_bundle(laptop, usb, plaintext=True).path)
    postit = laptop.postits.of(session_id, 1)[0]
    office.postits.edit(postit.id, "the office's <b>reading</b>")
    laptop.postits.edit(postit.id, "the laptop's later words")
    take(office, sync.export_bundle(laptop, usb, plaintext=True).path)
    laptop.close()
    assert office.postits.get(postit.id).comment == "the laptop's later words"
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "1 sync conflict to review" in screen_text(app)
        await pilot.press("s", "k")
        assert isinstance(app.screen, ConflictsScreen)
        shown = screen_text(app)
        assert "post-it 'the laptop's later words' on statement 1 of 'From the laptop'" in shown
        assert "the office's <b>reading</b>" in shown  # both versions, side by side, literally
        await pilot.press("t")
        assert "none: nothing to review" in screen_text(app)
    assert office.postits.get(postit.id).comment == "the office's <b>reading</b>"
    assert sync.conflicts(office) == []


async def test_closing_a_session_offers_its_receipt(workspace: Workspace, session_id: str) -> None:
    workspace.store.postits.add(session_id, 1, "agree", "yes")
    app: FacilitatorApp = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        assert workspace.store.sessions.get(session_id).is_closed
        assert isinstance(app.screen, ConfirmScreen) and "Show its receipt now?" in screen_text(app)
        await pilot.press("y")
        assert isinstance(app.screen, ReceiptScreen)
        expected = receipt.make_receipt(workspace.store, workspace.store.sessions.get(session_id)).text
        assert app.screen.text == expected
        shown = screen_text(app)
        assert "The QR code is 31 lines tall" in shown and "Scroll" in shown  # too tall for 80x24
        assert "▀" in shown or "▄" in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, ReceiptScreen)


def test_the_sync_screen(workspace: Workspace, snap_compare: SnapCompare) -> None:
    new_session(workspace)
    workspace.store.meta.set("device_id", FIXED_DEVICE)
    workspace.store.device_id = FIXED_DEVICE
    workspace.store.meta.set("signing_seed", FIXED_SEED)

    async def open_sync(pilot: Pilot[Any]) -> None:
        await pilot.press("s")

    assert snap_compare(make_app(workspace, blink=False), terminal_size=(80, 24), run_before=open_sync)


def test_the_export_form(still_workspace: Workspace, snap_compare: SnapCompare) -> None:
    new_session(still_workspace)
    still_workspace.store.meta.set("signing_seed", FIXED_SEED)
    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24), press=["s", "x"])


def test_the_conflicts_screen(still_workspace: Workspace, tmp_path: Path, snap_compare: SnapCompare) -> None:
    """One post-it edited on both devices: its two versions side by side, with when and where."""
    office = still_workspace.store
    laptop_clock = ticking_clock(datetime(2010, 3, 4, 9, 0, tzinfo=UTC))
    laptop, session_id = laptop_with_a_session(tmp_path / "laptop", clock=laptop_clock)
    enrol_without_the_clock(office, laptop)
    usb = tmp_path / "usb"
    usb.mkdir()
    take(office, sync.export_bundle(laptop, usb, plaintext=True).path)
    postit = laptop.postits.of(session_id, 1)[0]
    office.postits.edit(postit.id, "the office's <b>reading</b>")
    laptop.postits.edit(postit.id, "the laptop's later words")
    take(office, sync.export_bundle(laptop, usb, plaintext=True).path)
    laptop.close()
    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24), press=["k"])


def test_the_receipt_of_a_closed_session(still_workspace: Workspace, snap_compare: SnapCompare) -> None:
    session_id = new_session(still_workspace)
    for key, comment in (("agree", "yes"), ("agree", ""), ("disagree", "never")):
        still_workspace.store.postits.add(session_id, 1, key, comment)
    still_workspace.store.sessions.close(session_id)
    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24), press=["r"])
