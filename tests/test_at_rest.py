"""A lost laptop gives nothing away: no file the app keeps in its data folder holds a
participant's words, a real name or the data key in plain text.

Exports are the one deliberate exception (the user asked for a readable file), so the
exports folder is not searched; everything else is, the database's log included.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from facilitator.core.paths import EXPORTS_FOLDER, KEY_FILE_NAME
from facilitator.store.key_file import KeyFile, is_encrypted
from tests.folders import TEST_PASSPHRASE, data_key
from tests.sync_helpers import SET_ID, Place

COMMENT = "Zebracrossing told me my rights"
NOTE = "Quixotic worker never came back"
REAL_NAME = "Wolfgangina"
DELETED = "Xylophonic deleted words"


def every_file(data_dir: Path) -> list[Path]:
    return [
        p for p in data_dir.rglob("*") if p.is_file() and EXPORTS_FOLDER not in p.relative_to(data_dir).parts
    ]


def holds(path: Path, secret: bytes) -> bool:
    data = path.read_bytes()
    return secret in data or secret.lower() in data.lower()


@pytest.fixture
def laptop(tmp_path: Path) -> Place:
    """A laptop that trusts an office and has recorded, noted, mapped, deleted and sent."""
    office, laptop = Place(tmp_path / "office"), Place(tmp_path / "laptop")
    identity = tmp_path / "office.key"
    code = office.ok("keys", "new", "--out", str(identity)).strip().splitlines()[0]
    laptop.ok("keys", "trust", code)
    session = laptop.ok(
        "session", "new", "--set", SET_ID, "--label", "Group 1", "--cohort", "adults", "--setting", "prison"
    ).strip()
    laptop.ok("record", session, "1", "agree", "--comment", COMMENT)
    laptop.ok("note", "add", session, f"{NOTE}, said {REAL_NAME}", "--kind", "quote")
    gone = laptop.ok("note", "add", session, f"{DELETED} was here").strip()
    laptop.ok("note", "delete", gone)
    laptop.ok("pseudonym", "set", session, REAL_NAME, "Dave")
    (laptop.data_dir / "bundles").mkdir()
    laptop.ok("sync", "export", "--out", str(laptop.data_dir / "bundles"))
    (laptop.data_dir / EXPORTS_FOLDER).mkdir()
    laptop.ok(
        "export", session, "--format", "json", "--out", str(laptop.data_dir / EXPORTS_FOLDER / "s.json")
    )
    return laptop


def test_no_file_in_the_data_folder_holds_words_names_or_the_data_key(laptop: Place) -> None:
    files = every_file(laptop.data_dir)
    names = {p.name for p in files}
    assert {"facilitator.db", KEY_FILE_NAME} <= names
    assert any(p.parent.name == "bundles" for p in files), "the bundle is in the folder and searched"
    key = data_key(laptop.data_dir)
    for secret in (
        COMMENT.encode(),
        NOTE.encode(),
        REAL_NAME.encode(),
        DELETED.encode(),
        key,
        key.hex().encode(),
    ):
        found = [p.name for p in files if holds(p, secret)]
        assert found == [], f"{secret[:12]!r} readable in {found}"
    # The export, asked for on purpose, is readable: the search above would have found it.
    assert holds(laptop.data_dir / EXPORTS_FOLDER / "s.json", COMMENT.encode())


def test_the_database_is_not_a_sqlite_file_and_opens_only_with_its_key(laptop: Place) -> None:
    database = laptop.data_dir / "facilitator.db"
    assert is_encrypted(database)
    plain = sqlite3.connect(database)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plain.close()
    with laptop.store() as store:
        comments = {p.comment for s in store.sessions.all() for p in store.postits.of(s.id)}
    assert COMMENT in comments


def test_the_key_file_holds_the_key_wrapped_twice(laptop: Place, tmp_path: Path) -> None:
    from facilitator.sync.keys import load_identities

    key_file = KeyFile.load(laptop.data_dir)
    assert key_file.unwrap(TEST_PASSPHRASE) == data_key(laptop.data_dir)
    assert key_file.escrow_recipient is not None, "trusting the office escrowed the key"
    assert key_file.recover(load_identities(tmp_path / "office.key")) == data_key(laptop.data_dir)
    assert (KeyFile.path(laptop.data_dir).stat().st_mode & 0o777) == 0o600
