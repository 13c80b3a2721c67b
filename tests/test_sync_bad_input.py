"""Every bad bundle: one line on stderr, exit code 2, and the database exactly as before."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.cli import main
from facilitator.sync import bundle, keys
from facilitator.sync import merge as sync
from tests.sync_helpers import new_session, open_store, whole_database

LAPTOP_RECIPIENT_FILE = "office.key"


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """A laptop with a session and two post-its, its bundles, and an office data folder."""
    identity = tmp_path / LAPTOP_RECIPIENT_FILE
    recipient = keys.new_identity(identity)
    with open_store(tmp_path / "laptop") as laptop:
        keys.trust(laptop, recipient)
        session = new_session(laptop)
        laptop.postits.add(session.id, 1, "agree", "a comment")
        laptop.postits.add(session.id, 2, "disagree")
        (tmp_path / "plain").mkdir()
        (tmp_path / "sealed").mkdir()
        plain = sync.export_bundle(laptop, tmp_path / "plain", everything=True, plaintext=True).path
        sealed = sync.export_bundle(laptop, tmp_path / "sealed", everything=True).path
    with open_store(tmp_path / "office") as office:
        office.device_id  # noqa: B018  (the office's database exists before the bad import)
    return {
        "plain": plain,
        "sealed": sealed,
        "identity": identity,
        "office": tmp_path / "office",
        "tmp": tmp_path,
    }


def run_import(world: dict[str, Path], path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["--data-dir", str(world["office"]), "sync", "import", str(path), *extra]
    )
    return result.exit_code, result.stderr


def assert_refused(world: dict[str, Path], path: Path, needle: str, *extra: str) -> None:
    before = whole_database(world["office"])
    code, err = run_import(world, path, *extra)
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert needle in err
    assert whole_database(world["office"]) == before


def variant(world: dict[str, Path], name: str, data: bytes) -> Path:
    path = world["tmp"] / name
    path.write_bytes(data)
    return path


def reseal(manifest: dict[str, object], payload: bytes) -> bytes:
    return bundle.seal(manifest, payload, None)


def parts_of(path: Path) -> tuple[dict[str, object], bytes]:
    data = path.read_bytes()
    body = data[data.index(b"\n") + 1 : -bundle.DIGEST_SIZE]
    end = body.index(b"\n")
    return json.loads(body[:end]), body[end + 1 :]


def test_a_good_bundle_imports(world):
    code, err = run_import(world, world["sealed"], "--identity", str(world["identity"]))
    assert code == 0, err


def test_a_truncated_bundle(world):
    data = world["plain"].read_bytes()
    assert_refused(world, variant(world, "cut.bundle", data[: len(data) * 2 // 3]), "truncated")
    sealed = world["sealed"].read_bytes()
    cut = variant(world, "cut-sealed.bundle", sealed[: len(sealed) - 40])
    assert_refused(world, cut, "truncated", "--identity", str(world["identity"]))


@pytest.mark.parametrize("kind", ["plain", "sealed"])
def test_a_bundle_with_one_flipped_byte(world, kind):
    data = bytearray(world[kind].read_bytes())
    data[len(data) // 2] ^= 0x01
    assert_refused(
        world, variant(world, "flipped.bundle", bytes(data)), "damaged", "--identity", str(world["identity"])
    )


def test_a_manifest_whose_hash_does_not_match(world):
    manifest, payload = parts_of(world["plain"])
    manifest["payload_sha256"] = hashlib.sha256(b"something else").hexdigest()
    forged = variant(world, "forged.bundle", reseal(manifest, payload))
    assert_refused(world, forged, "does not match the SHA-256 in its manifest")


def test_a_bundle_from_a_newer_format(world):
    data = world["plain"].read_bytes()
    newer_header = variant(
        world, "newer.bundle", data.replace(b"facilitator-bundle 1 ", b"facilitator-bundle 2 ", 1)
    )
    assert_refused(world, newer_header, "newer than this facilitator reads")
    manifest, payload = parts_of(world["plain"])
    manifest["format"] = 2
    assert_refused(world, variant(world, "newer2.bundle", reseal(manifest, payload)), "update facilitator")


def test_the_wrong_identity_or_none(world):
    other = world["tmp"] / "other.key"
    keys.new_identity(other)
    assert_refused(world, world["sealed"], "encrypted for another key", "--identity", str(other))
    assert_refused(world, world["sealed"], "pass --identity")


def test_a_plaintext_bundle_whose_rows_reference_missing_sessions(world):
    device = str(uuid.uuid4())
    stamp = "2020-01-01T00:00:00.000000Z"
    columns = ["id", "session_id", "statement_number", "response_key", "comment", "participant"]
    columns += ["created_at", "updated_at", "device_id", "deleted_at"]
    row = [str(uuid.uuid4()), str(uuid.uuid4()), 1, "agree", "", None, stamp, stamp, device, None]
    data, _ = bundle.encode(
        device, 1, stamp, [bundle.TableRows("postits", columns, [row])], complete=False, recipients=None
    )
    assert_refused(world, variant(world, "orphans.bundle", data), "in neither the bundle nor this database")


def test_a_random_file(world):
    assert_refused(world, variant(world, "random.bundle", os.urandom(4096)), "not a facilitator bundle")


def test_an_empty_file(world):
    assert_refused(world, variant(world, "empty.bundle", b""), "is empty")


def test_a_bundle_renamed_to_look_like_another_devices(world):
    name = world["plain"].name
    claimed = bundle.name_parts(name)
    assert claimed is not None
    renamed = name.replace(claimed[0], str(uuid.uuid4()))
    assert_refused(world, variant(world, renamed, world["plain"].read_bytes()), "was renamed")


def test_a_bundle_claiming_to_come_from_this_very_device(world):
    """A copied data folder makes two laptops share an id: refuse rather than merge blindly."""
    with open_store(world["office"]) as office:
        office_id = office.device_id
    manifest, payload = parts_of(world["plain"])
    manifest["device_id"] = office_id
    forged = variant(world, "mine.bundle", reseal(manifest, payload))
    assert_refused(world, forged, "was not made here")


def test_a_bundle_whose_payload_is_not_what_it_claims(world):
    manifest, _payload = parts_of(world["plain"])
    payload = zlib.compress(b'{"table":"postits","columns":["id"],"rows":[["x"]]}\n')
    manifest["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    manifest["payload_bytes"] = len(zlib.decompress(payload))
    assert_refused(world, variant(world, "lying.bundle", reseal(manifest, payload)), "damaged")


def test_export_without_a_recipient_says_what_to_do(tmp_path):
    result = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path / "d"), "sync", "export", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "keys trust" in result.stderr and "--plaintext" in result.stderr
    assert not list(tmp_path.glob("*.bundle"))


def test_plaintext_export_warns(tmp_path):
    result = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path / "d"), "sync", "export", "--out", str(tmp_path), "--plaintext"]
    )
    assert result.exit_code == 0, result.stderr
    assert "UNENCRYPTED" in result.stderr
    [written] = tmp_path.glob("facilitator-*.bundle")
    assert written.read_bytes().startswith(b"facilitator-bundle 1 plain\n")
