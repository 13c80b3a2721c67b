"""The command line and the app call the same use cases, so they give the same result.

Each test does one thing through both front ends where they once differed, and
compares what each left in the database (or said).
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select

from facilitator.actions.data_folder import Workspace
from facilitator.discussion import codebook
from facilitator.store import Store
from facilitator.ui.app import make_app
from facilitator.ui.screens.confirm import ConfirmScreen
from facilitator.ui.screens.export_summary import ExportSummaryScreen
from facilitator.ui.screens.export_warning import ExportWarningScreen
from facilitator.ui.screens.session_form import SessionFormScreen
from facilitator.ui.screens.sync import SyncForm, SyncScreen
from tests.conftest import Cli
from tests.sync_helpers import bundles_split_from_parents, open_store

from .conftest import SET_ID, new_session, screen_text

PHONE = "07700 900123"


def theme_names(store: Store) -> list[str]:
    (session,) = store.sessions.all()
    return sorted(t.name for t in codebook.themes(store, codebook.Codebook.of(session)))


async def test_the_form_and_the_command_line_seed_the_same_codebook(
    workspace: Workspace, tmp_path: Path
) -> None:
    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 30)) as pilot:
        form = SessionFormScreen(workspace, blink=False)
        await app.push_screen(form)
        form.query_one("#set", Select).value = SET_ID
        form.query_one("#label", Input).value = "Adult focus group 1"
        form.query_one("#cohort", Input).value = "adults"
        form.query_one("#setting", Select).value = "community"
        form.query_one("#participants", Input).value = "7"
        await pilot.pause()
        form.action_save()
        await pilot.pause()
    from_the_form = theme_names(workspace.store)

    cli = Cli(tmp_path / "by-command")
    args = ("--set", SET_ID, "--label", "Adult focus group 1", "--cohort", "adults", "--setting", "community")
    assert cli("session", "new", *args).exit_code == 0
    with open_store(tmp_path / "by-command") as store:
        from_the_command_line = theme_names(store)

    assert from_the_form == from_the_command_line
    assert len(from_the_form) == len(workspace.catalogue().get(SET_ID).themes)


async def test_both_front_ends_import_a_bundle_whose_parents_come_in_another(
    workspace: Workspace, tmp_path: Path
) -> None:
    open_store(tmp_path / "by-command").close()  # both data folders enrol the laptop beside them
    workspace.store.meta.get("device_id")
    children, parents, session_id = bundles_split_from_parents(tmp_path / "laptop", tmp_path / "usb")

    cli = Cli(tmp_path / "by-command")
    result = cli("sync", "import", str(children), str(parents), "--allow-plaintext")  # the post-its first
    assert result.exit_code == 0, result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [parents.name, children.name]

    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = SyncScreen(workspace, blink=False)
        await app.push_screen(screen)
        screen.action_import()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SyncForm)
        form.query_one("#files", Input).value = str(tmp_path / "usb")
        form.query_one("#identity", Input).value = ""
        form.action_go()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # the bundles are plaintext: only on purpose
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()

    def postits(store: Store) -> list[tuple[str, int, str, str]]:
        return sorted(
            (p.id, p.statement_number, p.response_key, p.comment) for p in store.postits.of(session_id)
        )

    with open_store(tmp_path / "by-command") as store:
        by_command = postits(store)
    assert postits(workspace.store) == by_command
    assert len(by_command) == 2


async def test_both_front_ends_warn_of_the_same_identifying_details_on_export(
    workspace: Workspace, tmp_path: Path
) -> None:
    session_id = new_session(workspace)
    workspace.store.postits.add(session_id, 1, "agree", f"ring me on {PHONE}")

    result = Cli(workspace.data_dir)(
        "export", session_id, "--format", "html", "--out", str(tmp_path / "s.html")
    )
    assert result.exit_code == 0
    told_by_command = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert told_by_command == [f"statement 1 post-it: phone '{PHONE}' (looks like a phone number)"]

    app = make_app(workspace, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ExportSummaryScreen(workspace, session_id, "html"))
        await app.workers.wait_for_complete()
        await pilot.pause()
        warning = app.screen
        assert isinstance(warning, ExportWarningScreen)  # asked before anything is written
        told_by_the_app = [finding.line() for finding in warning.findings]
        assert f"Phone number {PHONE} in a comment on statement 1" in screen_text(app)
    assert told_by_the_app == told_by_command
    assert not Path("data", "exports").exists()
