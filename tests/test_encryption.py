"""Encrypted data folders from the command line: a new folder, the passphrase, protect, recover.

A lost laptop gives nothing away: the database file holds no word a participant
wrote and plain SQLite cannot open it. Every refusal (a wrong passphrase, a damaged
key file, no way to ask) is one line on stderr and exit code 2, with every file of
the folder exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from facilitator.actions.data_folder import FolderState, Workspace
from facilitator.cli import main
from facilitator.core.paths import DATABASE_NAME, KEY_FILE_NAME
from facilitator.store import NewPostit, Store
from facilitator.store import protect as protecting
from facilitator.store.connection import connect, quote
from facilitator.store.key_file import KeyFile, WrongPassphrase, is_encrypted, new_data_key
from tests import five_sessions
from tests.folders import TEST_PASSPHRASE, data_key

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Nobody at the probation office listened to me"
NEW_PASSPHRASE = "a quite different passphrase"
SET_ID = "does-social-work-care"


# ---------------------------------------------------------------- helpers


def run(data_dir: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    """The command as a script runs it (no terminal), with the test passphrase unless `env` says."""
    given: dict[str, str | None] = {"FACILITATOR_PASSPHRASE": TEST_PASSPHRASE}
    given.update(env or {})
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], env=given, catch_exceptions=False)


def refused(result: Result, *words: str) -> None:
    """Exit code 2 and one line on stderr, naming `words`; never a traceback."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]


def files_of(folder: Path) -> dict[str, str]:
    """Every file under `folder` and the digest of its bytes (and its mode)."""
    if not folder.exists():
        return {}
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(folder))] = f"{digest} {stat.S_IMODE(path.stat().st_mode):o}"
    return found


def rows(data_dir: Path, key: bytes | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read with the data key (None: a plain database)."""
    conn = connect(data_dir / DATABASE_NAME, key)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(conn.execute(f"SELECT * FROM {quote(t)}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def plain_sqlite_cannot_open(database: Path) -> bool:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        return True
    finally:
        conn.close()
    return False


def no_file_holds(folder: Path, text: str) -> bool:
    return all(text.encode("utf-8") not in path.read_bytes() for path in folder.rglob("*") if path.is_file())


def new_session(data_dir: Path, env: dict[str, str | None] | None = None) -> str:
    result = run(
        data_dir,
        *("session", "new", "--set", SET_ID, "--label", "Adult focus group 1"),
        *("--cohort", "adults", "--setting", "prison"),
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    return str(result.stdout.strip())


def encrypted_folder(data_dir: Path) -> str:
    """A folder set up from the command line with the test passphrase, holding one post-it."""
    session = new_session(data_dir)
    assert run(data_dir, "record", session, "1", "agree", "--comment", SECRET).exit_code == 0
    return session


def plain_folder(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """An unencrypted folder holding a row in every table; returns every row."""
    from facilitator.discussion import notes, roster
    from facilitator.sync import merge

    with Store.open(data_dir) as store:
        sessions = five_sessions.build(store)
        first = sessions["Adult focus group 1"]
        store.postits.add_many(first.id, [NewPostit(1, "agree", SECRET, "P1")])
        roster.add_participant(store, first.id, "P1", "female", wants_interview=True)
        notes.add_note(store, first.id, "Dave never came back", kind="quote", speaker="P1", themes=["Trust"])
        store.pseudonyms.add(first.id, "Dave", "Sam")
        store.pools.add(None, five_sessions.POOLED, [s.id for s in sessions.values()][1:3])
        merge.export_bundle(store, data_dir / "bundles", everything=True, plaintext=True)
    before = rows(data_dir)
    # Every table but the conflicts (which need two devices) holds something.
    assert [t for t, held in before.items() if not held] == ["sync_conflicts"]
    return before


# ---------------------------------------------------------------- a new folder


def test_a_new_folder_is_encrypted_and_no_file_in_it_holds_a_comment(data_dir):
    encrypted_folder(data_dir)
    database = data_dir / DATABASE_NAME
    assert is_encrypted(database)
    assert plain_sqlite_cannot_open(database)
    assert no_file_holds(data_dir, SECRET)
    assert stat.S_IMODE((data_dir / KEY_FILE_NAME).stat().st_mode) == 0o600
    assert [r[4] for r in rows(data_dir, data_key(data_dir))["postits"]] == [SECRET]


@pytest.mark.parametrize(
    ("env", "flag"),
    [
        ({"FACILITATOR_NO_PASSPHRASE": "1", "FACILITATOR_PASSPHRASE": None}, ()),
        ({"FACILITATOR_PASSPHRASE": None}, ("--no-passphrase",)),
        # The option typed on the command wins over a passphrase left in the environment.
        ({}, ("--no-passphrase",)),
    ],
    ids=["environment", "option", "option-over-environment"],
)
def test_a_new_folder_is_made_unencrypted_only_when_asked(data_dir, env, flag):
    result = run(data_dir, "session", "list", *flag, env=env)
    assert result.exit_code == 0, result.stderr
    assert not is_encrypted(data_dir / DATABASE_NAME)
    assert (data_dir / DATABASE_NAME).read_bytes().startswith(b"SQLite format 3\x00")
    assert not (data_dir / KEY_FILE_NAME).exists()
    assert Workspace.at(data_dir).state() is FolderState.PLAIN


def test_a_new_folder_with_nothing_set_and_no_terminal_is_not_made(data_dir):
    result = run(data_dir, "session", "list", env={"FACILITATOR_PASSPHRASE": None})
    refused(result, "is new", "FACILITATOR_PASSPHRASE", "--no-passphrase")
    assert not (data_dir / DATABASE_NAME).exists()
    assert not (data_dir / KEY_FILE_NAME).exists()


# ---------------------------------------------------------------- unlocking


def test_a_wrong_passphrase_changes_nothing(data_dir):
    session = encrypted_folder(data_dir)
    before = files_of(data_dir)
    wrong = {"FACILITATOR_PASSPHRASE": "not the passphrase at all"}
    refused(run(data_dir, "record", session, "1", "agree", "--comment", "x", env=wrong), "not right")
    refused(run(data_dir, "session", "list", env=wrong), "not right")
    refused(
        run(data_dir, "passphrase", "change", env={**wrong, "FACILITATOR_NEW_PASSPHRASE": NEW_PASSPHRASE})
    )
    assert files_of(data_dir) == before


def test_an_encrypted_folder_with_no_passphrase_and_no_terminal_changes_nothing(data_dir):
    encrypted_folder(data_dir)
    before = files_of(data_dir)
    nothing: dict[str, str | None] = {"FACILITATOR_PASSPHRASE": None}
    refused(run(data_dir, "session", "list", env=nothing), "encrypted", "FACILITATOR_PASSPHRASE")
    change = {**nothing, "FACILITATOR_NEW_PASSPHRASE": NEW_PASSPHRASE}
    refused(run(data_dir, "passphrase", "change", env=change), "FACILITATOR_PASSPHRASE")
    assert files_of(data_dir) == before


# ---------------------------------------------------------------- passphrase change


def test_after_a_change_the_old_passphrase_fails_and_the_new_one_opens_the_same_data(data_dir):
    encrypted_folder(data_dir)
    key = data_key(data_dir)
    database = (data_dir / DATABASE_NAME).read_bytes()
    result = run(data_dir, "passphrase", "change", env={"FACILITATOR_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert result.exit_code == 0, result.stderr
    assert "changed the passphrase" in result.stderr
    assert (data_dir / DATABASE_NAME).read_bytes() == database  # only the key file changed
    assert data_key(data_dir, NEW_PASSPHRASE) == key
    refused(run(data_dir, "session", "list"), "not right")
    opened = run(data_dir, "session", "list", env={"FACILITATOR_PASSPHRASE": NEW_PASSPHRASE})
    assert opened.exit_code == 0, opened.stderr
    assert "Adult focus group 1" in opened.stdout


@pytest.mark.parametrize(
    ("new", "words"),
    [
        ("short", ("at least 8",)),
        (None, ("FACILITATOR_NEW_PASSPHRASE", "terminal")),
        (TEST_PASSPHRASE, ("same as the current",)),
    ],
    ids=["too-short", "not-given", "the-same"],
)
def test_a_new_passphrase_refused_changes_nothing(data_dir, new, words):
    encrypted_folder(data_dir)
    before = files_of(data_dir)
    refused(run(data_dir, "passphrase", "change", env={"FACILITATOR_NEW_PASSPHRASE": new}), *words)
    assert files_of(data_dir) == before


def test_changing_the_passphrase_of_a_plain_folder_says_to_protect_it(data_dir):
    plain_folder(data_dir)
    before = files_of(data_dir)
    result = run(data_dir, "passphrase", "change", env={"FACILITATOR_NEW_PASSPHRASE": NEW_PASSPHRASE})
    refused(result, "not encrypted: use 'facilitator protect'")
    assert files_of(data_dir) == before


def test_the_idle_lock_is_shown_and_set(data_dir):
    encrypted_folder(data_dir)
    assert run(data_dir, "passphrase", "idle-lock").stdout == "the app locks after 10 idle minutes\n"
    assert run(data_dir, "passphrase", "idle-lock", "3").stdout == "the app locks after 3 idle minutes\n"
    assert run(data_dir, "passphrase", "idle-lock").stdout == "the app locks after 3 idle minutes\n"
    off = run(data_dir, "passphrase", "idle-lock", "OFF")
    assert off.stdout == "the idle lock is off: the app never locks by itself\n"
    for bad in ("0", "1441", "ten", "٣", "5.5", ""):
        refused(run(data_dir, "passphrase", "idle-lock", bad), "1440")
    assert "never locks" in run(data_dir, "passphrase", "idle-lock").stdout


# ---------------------------------------------------------------- recover


def office_and_laptop(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An office made with 'keys new' and a laptop that trusts it, as people set them up."""
    office, laptop, identity = tmp_path / "office", tmp_path / "laptop", tmp_path / "office.key"
    made = run(office, "keys", "new", "--out", str(identity))
    assert made.exit_code == 0, made.stderr
    encrypted_folder(laptop)
    trusted = run(laptop, "keys", "trust", made.stdout.strip())
    assert trusted.exit_code == 0, trusted.stderr
    return office, laptop, identity


def recover(laptop: Path, identity: Path, new: str | None = NEW_PASSPHRASE) -> Result:
    env = {"FACILITATOR_PASSPHRASE": None, "FACILITATOR_NEW_PASSPHRASE": new}
    args = ["recover", "--identity", str(identity), str(laptop)]
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def test_the_office_recovers_a_laptops_folder_with_its_identity(tmp_path):
    _office, laptop, identity = office_and_laptop(tmp_path)
    key = data_key(laptop)
    result = recover(laptop, identity)
    assert result.exit_code == 0, result.stderr
    assert "recovered" in result.stderr
    assert data_key(laptop, NEW_PASSPHRASE) == key
    refused(run(laptop, "session", "list"), "not right")
    assert (
        "Adult focus group 1"
        in run(laptop, "session", "list", env={"FACILITATOR_PASSPHRASE": NEW_PASSPHRASE}).stdout
    )
    # The escrow stays: the office can do it again.
    assert KeyFile.load(laptop).escrow is not None


def test_the_escrow_survives_a_passphrase_change_and_follows_the_office_the_laptop_trusts(tmp_path):
    _office, laptop, identity = office_and_laptop(tmp_path)
    key = data_key(laptop)
    changed = run(laptop, "passphrase", "change", env={"FACILITATOR_NEW_PASSPHRASE": "changed on the laptop"})
    assert changed.exit_code == 0, changed.stderr
    assert recover(laptop, identity, new="recovered once").exit_code == 0
    # The laptop trusts a new office: the key is sealed to it, and the old office can no longer recover.
    new_identity = tmp_path / "new-office.key"
    made = run(tmp_path / "new-office", "keys", "new", "--out", str(new_identity))
    env = {"FACILITATOR_PASSPHRASE": "recovered once"}
    assert run(laptop, "keys", "trust", made.stdout.strip(), env=env).exit_code == 0
    refused(recover(laptop, identity), "cannot open this folder's escrow")
    assert recover(laptop, new_identity).exit_code == 0
    assert data_key(laptop, NEW_PASSPHRASE) == key


def test_another_identity_cannot_recover_the_folder_and_nothing_changes(tmp_path):
    _office, laptop, _identity = office_and_laptop(tmp_path)
    stranger = tmp_path / "stranger.key"
    assert run(tmp_path / "elsewhere", "keys", "new", "--out", str(stranger)).exit_code == 0
    before = files_of(laptop)
    refused(recover(laptop, stranger), "cannot open this folder's escrow")
    refused(recover(laptop, tmp_path / "missing.key"), "does not exist")
    (tmp_path / "junk.key").write_text("AGE-SECRET-KEY-1NOTAKEY\n")
    refused(recover(laptop, tmp_path / "junk.key"), "not an age identity")
    assert files_of(laptop) == before


def test_a_folder_that_never_trusted_an_office_cannot_be_recovered(tmp_path):
    _office, _laptop, identity = office_and_laptop(tmp_path)
    alone = tmp_path / "alone"
    encrypted_folder(alone)
    before = files_of(alone)
    refused(recover(alone, identity), "never trusted an office")
    assert files_of(alone) == before
    plain = tmp_path / "plain"
    plain_folder(plain)
    refused(recover(plain, identity), "not encrypted")
    refused(recover(tmp_path / "nowhere", identity), "not a data folder")


def test_unlocking_after_the_idle_lock_takes_the_passphrase_and_no_other(data_dir):
    encrypted_folder(data_dir)
    ws = Workspace(data_dir)
    ws.unlock(TEST_PASSPHRASE)
    ws.check(TEST_PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        ws.check(NEW_PASSPHRASE)
    # The passphrase changed from the command line while the app was locked: the new one unlocks it.
    assert (
        run(data_dir, "passphrase", "change", env={"FACILITATOR_NEW_PASSPHRASE": NEW_PASSPHRASE}).exit_code
        == 0
    )
    ws.check(NEW_PASSPHRASE)
    ws.close()


def test_a_key_file_swapped_while_the_app_is_locked_does_not_unlock_it(data_dir):
    encrypted_folder(data_dir)
    ws = Workspace(data_dir)
    ws.unlock(TEST_PASSPHRASE)
    # Someone with the folder (on a USB stick, say) puts in a key file of their own making.
    KeyFile.new(new_data_key(), "the intruder's own words").save(data_dir)
    with pytest.raises(WrongPassphrase):
        ws.check("the intruder's own words")
    ws.close()


# Bytes that are not UTF-8, as the environment or a terminal in another encoding can give them.
NOT_UTF8 = "\udcff\udcfeabcdefgh"


def test_a_passphrase_that_is_not_text_is_one_line_and_changes_nothing(tmp_path):
    laptop = tmp_path / "laptop"
    encrypted_folder(laptop)
    before = files_of(laptop)
    refused(run(laptop, "session", "list", env={"FACILITATOR_PASSPHRASE": NOT_UTF8}), "not right")
    change = run(laptop, "passphrase", "change", env={"FACILITATOR_NEW_PASSPHRASE": NOT_UTF8})
    refused(change, "UTF-8")
    assert files_of(laptop) == before
    new = tmp_path / "new"
    refused(run(new, "session", "list", env={"FACILITATOR_PASSPHRASE": NOT_UTF8}), "UTF-8")
    assert not (new / KEY_FILE_NAME).exists()


def test_an_escrow_that_is_not_one_is_ignored_and_sealed_again_at_the_next_unlock(tmp_path):
    _office, laptop, identity = office_and_laptop(tmp_path)
    path = laptop / KEY_FILE_NAME
    # A recipient written to show up in a terminal or on a screen, and an escrow that is no age file.
    text = path.read_text()
    recipient = KeyFile.load(laptop).escrow_recipient
    path.write_text(text.replace(recipient, "[bold]\\u001b]52;c;x\\u0007").replace('"age": "', '"age": "%'))
    # At the office, it is no escrow; on the laptop, the next unlock seals the key to the office again.
    refused(recover(laptop, identity), "no escrowed key")
    assert run(laptop, "session", "list").exit_code == 0
    assert KeyFile.load(laptop).escrow_recipient == recipient
    assert recover(laptop, identity).exit_code == 0


# ---------------------------------------------------------------- hostile key files


def damaged(data_dir: Path, tmp_path: Path, kind: str) -> None:
    key_file = data_dir / KEY_FILE_NAME
    if kind == "missing":
        key_file.unlink()
    elif kind == "damaged":
        key_file.write_bytes(key_file.read_bytes()[:-40] + b"\x00\xff garbage")
    elif kind == "oversized":
        key_file.write_bytes(b"{" + b" " * (70 * 1024) + b"}")
    elif kind == "foreign":
        other = tmp_path / "other"
        encrypted_folder(other)  # same passphrase, another data key
        key_file.write_bytes((other / KEY_FILE_NAME).read_bytes())
    elif kind == "a-folder":
        key_file.unlink()
        key_file.mkdir()
    elif kind == "a-pipe":  # opening it for reading would wait for a writer for ever
        key_file.unlink()
        os.mkfifo(key_file)
    elif kind == "infinite-cost":  # JSON as Python reads it allows Infinity
        key_file.write_text(key_file.read_text().replace('"n": 1024', '"n": Infinity'))
    elif kind == "deeply-nested":
        key_file.write_bytes(b"[" * 50_000)


HOSTILE_KEY_FILES = ["missing", "damaged", "oversized", "foreign", "a-folder", "a-pipe"]
HOSTILE_KEY_FILES += ["infinite-cost", "deeply-nested"]


@pytest.mark.parametrize("kind", HOSTILE_KEY_FILES)
@pytest.mark.parametrize("command", ["list", "change", "recover"])
def test_a_hostile_key_file_is_one_line_and_changes_nothing(tmp_path, kind, command, no_hang):
    _office, laptop, identity = office_and_laptop(tmp_path)
    damaged(laptop, tmp_path, kind)
    before = files_of(laptop)
    if command == "list":
        result = run(laptop, "session", "list")
    elif command == "change":
        result = run(laptop, "passphrase", "change", env={"FACILITATOR_NEW_PASSPHRASE": NEW_PASSPHRASE})
    else:
        result = recover(laptop, identity)
    refused(result)
    assert "Traceback" not in result.stderr
    assert files_of(laptop) == before


@pytest.mark.parametrize("set_up", [True, False], ids=["set-up", "new"])
def test_a_database_that_is_not_a_file_is_one_line_and_changes_nothing(tmp_path, set_up, no_hang):
    data_dir = tmp_path / "laptop"
    if set_up:
        encrypted_folder(data_dir)
        (data_dir / DATABASE_NAME).unlink()
    else:
        data_dir.mkdir(mode=0o700)
    os.mkfifo(data_dir / DATABASE_NAME)
    before = sorted(path.name for path in data_dir.iterdir())
    refused(run(data_dir, "session", "list"), "not a database file")
    assert sorted(path.name for path in data_dir.iterdir()) == before


# ---------------------------------------------------------------- protect


def protect(data_dir: Path, new: str | None = NEW_PASSPHRASE) -> Result:
    return run(data_dir, "protect", env={"FACILITATOR_PASSPHRASE": None, "FACILITATOR_NEW_PASSPHRASE": new})


def test_protect_encrypts_a_plain_folder_and_loses_no_row(data_dir):
    before = plain_folder(data_dir)
    assert not no_file_holds(data_dir, SECRET)
    result = protect(data_dir)
    assert result.exit_code == 0, result.stderr
    assert "encrypting the database" in result.stderr
    assert "no recovery yet" in result.stderr
    database = data_dir / DATABASE_NAME
    assert is_encrypted(database)
    assert plain_sqlite_cannot_open(database)
    assert no_file_holds(data_dir, SECRET)
    assert rows(data_dir, data_key(data_dir, NEW_PASSPHRASE)) == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["bundles", DATABASE_NAME, KEY_FILE_NAME]
    for name in (DATABASE_NAME, KEY_FILE_NAME):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    assert Workspace.at(data_dir).state() is FolderState.LOCKED
    # It opens as any encrypted folder does, and carries on.
    env = {"FACILITATOR_PASSPHRASE": NEW_PASSPHRASE}
    listed = run(data_dir, "session", "list", env=env)
    assert listed.exit_code == 0, listed.stderr
    assert "Adult focus group 1" in listed.stdout


def test_protect_escrows_the_key_to_the_office_at_once(tmp_path):
    office, laptop, identity = tmp_path / "office", tmp_path / "laptop", tmp_path / "office.key"
    code = run(office, "keys", "new", "--out", str(identity)).stdout.strip()
    plain_folder(laptop)
    assert run(laptop, "keys", "trust", code, env={"FACILITATOR_PASSPHRASE": None}).exit_code == 0
    result = protect(laptop)
    assert result.exit_code == 0, result.stderr
    assert "office this laptop trusts can recover it" in result.stderr
    assert KeyFile.load(laptop).escrow is not None
    key = data_key(laptop, NEW_PASSPHRASE)
    assert recover(laptop, identity, "the office set this one").exit_code == 0
    assert data_key(laptop, "the office set this one") == key
    opened = run(laptop, "session", "list", env={"FACILITATOR_PASSPHRASE": "the office set this one"})
    assert "Adult focus group 1" in opened.stdout


@pytest.mark.parametrize(
    ("new", "words"),
    [("short", ("at least 8",)), (None, ("FACILITATOR_NEW_PASSPHRASE", "terminal"))],
    ids=["too-short", "not-given"],
)
def test_protect_with_no_good_passphrase_changes_nothing(data_dir, new, words):
    plain_folder(data_dir)
    before = files_of(data_dir)
    refused(protect(data_dir, new), *words)
    assert files_of(data_dir) == before


def test_protect_refuses_a_new_or_encrypted_folder(tmp_path):
    refused(protect(tmp_path / "new"), "no database yet")
    assert not (tmp_path / "new" / DATABASE_NAME).exists()
    encrypted_folder(tmp_path / "done")
    before = files_of(tmp_path / "done")
    refused(protect(tmp_path / "done"), "already encrypted")
    assert files_of(tmp_path / "done") == before


def test_protect_refuses_a_database_that_is_a_link_which_would_leave_the_plain_file_behind(tmp_path):
    data_dir, elsewhere = tmp_path / "laptop", tmp_path / "elsewhere"
    before = plain_folder(data_dir)
    elsewhere.mkdir()
    (data_dir / DATABASE_NAME).rename(elsewhere / DATABASE_NAME)
    (data_dir / DATABASE_NAME).symlink_to(elsewhere / DATABASE_NAME)
    files = files_of(elsewhere)
    refused(protect(data_dir), "is a link")
    assert files_of(elsewhere) == files
    assert (data_dir / DATABASE_NAME).is_symlink()
    assert not (data_dir / KEY_FILE_NAME).exists()
    assert rows(elsewhere) == before


def test_a_plain_database_beside_a_key_file_is_not_opened_as_if_nothing_were_wrong(tmp_path):
    """A protect killed before its rename leaves this, and so does someone who swaps in a plain
    database of their own, so that what is recorded next is kept unencrypted: neither is used."""
    data_dir = tmp_path / "laptop"
    before = plain_folder(data_dir)
    KeyFile.new(new_data_key(), TEST_PASSPHRASE).save(data_dir)
    files = files_of(data_dir)
    refused(run(data_dir, "session", "list", env={"FACILITATOR_PASSPHRASE": None}), "protect")
    refused(run(data_dir, "session", "list"), "protect")
    assert files_of(data_dir) == files
    assert protect(data_dir).exit_code == 0
    assert rows(data_dir, data_key(data_dir, NEW_PASSPHRASE)) == before


def test_protect_refuses_while_another_program_has_the_database_open(data_dir):
    before = plain_folder(data_dir)
    with Store.open(data_dir) as other:
        refused(protect(data_dir), "another program")
        # The other program carries on writing to the same, still plain, database.
        session = other.sessions.summaries()[0].session
        other.postits.add_many(session.id, [NewPostit(2, "agree", "written meanwhile", "P2")])
    assert not is_encrypted(data_dir / DATABASE_NAME)
    assert not (data_dir / KEY_FILE_NAME).exists()
    assert protecting.leftovers(data_dir / DATABASE_NAME) == []
    after = rows(data_dir)
    assert len(after["postits"]) == len(before["postits"]) + 1
    assert protect(data_dir).exit_code == 0
    assert rows(data_dir, data_key(data_dir, NEW_PASSPHRASE)) == after


HOLD_OPEN = """
import sys
from pathlib import Path
from facilitator.store import Store

with Store.open(Path(sys.argv[1])) as store:
    store.sessions.summaries()
    print("open", flush=True)
    sys.stdin.readline()
"""


def test_protect_refuses_while_the_database_is_open_in_another_process(data_dir):
    plain_folder(data_dir)
    other = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(data_dir)],
        cwd=ROOT,
        env=environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == b"open\n"
        before = files_of(data_dir)
        refused(protect(data_dir), "another program", "close it")
        assert not (data_dir / KEY_FILE_NAME).exists()
        assert not is_encrypted(data_dir / DATABASE_NAME)
        assert files_of(data_dir)[DATABASE_NAME] == before[DATABASE_NAME]
    finally:
        other.communicate(b"\n", timeout=30)
    assert protect(data_dir).exit_code == 0


def test_protect_takes_the_rows_still_in_the_log_of_a_folder_left_by_a_crash(tmp_path):
    import shutil

    running, crashed = tmp_path / "running", tmp_path / "crashed"
    plain_folder(running)
    with Store.open(running) as store:
        session = store.sessions.summaries()[0].session
        store.postits.add_many(session.id, [NewPostit(3, "agree", "only in the log", "P3")])
        # A copy taken while the app runs, as a crash leaves it: the last post-it is in the log only.
        for copy in (crashed, tmp_path / "direct", tmp_path / "reference"):
            shutil.copytree(running, copy)
    before = rows(tmp_path / "reference")
    assert "only in the log" in {r[4] for r in before["postits"]}
    assert (crashed / f"{DATABASE_NAME}-wal").stat().st_size > 0
    assert protect(crashed).exit_code == 0
    assert rows(crashed, data_key(crashed, NEW_PASSPHRASE)) == before
    assert sorted(p.name for p in crashed.iterdir()) == ["bundles", DATABASE_NAME, KEY_FILE_NAME]
    # The store's part alone, with nothing opening the database first, folds the log in too.
    direct = tmp_path / "direct" / DATABASE_NAME
    assert direct.with_name(f"{DATABASE_NAME}-wal").stat().st_size > 0
    key = bytes(range(32))
    protecting.encrypt_in_place(direct, key)
    assert rows(direct.parent, key) == before
    assert sorted(p.name for p in direct.parent.iterdir()) == ["bundles", DATABASE_NAME]


def test_an_encrypted_copy_that_does_not_read_back_the_same_is_thrown_away(data_dir, monkeypatch):
    before = plain_folder(data_dir)
    real = protecting.contents
    read: list[str] = []

    def one_row_short(conn: sqlite3.Connection) -> dict[str, object]:
        found = real(conn)
        read.append("copy" if read else "database")
        if read[-1] == "copy":
            count, digest = found["postits"]  # type: ignore[misc]
            found["postits"] = (count - 1, digest)
        return found

    monkeypatch.setattr(protecting, "contents", one_row_short)
    result = protect(data_dir)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "error: the encrypted copy did not hold the same rows, so it was removed; the database is unchanged"
    )
    assert read == ["database", "copy"]
    assert rows(data_dir) == before
    assert Workspace.at(data_dir).state() is FolderState.PLAIN
    assert not (data_dir / KEY_FILE_NAME).exists()
    assert protecting.leftovers(data_dir / DATABASE_NAME) == []


def test_a_disk_error_during_protect_leaves_the_plain_folder_as_it_was(data_dir, monkeypatch):
    import errno

    before = plain_folder(data_dir)

    def failing(_path: Path) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(protecting, "_fsync", failing)
    result = protect(data_dir)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].endswith("Input/output error; it is unchanged")
    assert rows(data_dir) == before
    assert not (data_dir / KEY_FILE_NAME).exists()
    assert protecting.leftovers(data_dir / DATABASE_NAME) == []


# ---------------------------------------------------------------- protect, killed


KILL_AT_STEP = """
import os, signal, sys
from facilitator.actions.data_folder import Workspace
from facilitator.actions.passphrase import protect
from facilitator.store import key_file

key_file.KDF_COST = key_file.KdfCost(n=2**10, r=8, p=1)

def step(name):
    if name == sys.argv[2]:
        os.kill(os.getpid(), signal.SIGKILL)

protect(Workspace.at(sys.argv[1]), sys.argv[3], step=step)
"""


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    return {**env, **values}


def whole_either_way(data_dir: Path, before: dict[str, list[tuple[Any, ...]]]) -> bool:
    """The folder holds every row, plain or encrypted; then a protect (again) finishes the job.
    Whether it was encrypted already."""
    database = data_dir / DATABASE_NAME
    encrypted = is_encrypted(database)
    if encrypted:
        assert rows(data_dir, data_key(data_dir, NEW_PASSPHRASE)) == before
        assert Workspace.at(data_dir).state() is FolderState.LOCKED
    else:
        assert rows(data_dir) == before
        assert Workspace.at(data_dir).state() is FolderState.PLAIN
        result = protect(data_dir)
        assert result.exit_code == 0, result.stderr
        assert rows(data_dir, data_key(data_dir, NEW_PASSPHRASE)) == before
    assert protecting.leftovers(database) == []
    assert not database.with_name(DATABASE_NAME + "-journal").exists()
    return encrypted


@pytest.mark.parametrize("step", protecting.STEPS)
def test_protect_killed_after_any_step_leaves_the_old_folder_or_the_new_one(data_dir, step):
    before = plain_folder(data_dir)
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AT_STEP, str(data_dir), step, NEW_PASSPHRASE],
        env=environment(),
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    encrypted = whole_either_way(data_dir, before)
    assert encrypted == (protecting.STEPS.index(step) >= protecting.STEPS.index(protecting.REPLACED))


@pytest.fixture(scope="module")
def big_plain_folder(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, list[tuple[Any, ...]]]]:
    """A plain folder with thousands of post-its, for protect to take a while."""
    folder = tmp_path_factory.mktemp("big") / "data"
    with Store.open(folder) as store:
        sessions = five_sessions.build(store)
        first = next(iter(sessions.values()))
        items = [NewPostit(1 + n % 4, "agree", f"{SECRET} {n} " + "words " * 40, None) for n in range(20000)]
        store.postits.add_many(first.id, items)
        store.checkpoint()
    return folder, rows(folder)


def test_protect_killed_at_any_moment_leaves_the_old_folder_or_the_new_one(tmp_path, big_plain_folder):
    """Killed at moments spread over the conversion (from when it says it is encrypting to when it
    ends), the folder is whole every time; some kills land before the rename, some after."""
    import shutil

    template, before = big_plain_folder
    env = environment(FACILITATOR_NEW_PASSPHRASE=NEW_PASSPHRASE)

    def start(data_dir: Path) -> tuple[subprocess.Popen[bytes], float]:
        """The command, once it has said it is encrypting (the lock held, the key known)."""
        shutil.copytree(template, data_dir)
        process = subprocess.Popen(
            [sys.executable, "-m", "facilitator", "--data-dir", str(data_dir), "protect"],
            env=env,
            cwd=ROOT,
            stderr=subprocess.PIPE,
        )
        assert process.stderr is not None
        assert b"encrypting the database" in process.stderr.readline()
        return process, time.monotonic()

    process, began = start(tmp_path / "timed")
    assert process.wait() == 0
    window = time.monotonic() - began
    outcomes = []
    for number, fraction in enumerate((0.0, 0.2, 0.4, 0.6, 0.8, 1.0)):
        process, began = start(tmp_path / f"killed-{number}")
        time.sleep(max(0.0, began + window * fraction - time.monotonic()))
        process.send_signal(signal.SIGKILL)
        process.wait()
        outcomes.append(whole_either_way(tmp_path / f"killed-{number}", before))
    # The first kill lands before the rename; which side the others land on depends on the machine.
    assert outcomes[0] is False


# ---------------------------------------------------------------- in a terminal


def in_terminal(args: list[str], answers: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the command in a pseudo-terminal, typing each answer when a prompt ends in ': '."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, in the terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "facilitator", *args], env)
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen.rstrip(b" ").endswith(b":"):
                os.write(fd, pending.pop(0).encode() + b"\r")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")


def test_in_a_terminal_a_new_folder_asks_twice_without_echo_then_asks_to_unlock(data_dir):
    env = environment(TERM="dumb")
    code, shown = in_terminal(
        ["--data-dir", str(data_dir), "session", "list"], [NEW_PASSPHRASE, NEW_PASSPHRASE], env
    )
    assert code == 0, shown
    assert "is a new data folder" in shown
    assert "\u240a" not in shown  # its two lines are two lines, not one with a visible line feed
    assert "New passphrase:" in shown
    assert "Repeat for confirmation:" in shown
    assert NEW_PASSPHRASE not in shown
    assert is_encrypted(data_dir / DATABASE_NAME)
    key = data_key(data_dir, NEW_PASSPHRASE)
    code, shown = in_terminal(["--data-dir", str(data_dir), "session", "list"], [NEW_PASSPHRASE], env)
    assert code == 0, shown
    assert f"Passphrase for {data_dir}:" in shown
    assert NEW_PASSPHRASE not in shown
    assert "no sessions yet" in shown
    code, shown = in_terminal(
        ["--data-dir", str(data_dir), "passphrase", "change"],
        [NEW_PASSPHRASE, "third time lucky", "third time lucky"],
        env,
    )
    assert code == 0, shown
    assert "third time lucky" not in shown
    assert data_key(data_dir, "third time lucky") == key


def test_in_a_terminal_protect_asks_again_until_the_new_passphrase_is_long_enough_and_typed_twice(data_dir):
    before = plain_folder(data_dir)
    answers = ["short", "apple banana", "apple bananas", "apple banana cherry", "apple banana cherry"]
    code, shown = in_terminal(["--data-dir", str(data_dir), "protect"], answers, environment(TERM="dumb"))
    assert code == 0, shown
    assert "needs at least 8 characters" in shown
    assert "Weak: add a word or two" in shown
    assert "differ: start again" in shown
    assert "Good. Longer is stronger." in shown
    assert "apple" not in shown
    assert rows(data_dir, data_key(data_dir, "apple banana cherry")) == before


def test_in_a_terminal_three_passphrases_too_short_set_up_nothing(data_dir):
    code, shown = in_terminal(
        ["--data-dir", str(data_dir), "session", "list"], ["one", "two", "three"], environment(TERM="dumb")
    )
    assert code == 2, shown
    assert shown.count("needs at least 8 characters") == 3
    assert "error: no passphrase after 3 tries: nothing was changed" in shown
    assert not (data_dir / DATABASE_NAME).exists()
    assert not (data_dir / KEY_FILE_NAME).exists()


def test_in_a_terminal_a_damaged_key_file_is_said_before_the_passphrase_is_asked(data_dir):
    encrypted_folder(data_dir)
    (data_dir / KEY_FILE_NAME).write_text("{ not a key file")
    code, shown = in_terminal(
        ["--data-dir", str(data_dir), "session", "list"], [TEST_PASSPHRASE], environment(TERM="dumb")
    )
    assert code == 2, shown
    assert "is not a facilitator key file" in shown
    assert "Passphrase for" not in shown
