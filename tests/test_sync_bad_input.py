"""Every bad bundle: one line on stderr, exit code 2, and the database exactly as before."""

from __future__ import annotations

import hashlib
import os
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from facilitator.cli import main
from facilitator.sync import bundle, keys
from facilitator.sync import merge as sync
from tests.sync_helpers import new_session, open_store, read_back, reissue, signer_of, whole_database
from tests.sync_helpers import parts_of as parts_of

LAPTOP_RECIPIENT_FILE = "office.key"


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """A laptop with a session and two post-its, its bundles, and an office data folder."""
    identity = tmp_path / LAPTOP_RECIPIENT_FILE
    recipient = keys.new_identity(identity)
    with open_store(tmp_path / "laptop") as laptop:
        laptop_signer = signer_of(laptop)
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
    SIGNERS[tmp_path] = laptop_signer
    return {
        "plain": plain,
        "sealed": sealed,
        "identity": identity,
        "office": tmp_path / "office",
        "tmp": tmp_path,
    }


# The laptop's signer, per test world: forged bundles below are signed by the real laptop,
# so they meet every later check (an enrolled laptop gone bad, or its key stolen).
SIGNERS: dict[Path, bundle.Signer] = {}


def run_import(world: dict[str, Path], path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["--data-dir", str(world["office"]), "sync", "import", "--allow-plaintext", str(path), *extra],
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


def reseal(world: dict[str, Path], manifest: dict[str, object], payload: bytes) -> bytes:
    return bundle.seal(manifest, payload, None, SIGNERS[world["tmp"]])


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
    forged = variant(world, "forged.bundle", reseal(world, manifest, payload))
    assert_refused(world, forged, "does not match the SHA-256 in its manifest")


def test_a_bundle_from_a_newer_format(world):
    data = world["plain"].read_bytes()
    newer_header = variant(
        world, "newer.bundle", data.replace(b"facilitator-bundle 2 ", b"facilitator-bundle 3 ", 1)
    )
    assert_refused(world, newer_header, "newer than this facilitator reads")
    manifest, payload = parts_of(world["plain"])
    manifest["format"] = 3
    assert_refused(
        world, variant(world, "newer2.bundle", reseal(world, manifest, payload)), "update facilitator"
    )


def test_the_wrong_identity_or_none(world):
    other = world["tmp"] / "other.key"
    keys.new_identity(other)
    assert_refused(world, world["sealed"], "encrypted for another key", "--identity", str(other))
    assert_refused(world, world["sealed"], "pass --identity")


def test_a_plaintext_bundle_whose_rows_reference_missing_sessions(world):
    device = SIGNERS[world["tmp"]].device_id
    stamp = "2026-01-01T00:00:00.000000Z"
    columns = ["id", "session_id", "statement_number", "response_key", "comment", "participant"]
    columns += ["created_at", "updated_at", "device_id", "deleted_at"]
    row = [str(uuid.uuid4()), str(uuid.uuid4()), 1, "agree", "", None, stamp, stamp, device, None]
    data, _ = bundle.encode(
        device,
        1,
        stamp,
        [bundle.TableRows("postits", columns, [row])],
        complete=False,
        recipients=None,
        signer=SIGNERS[world["tmp"]],
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
        office_signer = signer_of(office)
    manifest, payload = parts_of(world["plain"])
    manifest["device_id"] = office_signer.device_id
    forged = variant(world, "mine.bundle", bundle.seal(manifest, payload, None, office_signer))
    assert_refused(world, forged, "was not made here")


def test_a_bundle_whose_payload_is_not_what_it_claims(world):
    manifest, _payload = parts_of(world["plain"])
    payload = zlib.compress(b'{"table":"postits","columns":["id"],"rows":[["x"]]}\n')
    manifest["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    manifest["payload_bytes"] = len(zlib.decompress(payload))
    assert_refused(world, variant(world, "lying.bundle", reseal(world, manifest, payload)), "damaged")


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
    assert written.read_bytes().startswith(b"facilitator-bundle 2 plain\nsigned ")


def rebuilt(world: dict[str, Path], name: str, change: Any) -> Path:
    """The laptop's plaintext bundle with its tables changed by `change(tables)`, under a new name."""
    return reissue(world["plain"], world["tmp"] / name, change)


def test_a_bundle_carrying_conflicts_is_refused(world):
    """Conflicts are what each device itself recorded: a bundle cannot plant one."""
    device = read_back(world["plain"]).manifest.device_id
    stamp = "2026-01-01T00:00:00.000000Z"
    columns = ["id", "table_name", "row_id", "version", "created_at", "updated_at", "device_id", "deleted_at"]
    planted = [str(uuid.uuid4()), "postits", str(uuid.uuid4()), "{}", stamp, stamp, device, None]
    conflicts = bundle.TableRows("sync_conflicts", columns, [planted])
    path = rebuilt(world, "planted.bundle", lambda tables: [*tables, conflicts])
    assert_refused(world, path, "'sync_conflicts', which is never synced")


def test_a_row_carrying_another_devices_id_is_refused(world):
    other = str(uuid.uuid4())

    def forge(tables: list[bundle.TableRows]) -> list[bundle.TableRows]:
        for rows in tables:
            if rows.table == "postits":
                rows.rows[0][rows.columns.index("device_id")] = other  # type: ignore[index]
        return tables

    path = rebuilt(world, "forged-author.bundle", forge)
    assert_refused(world, path, f"written by device '{other[:8]}'")


def test_an_older_differing_version_from_the_same_device_is_reported_as_conflicted(world):
    with open_store(world["tmp"] / "laptop") as laptop:
        [session] = laptop.sessions.all()
        postit = laptop.postits.of(session.id)[0]
        laptop.postits.edit(postit.id, "first reading")
        older = sync.export_bundle(laptop, world["tmp"] / "plain", plaintext=True).path
        laptop.postits.edit(postit.id, "second reading")
        newer = sync.export_bundle(laptop, world["tmp"] / "plain", plaintext=True).path
    code, err = run_import(world, newer)
    assert code == 0, err
    result = CliRunner().invoke(
        main, ["--data-dir", str(world["office"]), "sync", "import", "--allow-plaintext", str(older)]
    )
    assert result.exit_code == 0, result.stderr
    # Every row of the older bundle but the post-it is as the office holds it.
    rows = sum(read_back(older).manifest.tables.values())
    expected = f"added 0, updated 0, unchanged {rows - 1}, conflicted 1"
    assert result.stdout.strip().endswith(expected), result.stdout
    listed = CliRunner().invoke(main, ["--data-dir", str(world["office"]), "sync", "conflicts"])
    [_header, row] = listed.stdout.splitlines()
    assert '"second reading" here, "first reading" there' in row
