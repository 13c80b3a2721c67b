"""Trust on the sync screen: codes as text and QR, the office's laptops, and plaintext only on purpose.

Enrolling and revoking go through the devices screen and are asserted on
`store.trust`; unencrypted bundles are imported only after a yes, asserted on rows.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from facilitator.actions import sync as actions
from facilitator.actions.data_folder import Workspace
from facilitator.store import SessionDetails, Store
from facilitator.store.trust import TrustedDevice
from facilitator.sync import merge as sync
from facilitator.sync.signing import EnrolmentCode, encode_key, public_key
from facilitator.ui.app import make_app
from facilitator.ui.screens.code import CodeScreen
from facilitator.ui.screens.confirm import ConfirmScreen
from facilitator.ui.screens.devices import DevicesScreen
from facilitator.ui.screens.sync import SyncScreen
from facilitator.ui.screens.sync_form import SyncForm
from tests.folders import open_folder

from .conftest import SET_ID
from .conftest import screen_text as screen_lines

SnapCompare = Callable[..., bool]
# A real age recipient (its identity is thrown away): the office code of a snapshot stays put.
FIXED_RECIPIENT = "age1k7mhyx5x93spkmrrldma4v2peeapd0wkpzykx05uh6xx538u74us6qygjg"


def fixed_seed(n: int) -> bytes:
    return bytes((n + i) % 256 for i in range(32))


def fix_keys(store: Store, n: int = 1) -> None:
    """This device's signing key, the same on every run (its id comes from `fixed_ids`)."""
    store.meta.set("signing_seed", base64.b64encode(fixed_seed(n)).decode("ascii"))


def fixed_laptop(n: int) -> EnrolmentCode:
    """The enrolment code of a laptop that needs no data folder."""
    device_id = f"{n:08x}-aaaa-4bbb-8ccc-{n:012x}"
    return EnrolmentCode(device_id, encode_key(public_key(fixed_seed(100 + n))))


def as_office(ws: Workspace, tmp_path: Path) -> None:
    actions.make_office(ws.store, tmp_path / "office.key")


def laptop_of(office: Workspace, folder: Path, label: str = "") -> Store:
    """A laptop's data folder with one session of two post-its, enrolled at the office."""
    laptop = open_folder(folder)
    statement_set = Workspace(folder).catalogue().get(SET_ID)
    session = laptop.sessions.create(
        statement_set, SessionDetails(label="From the laptop", cohort="adults", setting="prison")
    )
    laptop.postits.add(session.id, 1, "agree", "said on the laptop")
    laptop.postits.add(session.id, 2, "disagree")
    actions.enrol_device(office.store, str(actions.enrolment_code(laptop)), label)
    return laptop


def screen_text(app: Any) -> str:
    """The screen's words on one line, so that a sentence wrapped in a box still reads as one."""
    return " ".join(screen_lines(app).replace("┃", " ").split())


async def open_sync(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press("s", *keys)
    await pilot.pause()


async def fill(pilot: Pilot[Any], **values: str) -> None:
    """Fill the open form's boxes and press Enter in the first."""
    screen = pilot.app.screen
    assert isinstance(screen, SyncForm)
    for name, value in values.items():
        screen.query_one(f"#{name}", Input).value = value
    screen.query_one(Input).focus()
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# ---------------------------------------------------------------- the sync screen's facts


async def test_a_laptop_without_an_office_is_told_how_to_trust_one(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot)
        shown = screen_text(app)
        assert "laptop: sends its bundles to the office" in shown
        assert actions.enrolment_code(workspace.store).fingerprint in shown
        assert "none trusted yet" in shown and "press r and paste the office code" in shown


async def test_trusting_the_office_from_the_sync_screen_shows_its_fingerprint(
    workspace: Workspace, tmp_path: Path
) -> None:
    with open_folder(tmp_path / "office") as office:
        code, _previous = actions.make_office(office, tmp_path / "office.key")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot, "r")
        await fill(pilot, recipient=str(code))
        shown = screen_text(app)
        assert f"{code.device_id[:8]}, fingerprint {code.fingerprint}" in shown
        assert "press r and paste the office code" not in shown
    trusted = actions.trusted_office(workspace.store)
    assert trusted is not None and trusted.device_id == code.device_id and trusted.role == "office"


# ---------------------------------------------------------------- the code screen


async def test_a_laptop_shows_its_enrolment_code_and_says_when_the_qr_code_does_not_fit(
    workspace: Workspace,
) -> None:
    code = actions.enrolment_code(workspace.store)
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot, "e")
        screen = app.screen
        assert isinstance(screen, CodeScreen) and screen.text == str(code)
        shown = screen_text(app)
        assert str(code)[:60] in shown and "read the fingerprint aloud" in shown
        assert " ".join(code.fingerprint[:4]) in shown  # spaced out, to read aloud
        assert "does not fit in this window (80x24): make the window at least 94x27" in shown
        assert not screen.fits() and "▀" not in shown
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sync(pilot, "e")
        assert app.screen.fits() and "▀" in screen_text(app)  # type: ignore[attr-defined]


async def test_the_office_shows_its_office_code_with_a_qr_code_in_a_big_window(
    workspace: Workspace, tmp_path: Path
) -> None:
    as_office(workspace, tmp_path)
    code = actions.office_code(workspace.store)
    assert code is not None
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await open_sync(pilot, "e")
        screen = app.screen
        assert isinstance(screen, CodeScreen) and screen.text == str(code)
        assert screen.fits() and screen.needed() == (102, 31)
        shown = screen_text(app)
        assert "Office code" in shown and "press r and paste it" in shown and "█" in shown


# ---------------------------------------------------------------- the office's laptops


async def test_enrolling_a_laptop_in_the_devices_screen_stores_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    as_office(workspace, tmp_path)
    laptop = fixed_laptop(7)
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot, "d")
        assert isinstance(app.screen, DevicesScreen)
        await pilot.press("e")
        await fill(pilot, code=str(laptop).replace(":", ": ", 1), label="  Leeds   laptop 2 ")
        assert isinstance(app.screen, DevicesScreen)
        shown = screen_text(app)
        assert laptop.fingerprint in shown and "enrolled" in shown and "Leeds laptop 2" in shown
    (stored,) = workspace.store.trust.all()
    assert (stored.device_id, stored.role, stored.label) == (laptop.device_id, "laptop", "Leeds laptop 2")
    assert stored.public_key == laptop.public_key and not stored.revoked


async def test_a_mistyped_enrolment_code_is_refused_in_the_form(workspace: Workspace, tmp_path: Path) -> None:
    as_office(workspace, tmp_path)
    code = str(fixed_laptop(7))
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot, "d", "e")
        await fill(pilot, code=code[:-1] + ("A" if code[-1] != "A" else "B"))
        assert isinstance(app.screen, SyncForm)
        assert "its fingerprint does not match" in screen_text(app)
        await fill(pilot, code=str(actions.office_code(workspace.store)))
        assert "that is an office code" in screen_text(app)
        # A label that looks like a device id is refused in the form, the pasted code kept.
        await fill(pilot, code=code, label="aaaa2222")
        assert isinstance(app.screen, SyncForm)
        assert "looks like a device id" in screen_text(app)
        assert app.screen.query_one("#code", Input).value == code
        await pilot.press("escape")
    assert workspace.store.trust.all() == []


async def test_revoking_a_laptop_asks_first_then_marks_it_revoked(
    workspace: Workspace, tmp_path: Path
) -> None:
    as_office(workspace, tmp_path)
    laptop = fixed_laptop(3)
    actions.enrol_device(workspace.store, str(laptop), "Leeds laptop 2")
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot, "d", "r")
        assert isinstance(app.screen, ConfirmScreen)
        shown = screen_text(app)
        assert f"Revoke laptop {laptop.device_id[:8]} 'Leeds laptop 2'" in shown
        assert "refuse every bundle from it" in shown
        await pilot.press("n")
        assert not workspace.store.trust.get(laptop.device_id).revoked  # type: ignore[union-attr]
        await pilot.press("r", "y")
        assert isinstance(app.screen, DevicesScreen)
        assert "revoked" in screen_text(app)
    (stored,) = workspace.store.trust.all()
    assert stored.revoked and stored.revoked_at is not None


async def test_a_laptop_cannot_enrol_laptops(workspace: Workspace) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot, "d")
        assert "not the office" in screen_text(app)
        await pilot.press("e")
        assert isinstance(app.screen, DevicesScreen)
    assert workspace.store.trust.all() == []


# ---------------------------------------------------------------- plaintext only on purpose


def postit_comments(store: Store) -> list[str]:
    return sorted(p.comment for s in store.sessions.all() for p in store.postits.of(s.id))


async def test_unencrypted_bundles_are_imported_after_a_yes(workspace: Workspace, tmp_path: Path) -> None:
    as_office(workspace, tmp_path)
    laptop = laptop_of(workspace, tmp_path / "laptop")
    made = sync.export_bundle(laptop, tmp_path / "usb", plaintext=True)
    laptop.close()
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot, "i")
        await fill(pilot, files=str(made.path), identity="")
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question.plain
        assert question == (
            "1 bundle is not encrypted: anyone could have read or changed it on the way. "
            "It is still signed by an enrolled laptop. Import it anyway?"
        )
        assert postit_comments(workspace.store) == []  # nothing before the answer
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "added 4" in screen_text(app)
    assert postit_comments(workspace.store) == ["", "said on the laptop"]


async def test_unencrypted_bundles_are_left_after_a_no(workspace: Workspace, tmp_path: Path) -> None:
    as_office(workspace, tmp_path)
    laptop = laptop_of(workspace, tmp_path / "laptop")
    made = sync.export_bundle(laptop, tmp_path / "usb", plaintext=True)
    laptop.close()
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot, "i")
        await fill(pilot, files=str(made.path), identity="")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        shown = screen_text(app)
        assert "Nothing imported from the unencrypted bundles" in shown and made.path.name[:40] in shown
    assert workspace.store.sessions.all() == []
    assert workspace.store.sync.imports_by_device() == {}


async def test_a_folder_sync_asks_before_importing_unencrypted_bundles(
    workspace: Workspace, tmp_path: Path
) -> None:
    as_office(workspace, tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    for n in (1, 2):
        laptop = laptop_of(workspace, tmp_path / f"laptop{n}")
        sync.export_bundle(laptop, usb, plaintext=True)
        laptop.close()
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(pilot, "f")
        await fill(pilot, folder=str(usb), identity=str(tmp_path / "office.key"))
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.plain.startswith(
            "2 bundles are not encrypted: anyone could have read or changed them on the way. They are "
        )
        assert workspace.store.sessions.all() == []
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert postit_comments(workspace.store) == ["", "", "said on the laptop", "said on the laptop"]


# ---------------------------------------------------------------- snapshots at 80x24


def test_the_enrolment_code(still_workspace: Workspace, snap_compare: SnapCompare) -> None:
    fix_keys(still_workspace.store)
    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24), press=["s", "e"])


def test_the_office_code_with_its_qr_code(still_workspace: Workspace, snap_compare: SnapCompare) -> None:
    fix_keys(still_workspace.store)
    still_workspace.store.trust.set_office_recipient(FIXED_RECIPIENT)
    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(110, 34), press=["s", "e"])


def test_the_office_code_at_80x24_says_how_big_a_window_shows_its_qr_code(
    still_workspace: Workspace, snap_compare: SnapCompare
) -> None:
    fix_keys(still_workspace.store)
    still_workspace.store.trust.set_office_recipient(FIXED_RECIPIENT)
    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24), press=["s", "e"])


def test_the_devices_screen(still_workspace: Workspace, snap_compare: SnapCompare) -> None:
    store = still_workspace.store
    fix_keys(store)
    store.trust.set_office_recipient(FIXED_RECIPIENT)
    actions.enrol_device(store, str(fixed_laptop(1)), "Leeds laptop 1")
    actions.enrol_device(store, str(fixed_laptop(2)), "Community <b>[red]van[/red]")
    actions.revoke_device(store, fixed_laptop(1).device_id)
    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24), press=["s", "d"])


def test_the_plaintext_question(still_workspace: Workspace, snap_compare: SnapCompare) -> None:
    """The sync screen's question before importing unencrypted bundles."""
    fix_keys(still_workspace.store)

    async def ask(pilot: Pilot[Any]) -> None:
        await pilot.press("s")
        screen = pilot.app.screen
        assert isinstance(screen, SyncScreen)
        from facilitator.ui.screens.sync import JobResult

        screen._ask_plaintext(JobResult("Import", plaintext=[Path("a.bundle"), Path("b.bundle")]))
        await pilot.pause()

    assert snap_compare(make_app(still_workspace, blink=False), terminal_size=(80, 24), run_before=ask)


def test_enrolled_laptops_are_trusted_devices(workspace: Workspace, tmp_path: Path) -> None:
    """The devices screen lists what `store.trust` holds, as the command line does."""
    as_office(workspace, tmp_path)
    actions.enrol_device(workspace.store, str(fixed_laptop(5)), "x")
    (entry,) = actions.enrolled_devices(workspace.store)
    assert isinstance(entry.device, TrustedDevice) and entry.fingerprint == fixed_laptop(5).fingerprint
