"""`sync run DIR`: a USB stick or shared folder between laptops and the office."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.cli import main
from tests.sync_helpers import introduce, join_office, make_office, new_session, open_store


def cli(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def office_key(tmp_path: Path) -> tuple[Path, str]:
    """The office's identity file, and the office code its laptops trust."""
    identity = tmp_path / "office.key"
    return identity, make_office(tmp_path / "office", identity)


def laptop_with_postits(data_dir: Path, office_code: str, label: str, count: int) -> str:
    join_office(data_dir, data_dir.parent / "office", office_code)
    with open_store(data_dir) as store:
        session = new_session(store, label)
        for number in range(count):
            store.postits.add(session.id, 1 + number % 4, "agree", f"{label} {number}")
        return session.id


def test_laptops_and_the_office_meet_in_a_folder(tmp_path, office_key):
    identity, recipient = office_key
    share = tmp_path / "usb"
    share.mkdir()
    first = laptop_with_postits(tmp_path / "a", recipient, "Group A", 3)
    second = laptop_with_postits(tmp_path / "b", recipient, "Group B", 2)
    for laptop in ("a", "b"):
        code, out, err = cli(tmp_path / laptop, "sync", "run", str(share))
        assert code == 0, err
        assert out.startswith("wrote facilitator-")
    # Laptop b holds no identity and needs none: a's bundle, encrypted to the office, is
    # left for the office without a word of a problem.
    assert "pass --identity" not in err and "left unread" not in err
    code, out, err = cli(tmp_path / "office", "sync", "run", str(share), "--identity", str(identity))
    assert code == 0, err
    assert out.count("added") == 2
    with open_store(tmp_path / "office") as office:
        assert len(office.postits.of(first)) == 3 and len(office.postits.of(second)) == 2
    # A second run imports nothing again, and never the office's own bundle.
    code, out, err = cli(tmp_path / "office", "sync", "run", str(share), "--identity", str(identity))
    assert (code, out) == (
        0,
        "nothing new to export\nno new bundles from other devices\n"
        f"wrote 2 acknowledgements for the laptops into {share}\n",
    ), err


def test_a_half_copied_bundle_is_skipped_and_taken_next_run(tmp_path, office_key):
    identity, recipient = office_key
    laptop_with_postits(tmp_path / "a", recipient, "Group A", 4)
    outbox, share = tmp_path / "outbox", tmp_path / "share"
    outbox.mkdir()
    share.mkdir()
    assert cli(tmp_path / "a", "sync", "run", str(outbox))[0] == 0
    [made] = outbox.glob("*.bundle")
    data = made.read_bytes()
    (share / made.name).write_bytes(data[: len(data) // 2])
    code, out, err = cli(tmp_path / "office", "sync", "run", str(share), "--identity", str(identity))
    assert code == 0
    assert "truncated" in err and "tried again next run" in err
    assert "no new bundles" in out
    (share / made.name).write_bytes(data)
    code, out, err = cli(tmp_path / "office", "sync", "run", str(share), "--identity", str(identity))
    assert code == 0, err
    assert f"{made.name}: added" in out


def test_sync_import_reports_each_bundle_and_skips_one_seen(tmp_path, office_key):
    identity, recipient = office_key
    laptop_with_postits(tmp_path / "a", recipient, "Group A", 2)
    code, out, _ = cli(tmp_path / "a", "sync", "export", "--out", str(tmp_path))
    [made] = tmp_path.glob("facilitator-*.bundle")
    args = ("sync", "import", str(made), str(made), "--identity", str(identity))
    code, out, err = cli(tmp_path / "office", *args)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].endswith("added 5, updated 0, unchanged 0, conflicted 0")
    assert lines[1].endswith("skipped, already imported")


def test_sync_conflicts_lists_and_resolve_settles(tmp_path, office_key):
    _identity, recipient = office_key
    share = tmp_path / "share"
    share.mkdir()
    session = laptop_with_postits(tmp_path / "a", recipient, "Group A", 1)
    cli(tmp_path / "a", "sync", "export", "--out", str(share), "--plaintext")
    with open_store(tmp_path / "a") as a, open_store(tmp_path / "b") as b:
        introduce(a, b)  # b takes a's session from a directly, to edit it too
    cli(tmp_path / "b", "sync", "import", "--allow-plaintext", *map(str, share.glob("*.bundle")))
    for laptop, words in (("a", "said on a"), ("b", "said on b")):
        with open_store(tmp_path / laptop) as store:
            store.postits.edit(store.postits.of(session)[0].id, words)
        cli(tmp_path / laptop, "sync", "export", "--out", str(share), "--plaintext")
    code, out, err = cli(tmp_path / "office", "sync", "run", str(share), "--plaintext", "--allow-plaintext")
    assert code == 0, err
    code, out, _ = cli(tmp_path / "office", "sync", "conflicts")
    assert code == 0
    header, row = out.splitlines()
    assert header.startswith("conflict\trecord\tid\tother laptop")
    assert row.split("\t")[1] == "post-it"  # the record in words, never the table's name
    # At the office, b's edit never replaces a row laptop a wrote: it waits as a conflict.
    assert 'comment: "said on a" here, "said on b" there' in row
    conflict = row.split("\t")[0]
    assert cli(tmp_path / "office", "sync", "resolve", conflict)[0] == 2
    code, out, _ = cli(tmp_path / "office", "sync", "resolve", conflict, "--take")
    assert code == 0 and "took the other version" in out
    assert cli(tmp_path / "office", "sync", "conflicts")[2] == "no conflicts\n"
    with open_store(tmp_path / "office") as office:
        assert office.postits.of(session)[0].comment == "said on b"
