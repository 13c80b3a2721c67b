"""An import killed midway leaves the database as it was; mutated bundles never crash an import."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from facilitator.core.errors import FacilitatorError
from facilitator.store import NewPostit
from facilitator.sync import keys
from facilitator.sync import merge as sync
from tests.sync_helpers import integrity, new_session, open_store, take, whole_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_an_import_killed_midway_leaves_the_database_as_before(tmp_path):
    with open_store(tmp_path / "laptop") as laptop:
        session = new_session(laptop)
        laptop.postits.add_many(session.id, [NewPostit(1 + i % 4, "agree", f"c{i}") for i in range(300)])
        path = sync.export_bundle(laptop, tmp_path, plaintext=True).path
    with open_store(tmp_path / "office") as office:
        other = new_session(office, "Already here")
        office.postits.add(other.id, 1, "agree", "kept")
    before = whole_database(tmp_path / "office")
    marker = tmp_path / "paused"
    command = [
        sys.executable,
        "-m",
        "facilitator",
        "--data-dir",
        str(tmp_path / "office"),
        "sync",
        "import",
        "--allow-plaintext",
        str(path),
    ]
    # The driver passes the import a hook that pauses inside its transaction, after its first table.
    pausing = [sys.executable, "-m", "tests.pausing_import", str(tmp_path / "office"), str(path), str(marker)]
    child = subprocess.Popen(pausing, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the import never reached its pause"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert integrity(tmp_path / "office") == "ok"
    assert whole_database(tmp_path / "office") == before
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "added 303" in done.stdout  # the device, consultation, session and 300 post-its
    with open_store(tmp_path / "office") as office:
        assert len(office.postits.of(session.id)) == 300
        assert integrity(tmp_path / "office") == "ok"


def mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(5)
    body = bytearray(data)
    if kind == 0:
        for _ in range(rng.randint(1, 3)):
            body[rng.randrange(len(body))] ^= 1 << rng.randrange(8)
    elif kind == 1:
        del body[rng.randrange(len(body)) :]
    elif kind == 2:
        spot = rng.randrange(len(body) + 1)
        body[spot:spot] = rng.randbytes(rng.randint(1, 16))
    elif kind == 3:
        start = rng.randrange(len(body))
        del body[start : start + rng.randint(1, 32)]
    else:
        start = rng.randrange(len(body))
        body[start:start] = body[start : start + rng.randint(1, 64)]
    return bytes(body)


def test_a_thousand_mutated_signed_bundles_are_all_refused_cleanly(tmp_path):
    """Every change to a signed bundle, anywhere in it, is refused with one line: none is
    accepted, none raises anything but a FacilitatorError, and the data never changes."""
    identity_file = tmp_path / "office.key"
    recipient = keys.new_identity(identity_file)
    identities = keys.load_identities(identity_file)
    with open_store(tmp_path / "laptop") as laptop:
        session = new_session(laptop)
        for number, response, comment in [(1, "agree", "ok"), (2, "disagree", "=1+1"), (3, "neutral", "é ✓")]:
            laptop.postits.add(session.id, number, response, comment)
        plain = sync.export_bundle(laptop, tmp_path, plaintext=True).path.read_bytes()
        sealed = sync.export_bundle(
            laptop, tmp_path, everything=True, recipients=[recipient]
        ).path.read_bytes()
    rng = random.Random(20100601)
    refused = imported = 0
    with open_store(tmp_path / "office") as office:
        take(office, _write(tmp_path, "good", plain))
        expected = sync.canonical_dump(office)
        for index in range(1000):
            original = sealed if index % 10 == 0 else plain
            mutated = mutate(original, rng)
            while mutated == original:
                mutated = mutate(original, rng)
            path = _write(tmp_path, f"m{index}", mutated)
            try:
                take(office, path, identities, force=True)
            except FacilitatorError as error:
                assert "\n" not in str(error)
                refused += 1
            else:
                imported += 1
            assert sync.canonical_dump(office) == expected, f"mutation {index} changed the data"
    assert (refused, imported) == (1000, 0)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / f"{name}.bundle"
    path.write_bytes(data)
    return path
