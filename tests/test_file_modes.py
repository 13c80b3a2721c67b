"""Files for the owner only: every folder the app makes is 0700 and every file it writes
0600, with the usual umask (022) that would leave them readable by everyone; a data
folder found readable by others is made private when it is opened, and that is said once."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitator.actions.data_folder import Workspace
from facilitator.core.error_log import log_path, log_unexpected
from facilitator.core.files import Tightened, open_private, write_atomic
from facilitator.core.paths import DATABASE_NAME, KEY_FILE_NAME
from tests.conftest import Cli
from tests.folders import connect_to, open_folder

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows has no owner/group/other modes")

SET_ID = "does-social-work-care"
TIGHTENED = "Made the data folder private: only you can read it now."


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems start with: without care, files come out 0644 and folders 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def made_private(root: Path) -> dict[str, int]:
    """Every file and folder under `root` (itself included) whose mode is not 0600 / 0700."""
    found = {".": mode(root)} if mode(root) != 0o700 else {}
    for path in root.rglob("*"):
        wanted = 0o700 if path.is_dir() else 0o600
        if mode(path) != wanted:
            found[str(path.relative_to(root))] = mode(path)
    return found


def new_session(cli: Cli) -> str:
    result = cli(
        "session", "new", "--set", SET_ID, "--label", "Group", "--cohort", "adults", "--setting", "prison"
    )
    assert result.exit_code == 0, result.output
    session_id = result.stdout.strip()
    recorded = cli("record", session_id, "1", "agree", "--comment", "they listen")
    assert recorded.exit_code == 0, recorded.output
    return session_id


@pytest.fixture
def deep_cli(tmp_path: Path) -> Cli:
    """The CLI on a data folder whose parent does not exist yet either."""
    return Cli(tmp_path / "laptop" / "data")


def test_a_new_data_folder_and_its_database_are_the_owners_only(deep_cli: Cli, tmp_path: Path) -> None:
    data_dir = deep_cli.data_dir
    session_id = new_session(deep_cli)
    # Another reader keeps the write-ahead log and its index in place after the command ends.
    reader = connect_to(data_dir)
    try:
        reader.execute("SELECT count(*) FROM sessions").fetchone()
        result = deep_cli("record", session_id, "2", "disagree")
        assert result.exit_code == 0 and result.stderr == ""
        assert (data_dir / f"{DATABASE_NAME}-wal").is_file()
        assert made_private(tmp_path / "laptop") == {}
        assert {p.name for p in data_dir.iterdir()} == {
            DATABASE_NAME,
            f"{DATABASE_NAME}-wal",
            f"{DATABASE_NAME}-shm",
            KEY_FILE_NAME,
        }
    finally:
        reader.close()


def test_the_stores_own_write_ahead_log_is_the_owners_only(data_dir: Path) -> None:
    with open_folder(data_dir) as store:
        store.meta.set("ui.theme", "textual-dark")
        files = sorted(p.name for p in data_dir.iterdir())
        assert files == [DATABASE_NAME, f"{DATABASE_NAME}-shm", f"{DATABASE_NAME}-wal", KEY_FILE_NAME]
        assert {name: mode(data_dir / name) for name in files} == dict.fromkeys(files, 0o600)
        assert mode(data_dir) == 0o700
        assert not store.tightened


def test_bundles_are_the_owners_only_and_a_folder_the_user_names_keeps_its_mode(
    cli: Cli, tmp_path: Path
) -> None:
    new_session(cli)
    stick = tmp_path / "stick"
    stick.mkdir(mode=0o755)
    result = cli("sync", "export", "--out", str(stick), "--plaintext")
    assert result.exit_code == 0, result.output
    (bundle,) = stick.iterdir()
    assert mode(bundle) == 0o600
    assert mode(stick) == 0o755  # the user's folder, not the app's


def test_the_bundles_folder_the_sync_screen_makes_is_the_owners_only(workspace: Workspace) -> None:
    from facilitator.ui.screens.sync import run_export

    folder = workspace.data_dir / "bundles"
    run_export(workspace.store, str(folder), everything=True, plaintext=True, progress=lambda *_: None)
    assert made_private(folder) == {}
    assert len(list(folder.iterdir())) == 1


def test_an_identity_file_is_the_owners_only(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "office.key"
    result = cli("keys", "new", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600


def test_exports_summaries_and_receipts_are_the_owners_only(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    out = tmp_path / "exports"
    out.mkdir()
    for fmt in ("csv", "json", "md", "html"):
        result = cli("export", session_id, "--format", fmt, "--out", str(out / f"group.{fmt}"))
        assert result.exit_code == 0, result.output
    result = cli("receipt", session_id, "--png", str(out / "receipt.png"))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert {"group.csv", "group.json", "group.md", "group.html", "receipt.png"} <= set(names)
    assert any(name.endswith(".png") and name.startswith("group") for name in names)  # the Markdown's charts
    assert {name: mode(out / name) for name in names} == dict.fromkeys(names, 0o600)


def test_an_export_over_a_file_readable_by_others_leaves_it_the_owners_only(tmp_path: Path) -> None:
    written, streamed = tmp_path / "written.csv", tmp_path / "streamed.json"
    for path in (written, streamed):
        path.write_text("old")
        path.chmod(0o644)
    write_atomic(written, "new")
    with open_private(streamed) as file:
        file.write("new")
    assert (mode(written), mode(streamed)) == (0o600, 0o600)
    assert written.read_text() == streamed.read_text() == "new"


def test_a_report_and_every_file_and_folder_it_makes_are_the_owners_only(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    out = tmp_path / "report"
    result = cli("report", "--session", session_id, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert {"report.html", "index.json"} <= {p.name for p in out.iterdir()}
    assert any(p.suffix == ".svg" for p in out.iterdir()) and any(p.suffix == ".png" for p in out.iterdir())
    assert made_private(out) == {}
    charts = tmp_path / "charts"
    assert cli("charts", "--session", session_id, "--out", str(charts), "--format", "svg").exit_code == 0
    assert made_private(charts) == {}
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left


def test_a_report_into_a_folder_the_user_made_leaves_the_folder_as_it_was(cli: Cli, tmp_path: Path) -> None:
    session_id = new_session(cli)
    out = tmp_path / "shared"
    out.mkdir(mode=0o755)
    assert cli("report", "--session", session_id, "--out", str(out), "--format", "svg").exit_code == 0
    assert mode(out) == 0o755
    assert {p.name: mode(p) for p in out.iterdir()} == {p.name: 0o600 for p in out.iterdir()}


def test_the_error_log_and_its_folder_are_the_owners_only(tmp_path: Path) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        path = log_unexpected(tmp_path / "data", error)
    assert path == log_path(tmp_path / "data")
    assert (mode(path.parent), mode(path)) == (0o700, 0o600)


def shared_data_folder(data_dir: Path) -> None:
    """A data folder as an older version or a copy left it: readable by everyone."""
    with open_folder(data_dir):
        pass
    log = log_path(data_dir)
    log.parent.mkdir(mode=0o755)
    log.write_text("2010-03-01T10:00:00+00:00 builtins.RuntimeError\n")
    data_dir.chmod(0o755)
    (data_dir / DATABASE_NAME).chmod(0o644)
    log.chmod(0o644)


def test_a_data_folder_readable_by_others_is_made_private_and_said_once(cli: Cli, tmp_path: Path) -> None:
    data_dir = cli.data_dir
    shared_data_folder(data_dir)
    # What is not the app's is left alone: a statement set someone added, a link to elsewhere.
    statements = data_dir / "statements"
    statements.mkdir(mode=0o755)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not the app's")
    (data_dir / "link.txt").symlink_to(elsewhere)

    first = cli("session", "list")
    assert first.exit_code == 0, first.output
    # Said first, once; then the command's own note that there are no sessions.
    assert first.stderr.splitlines() == [
        TIGHTENED,
        "no sessions yet: create one with 'facilitator session new'",
    ]
    assert mode(data_dir) == 0o700
    assert mode(data_dir / DATABASE_NAME) == 0o600
    assert (mode(log_path(data_dir).parent), mode(log_path(data_dir))) == (0o700, 0o600)
    assert mode(statements) == 0o755 and mode(elsewhere) == 0o644

    second = cli("session", "list")
    assert second.exit_code == 0
    assert second.stderr.splitlines() == ["no sessions yet: create one with 'facilitator session new'"]


def test_opening_takes_away_only_what_others_could_do(data_dir: Path) -> None:
    shared_data_folder(data_dir)
    log_path(data_dir).chmod(0o440)  # read-only for its owner: it stays so
    with open_folder(data_dir) as store:
        assert store.tightened == Tightened(files=2, folders=2)
    assert mode(log_path(data_dir)) == 0o400
    assert mode(data_dir / DATABASE_NAME) == 0o600


async def test_the_app_says_once_that_it_made_the_data_folder_private(data_dir: Path) -> None:
    from facilitator.ui.app import make_app

    shared_data_folder(data_dir)
    for start, expected in ((1, [TIGHTENED]), (2, [])):
        workspace = Workspace.at(data_dir)
        app = make_app(workspace, blink=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            said = [str(n.message) for n in app._notifications if "private" in str(n.message)]
            assert said == expected, start
        workspace.close()
    assert mode(data_dir) == 0o700


def test_a_usb_stick_that_cannot_hold_modes_still_takes_bundles_exports_and_reports(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FAT-formatted stick refuses to change a file's mode (EPERM): what the app writes
    there is written all the same, since a file it makes starts owner-only anyway."""
    import errno

    session_id = new_session(cli)
    stick = tmp_path / "stick"
    stick.mkdir()
    real_chmod, real_fchmod = os.chmod, os.fchmod

    def on_stick(path: object) -> bool:
        return str(path).startswith(str(stick))

    def chmod(path: object, *args: object, **kwargs: object) -> None:
        if on_stick(path):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
        real_chmod(path, *args, **kwargs)  # type: ignore[arg-type]

    def fchmod(fd: int, mode: int) -> None:
        if on_stick(os.readlink(f"/proc/self/fd/{fd}")):
            raise PermissionError(errno.EPERM, "Operation not permitted")
        real_fchmod(fd, mode)

    monkeypatch.setattr(os, "chmod", chmod)
    monkeypatch.setattr(os, "fchmod", fchmod)
    for args in (
        ("sync", "export", "--out", str(stick), "--plaintext"),
        ("export", session_id, "--format", "csv", "--out", str(stick / "group.csv")),
        ("report", "--session", session_id, "--out", str(stick / "report"), "--format", "svg"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.output
    names = {p.name for p in stick.iterdir()}
    assert "group.csv" in names and "report" in names and any(n.endswith(".bundle") for n in names)
    assert not [n for n in names if n.startswith(".")]
