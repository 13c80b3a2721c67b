"""Shared fixtures: every test gets its own data folder, never the user's real one."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from facilitator.actions.data_folder import Workspace
from facilitator.cli import main
from facilitator.core.statements import StatementSet
from facilitator.store import Session, SessionDetails, Store, key_file
from facilitator.store.key_file import KdfCost
from tests.folders import TEST_PASSPHRASE

DEFAULT_SET = "does-social-work-care"


# scrypt at a tenth of a millisecond: the folders are encrypted all the same, but the
# thousands of unlocks in the suite do not each cost 0.4 s. Key files record their cost.
TEST_KDF_COST = KdfCost(n=2**10, r=8, p=1)


@pytest.fixture(autouse=True, scope="session")
def _encrypted_folders() -> Iterator[None]:
    """Every test's data folder is encrypted under TEST_PASSPHRASE, unless the test says otherwise
    (set for the whole run, so module fixtures and the commands they run in subprocesses have it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FACILITATOR_NO_PASSPHRASE", raising=False)
        patch.delenv("FACILITATOR_NEW_PASSPHRASE", raising=False)
        patch.setenv("FACILITATOR_PASSPHRASE", TEST_PASSPHRASE)
        patch.setattr(key_file, "KDF_COST", TEST_KDF_COST)
        yield


@pytest.fixture(autouse=True)
def _no_data_dir_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACILITATOR_DATA_DIR", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def workspace(data_dir: Path) -> Iterator[Workspace]:
    ws = Workspace.at(data_dir)
    yield ws
    ws.close()


@pytest.fixture
def store(workspace: Workspace) -> Store:
    return workspace.store


@pytest.fixture
def statement_set(workspace: Workspace) -> StatementSet:
    return workspace.catalogue().get(DEFAULT_SET)


@pytest.fixture
def session(store: Store, statement_set: StatementSet) -> Session:
    return store.sessions.create(
        statement_set,
        SessionDetails(
            label="Adult focus group 1",
            cohort="adults",
            setting="community",
            consultation="Does social work care? 2010",
            location="Leeds",
            date="2010-03-01",
            facilitators=("MJ",),
            participants=10,
            male=8,
            female=2,
        ),
    )


@dataclass
class Cli:
    """Runs the real `facilitator` entry point against the test's data folder."""

    data_dir: Path

    def __call__(self, *args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(
            main, ["--data-dir", str(self.data_dir), *args], input=input, catch_exceptions=False
        )


@pytest.fixture
def cli(data_dir: Path) -> Cli:
    return Cli(data_dir)


@pytest.fixture
def laptop_and_office(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two devices' stores side by side, each accepting the other's signed bundles."""
    from tests.sync_helpers import open_store

    laptop, office = open_store(tmp_path / "laptop"), open_store(tmp_path / "office")
    yield laptop, office
    laptop.close()
    office.close()


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail, rather than wait for ever, if the test has not finished in ten seconds."""

    def stop(_signal: int, _frame: object) -> None:
        pytest.fail("still waiting after ten seconds")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
