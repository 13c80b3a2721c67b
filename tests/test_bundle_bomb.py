"""A bundle whose payload expands far beyond its size (a zip bomb) is refused, and reading it
never holds more than a little of it in memory, whatever its manifest declares."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from facilitator.sync import bundle
from facilitator.sync.signing import Signer, public_key

# The device that signs the bombs: a laptop enrolled and then gone bad, or its key stolen.
SIGNER = Signer("4f1c2d7e-0000-4000-8000-000000000001", b"\x05" * 32)


def trusted(device_id: str) -> bytes:
    assert device_id == SIGNER.device_id
    return public_key(SIGNER.seed)


# The bomb: one table line whose only value is this many copies of one byte.
BOMB_BYTES = 500 << 20
HEAD = b'{"table":"postits","columns":["id"],"rows":[["'
TAIL = b'"]]}\n'
# What reading a bundle may take, the interpreter and the program included.
MEMORY_LIMIT_MB = 200

READ = """
import resource, sys
from facilitator.sync import bundle
from facilitator.sync.signing import public_key
path = sys.argv[1]
try:
    bundle.decode(open(path, "rb").read(), path, lambda device: public_key(b"\\x05" * 32)).tables
    print("accepted")
except bundle.BundleError as error:
    print(error)
# The peak of this process since it started. ru_maxrss would count the parent's memory
# too (it was forked from the test process), so read the kernel's high-water mark.
try:
    status = open("/proc/self/status").read()
    print(int(status.split("VmHWM:")[1].split()[0]) // 1024)
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def bomb_payload() -> tuple[bytes, int]:
    """A valid-looking table line of ~500 MB of one byte, compressed a chunk at a time; and its raw size."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(HEAD)]
    block = b"a" * (8 << 20)
    for _ in range(BOMB_BYTES // len(block)):
        parts.append(packer.compress(block))
    parts += [packer.compress(TAIL), packer.flush()]
    return b"".join(parts), len(HEAD) + BOMB_BYTES + len(TAIL)


def make_bomb(path: Path, declared: int | None, payload: tuple[bytes, int] | None = None) -> Path:
    """Write a bomb bundle whose manifest declares `declared` payload bytes (None: its true size)."""
    compressed, raw_size = payload or bomb_payload()
    manifest = {
        "format": bundle.FORMAT_VERSION,
        "device_id": SIGNER.device_id,
        "sequence": 1,
        "created_at": "2010-03-04T10:00:00.000000+00:00",
        "complete": True,
        "tables": {"postits": 1},
        "payload_sha256": hashlib.sha256(compressed).hexdigest(),
        "payload_bytes": raw_size if declared is None else declared,
    }
    path.write_bytes(bundle.seal(manifest, compressed, None, SIGNER))
    return path


def read_in_a_fresh_process(path: Path) -> tuple[str, int]:
    """The message reading the bundle gives, and the peak memory (MB) of the process that read it."""
    done = subprocess.run(
        [sys.executable, "-c", READ, str(path)], capture_output=True, text=True, check=True, timeout=120
    )
    message, peak = done.stdout.strip().splitlines()
    return message, int(peak)


@pytest.mark.slow
def test_a_zip_bomb_is_refused_whatever_its_manifest_declares(tmp_path: Path) -> None:
    payload = bomb_payload()
    compressed, raw_size = payload
    assert raw_size > 500_000_000 and len(compressed) < 2_000_000
    cases = {
        "honest": (None, "more than the"),  # past the most a bundle may hold
        "too-large": (100 << 20, f"more than {bundle.MAX_EXPANSION} times its"),  # past the ratio
        "at-the-ratio": (
            bundle.MAX_EXPANSION * len(compressed),
            "expands past the size its manifest declares",
        ),
        "small": (1000, "expands past the size its manifest declares"),
    }
    for case, (declared, reason) in cases.items():
        path = make_bomb(tmp_path / f"{case}.bundle", declared, payload)
        message, peak = read_in_a_fresh_process(path)
        assert message.startswith(f"{path} is refused: ") and reason in message, (case, message)
        assert "\n" not in message
        assert peak < MEMORY_LIMIT_MB, (case, peak)


def test_a_real_payload_is_read_in_chunks_and_must_come_out_exactly_as_declared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [[f"{n:08x}-0000-4000-8000-{n:012x}", "x" * (n % 50)] for n in range(5000)]
    tables = [bundle.TableRows("postits", ["id", "comment"], rows), bundle.TableRows("notes", ["id"], [])]
    monkeypatch.setattr(bundle, "EXPAND_CHUNK", 997)  # lines span many chunks
    data, manifest = bundle.encode(
        SIGNER.device_id, 1, "2010-03-04", tables, complete=True, recipients=None, signer=SIGNER
    )
    read = bundle.decode(data, "good.bundle", trusted).tables
    assert [(t.table, t.rows) for t in read] == [("postits", rows), ("notes", [])]
    payload = bundle.decode(data, "good.bundle", trusted).payload
    for declared in (manifest.payload_bytes - 1, manifest.payload_bytes + 1):
        fields = dict(manifest.to_json(), payload_bytes=declared)
        with pytest.raises(bundle.BundleError) as refused:
            _ = bundle.decode(bundle.seal(fields, payload, None, SIGNER), "short.bundle", trusted).tables
        assert str(refused.value).startswith("short.bundle is ")
