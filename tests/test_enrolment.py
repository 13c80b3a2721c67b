"""Only enrolled laptops can add data at the office, set up as a person does it from the README.

Everything here goes through the command line: the office makes its keys, each laptop
trusts the office code, the office enrols the laptop's enrolment code, and bundles
travel on a "USB stick" (a folder). A refused bundle is one line on stderr, exit code 2,
and the office's database exactly as before.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import pyrage
import pytest
from click.testing import Result

from facilitator.sync import bundle, keys
from facilitator.sync.signing import Signer
from tests.folders import open_folder
from tests.sync_helpers import Place, whole_database


@pytest.fixture
def room(tmp_path: Path) -> dict[str, object]:
    """An office with its keys, one enrolled laptop with a session, a stranger, and a stick."""
    office, laptop, stranger = Place(tmp_path / "office"), Place(tmp_path / "laptop"), Place(tmp_path / "x")
    identity = tmp_path / "office.key"
    code = office.ok("keys", "new", "--out", str(identity)).strip()
    for place in (laptop, stranger):
        place.ok("keys", "trust", code)
    office.ok("devices", "enrol", laptop.ok("keys", "show", "--enrolment").strip(), "--label", "Laptop 1")
    session = laptop.ok(
        "session", "new", "--set", "does-social-work-care", "--label", "Adult focus group 1",
        "--cohort", "adults", "--setting", "prison",
    ).strip()  # fmt: skip
    laptop.ok("record", session, "1", "agree")
    stick = tmp_path / "stick"
    stick.mkdir()
    return {
        "office": office,
        "laptop": laptop,
        "stranger": stranger,
        "identity": identity,
        "code": code,
        "session": session,
        "stick": stick,
        "tmp": tmp_path,
    }


def export(place: Place, folder: Path, *extra: str) -> Path:
    out = place.ok("sync", "export", "--out", str(folder), *extra)
    name = out.split(":")[0].removeprefix("wrote ")
    return Path(name)


def office_import(room: dict[str, object], *paths: Path, extra: tuple[str, ...] = ()) -> Result:
    office = room["office"]
    assert isinstance(office, Place)
    return office("sync", "import", *map(str, paths), "--identity", str(room["identity"]), *extra)


def assert_refused(room: dict[str, object], path: Path, *needles: str, extra: tuple[str, ...] = ()) -> str:
    office = room["office"]
    assert isinstance(office, Place)
    before = whole_database(office.data_dir)
    result = office_import(room, path, extra=extra)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert whole_database(office.data_dir) == before
    return result.stderr


def test_an_enrolled_laptops_bundle_is_imported(room):
    path = export(room["laptop"], room["stick"])
    result = office_import(room, path)
    assert result.exit_code == 0, result.stderr
    assert "added" in result.stdout
    with room["office"].store() as office:
        assert [s.id for s in office.sessions.all()] == [room["session"]]
    listed = json.loads(room["office"].ok("devices", "list", "--json"))
    assert [(d["label"], d["status"], d["bundles_imported"]) for d in listed] == [("Laptop 1", "enrolled", 1)]


def test_a_bundle_from_a_laptop_the_office_never_enrolled_is_refused(room):
    stranger = room["stranger"]
    stranger.ok(
        "session", "new", "--set", "does-social-work-care", "--label", "Planted",
        "--cohort", "adults", "--setting", "prison",
    )  # fmt: skip
    path = export(stranger, room["stick"])
    with stranger.store() as store:
        device = store.device_id
    assert_refused(room, path, f"signed by device {device[:8]}", "has not enrolled")


def test_a_bundle_decrypted_edited_and_re_encrypted_to_the_office_is_refused(room):
    """Whoever holds the office's public key can encrypt to it, but cannot sign as the laptop."""
    path = export(room["laptop"], room["stick"])
    data = path.read_bytes()
    header_end = data.index(b"\n")
    line_end = data.index(b"\n", header_end + 1)
    identities = keys.load_identities(room["identity"])
    body = pyrage.decrypt(data[line_end + 1 :], identities)
    content = body[: -bundle.DIGEST_SIZE]
    manifest_end = content.index(b"\n")
    manifest = json.loads(content[:manifest_end])
    raw = zlib.decompress(content[manifest_end + 1 :]).replace(b'"agree"', b'"disagree"')
    payload = zlib.compress(raw)
    manifest["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    manifest["payload_bytes"] = len(raw)
    head = json.dumps(manifest, separators=(",", ":")).encode() + b"\n"
    inner = head + payload
    inner += hashlib.sha256(inner).digest()
    recipient = room["code"].split(":")[2]
    sealed = pyrage.encrypt(inner, [pyrage.x25519.Recipient.from_str(recipient)])
    # The laptop's signature line kept, with the new length: the signature no longer matches.
    device, _length, signature = data[header_end + 1 : line_end].decode().split(" ")[1:]
    forged = room["tmp"] / "edited.bundle"
    line = f"signed {device} {len(sealed)} {signature}\n".encode()
    forged.write_bytes(data[: header_end + 1] + line + sealed)
    assert_refused(room, forged, "does not match its signature", "refused")
    # With the old length kept instead, it is refused as cut short or altered.
    kept = room["tmp"] / "kept.bundle"
    kept.write_bytes(data[: line_end + 1] + sealed[: len(data) - line_end - 2])
    assert_refused(room, kept, "refused")
    # Signed afresh by a key of the forger's own, claiming to be the laptop: not the enrolled key.
    resigned = room["tmp"] / "resigned.bundle"
    resigned.write_bytes(bundle.sign_body(data[:header_end], sealed, Signer(device, b"\x07" * 32)))
    assert_refused(room, resigned, "does not match its signature")


def test_a_revoked_laptops_next_bundle_is_refused(room):
    first = export(room["laptop"], room["stick"])
    assert office_import(room, first).exit_code == 0
    room["laptop"].ok("record", room["session"], "2", "disagree")
    second = export(room["laptop"], room["stick"])
    said = room["office"].ok("devices", "revoke", "Laptop 1")
    assert "revoked laptop 'Laptop 1'" in said
    assert_refused(room, second, "was revoked on", "Laptop 1")
    with room["office"].store() as office:  # what came before the revocation stays
        assert len(office.postits.of(room["session"])) == 1
    listed = room["office"].ok("devices", "list")
    assert "revoked" in listed and "Laptop 1" in listed
    # Enrolled again, the same bundle is taken.
    room["office"].ok("devices", "enrol", room["laptop"].ok("keys", "show", "--enrolment").strip())
    assert office_import(room, second).exit_code == 0


def test_plaintext_is_refused_without_allow_plaintext(room):
    path = export(room["laptop"], room["stick"], "--plaintext")
    assert_refused(room, path, "is not encrypted", "--allow-plaintext")
    taken = office_import(room, path, extra=("--allow-plaintext",))
    assert taken.exit_code == 0, taken.stderr
    assert "added" in taken.stdout


def test_a_plaintext_bundle_from_a_stranger_is_refused_even_when_allowed(room):
    path = export(room["stranger"], room["stick"], "--plaintext")
    assert_refused(room, path, "has not enrolled", extra=("--allow-plaintext",))


def test_a_laptop_never_silently_takes_a_plaintext_forgery_found_on_a_stick(room):
    """`sync run` on a laptop: a stranger's plaintext bundle on the stick is left alone."""
    export(room["stranger"], room["stick"], "--plaintext")
    laptop = room["laptop"]
    before = whole_database(laptop.data_dir)
    result = laptop("sync", "run", str(room["stick"]))
    assert result.exit_code == 0, result.stderr
    assert "no new bundles from other devices" in result.stdout
    assert "not signed by the office this laptop trusts" in result.stderr
    after = whole_database(laptop.data_dir)
    assert after["sessions"] == before["sessions"] and after["postits"] == before["postits"]


def test_a_laptop_accepts_what_its_office_signed(room):
    """The office's own bundle (signed by the office) is taken by the laptop that trusts it."""
    office = room["office"]
    office.ok(
        "session", "new", "--set", "does-social-work-care", "--label", "Office session",
        "--cohort", "adults", "--setting", "community",
    )  # fmt: skip
    path = export(office, room["stick"], "--plaintext")
    result = room["laptop"]("sync", "import", "--allow-plaintext", str(path))
    assert result.exit_code == 0, result.stderr
    with room["laptop"].store() as laptop:
        assert "Office session" in [s.label for s in laptop.sessions.all()]


def test_a_folder_with_a_bundle_from_a_stranger_still_imports_the_good_ones(room):
    export(room["laptop"], room["stick"])
    room["stranger"].ok(
        "session", "new", "--set", "does-social-work-care", "--label", "Planted",
        "--cohort", "adults", "--setting", "prison",
    )  # fmt: skip
    export(room["stranger"], room["stick"])
    (room["stick"] / "facilitator-garbage.bundle").write_bytes(b"facilitator-bundle 2 age\nnonsense")
    result = room["office"]("sync", "run", str(room["stick"]), "--identity", str(room["identity"]))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": added") == 1
    assert "has not enrolled" in result.stderr and "facilitator-garbage.bundle" in result.stderr
    with room["office"].store() as office:
        assert [s.label for s in office.sessions.all()] == ["Adult focus group 1"]


def test_enrolment_codes_are_checked(room):
    office = room["office"]
    code = room["laptop"].ok("keys", "show", "--enrolment").strip()
    for bad, says in [
        ("hello", "not an enrolment code"),
        (code[:-2] + "AA", "fingerprint does not match"),
        (code.replace(code.split(":")[2][:4], "AAAA"), "mistyped"),
        (room["code"], "that is an office code"),
    ]:
        result = office("devices", "enrol", bad)
        assert result.exit_code == 2 and says in result.stderr, (bad, result.stderr)
        assert result.stderr.count("\n") == 1
    # A laptop is not an office: it cannot enrol anyone.
    refused = room["laptop"]("devices", "enrol", code)
    assert refused.exit_code == 2 and "not an office" in refused.stderr
    assert office("devices", "revoke", "nobody").exit_code == 2


def test_the_fingerprint_the_office_prints_is_the_one_the_laptop_shows(room):
    shown = room["laptop"]("keys", "show", "--enrolment")
    fingerprint = shown.stdout.strip().split(":")[-1]
    assert fingerprint in shown.stderr
    listed = room["office"].ok("devices", "list")
    assert fingerprint in listed


MEASURED_IMPORT = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(done.returncode)
print(done.stderr.strip())
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


@pytest.mark.slow
def test_a_bomb_from_an_enrolled_laptop_is_refused_within_the_memory_bound(room):
    """A 0.5 MB bundle expanding to 500 MB, signed by an enrolled laptop (gone bad, or its key
    stolen): `sync import` refuses it, and its process never holds more than 200 MB."""
    import subprocess
    import sys

    from tests.sync_helpers import signer_of
    from tests.test_bundle_bomb import bomb_payload

    compressed, raw_size = bomb_payload()
    with room["laptop"].store() as laptop:
        signer = signer_of(laptop)
    manifest = {
        "format": bundle.FORMAT_VERSION,
        "device_id": signer.device_id,
        "sequence": 7,
        "created_at": "2026-03-04T10:00:00.000000Z",
        "complete": False,
        "tables": {"postits": 1},
        "payload_sha256": hashlib.sha256(compressed).hexdigest(),
        "payload_bytes": 1000,
    }
    path = room["tmp"] / "bomb.bundle"
    path.write_bytes(bundle.seal(manifest, compressed, None, signer))
    assert path.stat().st_size < 2_000_000 < 500_000_000 < raw_size
    office = room["office"]
    before = whole_database(office.data_dir)
    command = [sys.executable, "-m", "facilitator", "--data-dir", str(office.data_dir)]
    command += ["sync", "import", "--allow-plaintext", str(path)]
    done = subprocess.run(
        [sys.executable, "-c", MEASURED_IMPORT, *command], capture_output=True, text=True, check=True
    )
    code, message, peak = done.stdout.strip().split("\n")
    assert code == "2" and message.startswith("error: ") and "expands past the size" in message, message
    assert int(peak) < 200, peak
    assert whole_database(office.data_dir) == before


def test_a_laptop_whose_clock_runs_three_years_ahead_has_its_bundle_refused(room):
    """Its stamps are three years ahead of the office's clock: the line names the device and stamp."""
    from datetime import UTC, datetime, timedelta

    from facilitator.core.clock import Clock
    from facilitator.sync import merge as sync

    ahead = Clock(lambda: datetime.now(UTC) + timedelta(days=3 * 365))
    with open_folder(room["laptop"].data_dir, clock=ahead) as laptop:
        laptop.postits.add(room["session"], 3, "neutral", "written on a laptop from the future")
        path = sync.export_bundle(laptop, room["stick"]).path
        device = laptop.device_id
    message = assert_refused(room, path, f"from device {device[:8]}", "more than a day ahead")
    year = str(datetime.now(UTC).year + 3)
    assert f"updated_at {year}-" in message or f"created_at {year}-" in message, message


def second_laptop(room: dict[str, object]) -> Place:
    """Another laptop, set up and enrolled, with a session of its own and a post-it."""
    laptop = Place(room["tmp"] / "laptop-b")
    laptop.ok("keys", "trust", room["code"])
    room["office"].ok("devices", "enrol", laptop.ok("keys", "show", "--enrolment").strip(), "--label", "B")
    session = laptop.ok(
        "session", "new", "--set", "does-social-work-care", "--label", "Group B",
        "--cohort", "adults", "--setting", "community",
    ).strip()  # fmt: skip
    laptop.ok("record", session, "1", "disagree")
    return laptop


def test_an_enrolled_laptop_cannot_overwrite_another_laptops_rows(room):
    """Laptop A signs a bundle rewriting laptop B's post-it as its own: the office keeps B's
    words, and A's version waits as a conflict for a person to review."""
    from facilitator.sync import merge as sync
    from tests.sync_helpers import signer_of

    b = second_laptop(room)
    assert office_import(room, export(b, room["stick"])).exit_code == 0
    with room["office"].store() as office:
        [postit] = [p for s in office.sessions.all() for p in office.postits.of(s.id) if s.label == "Group B"]
        row = office.sync.row("postits", postit.id)
    assert row is not None
    with room["laptop"].store() as laptop:
        signer = signer_of(laptop)
        stamp = laptop.clock.now()
    forged = dict(row, comment="OVERWRITTEN by A", device_id=signer.device_id, updated_at=stamp)
    columns = list(forged)
    data, _ = bundle.encode(
        signer.device_id,
        99,
        stamp,
        [bundle.TableRows("postits", columns, [[forged[c] for c in columns]])],
        complete=False,
        recipients=[room["code"].split(":")[2]],
        signer=signer,
    )
    path = room["tmp"] / "overwrite.bundle"
    path.write_bytes(data)
    result = office_import(room, path)
    assert result.exit_code == 0, result.stderr
    assert "overwrite.bundle: added 0, updated 0, unchanged 0, conflicted 1\n" in result.stdout
    with room["office"].store() as office:
        assert office.postits.get(postit.id).comment == ""
        assert office.sync.row("postits", postit.id) == row
        assert [c.other["comment"] for c in sync.conflicts(office)] == ["OVERWRITTEN by A"]


def test_the_office_trusts_no_other_office(room, tmp_path):
    other = Place(tmp_path / "other-office")
    code = other.ok("keys", "new", "--out", str(tmp_path / "other.key")).strip()
    refused = room["office"]("keys", "trust", code)
    assert refused.exit_code == 2 and "this data folder is an office" in refused.stderr


def test_a_signed_bundle_nested_too_deeply_is_refused_in_one_line(room):
    from tests.sync_helpers import signer_of

    with room["laptop"].store() as laptop:
        signer = signer_of(laptop)
    deep = b"[" * 100_000 + b"]" * 100_000
    body = deep + b"\n" + b"x"
    body += hashlib.sha256(body).digest()
    path = room["tmp"] / "deep.bundle"
    path.write_bytes(bundle.sign_body(bundle.MAGIC + b" 2 plain", body, signer))
    assert_refused(room, path, "its manifest is not JSON", extra=("--allow-plaintext",))


def test_a_file_larger_than_any_bundle_is_refused_before_it_is_read(room):
    path = room["tmp"] / "huge.bundle"
    with path.open("wb") as file:
        file.write(b"facilitator-bundle 2 plain\n")
        file.truncate(bundle.MAX_FILE + 1)  # sparse: no disk is used
    assert_refused(room, path, "more than a bundle can be")


def test_the_length_in_the_signature_line_must_be_exactly_the_bodys(room):
    path = export(room["laptop"], room["stick"])
    data = path.read_bytes()
    header_end = data.index(b"\n")
    line_end = data.index(b"\n", header_end + 1)
    _signed, device, length, signature = data[header_end + 1 : line_end].split(b" ")
    for stated, says in [(b"0" + length, "not signed"), (b"1", "longer than its signature says")]:
        changed = room["tmp"] / f"length-{stated.decode()}.bundle"
        line = b" ".join([b"signed", device, stated, signature])
        changed.write_bytes(data[: header_end + 1] + line + data[line_end:])
        assert_refused(room, changed, says)


def test_labels_are_plain_and_never_look_like_a_device_id(room):
    code = room["laptop"].ok("keys", "show", "--enrolment").strip()
    for label, says in [
        ("aaaa2222", "looks like a device id"),
        ("Laptop\u200b 1", "control or invisible character"),
        ("\x1b[31mred", "control or invisible character"),
        ("x" * 81, "too long"),
    ]:
        refused = room["office"]("devices", "enrol", code, "--label", label)
        assert refused.exit_code == 2 and says in refused.stderr, (label, refused.stderr)
    b = second_laptop(room)
    taken = room["office"](
        "devices", "enrol", b.ok("keys", "show", "--enrolment").strip(), "--label", "Laptop 1"
    )
    assert taken.exit_code == 2 and "enrolled as 'Laptop 1' already" in taken.stderr
    # Enrolled again without a label, a laptop keeps the one it had.
    room["office"].ok("devices", "enrol", code)
    assert "Laptop 1" in room["office"].ok("devices", "list")


def test_a_bundle_merged_meanwhile_by_another_process_is_skipped(room):
    """The 'already imported' check is made again inside the import's transaction."""
    from facilitator.sync import merge as sync

    path = export(room["laptop"], room["stick"])
    with room["office"].store() as office:
        read = sync.read_bundle(office, path, keys.load_identities(room["identity"]))
        first = sync.merge(office, read, path.name)
        second = sync.merge(office, read, path.name)
    assert first.counts.added > 0 and first.skipped is None
    assert second.skipped == "already imported"


def test_a_fault_on_one_bundle_never_stops_the_others(room, monkeypatch):
    """Even a fault of the program's own, met on one bundle of a folder, is reported and logged;
    the other bundles are still imported."""
    from facilitator.core.error_log import log_path
    from facilitator.sync import merge as sync

    b = second_laptop(room)
    export(room["laptop"], room["stick"])
    export(b, room["stick"])
    real_merge = sync.merge
    calls: list[str] = []

    def faulty(store, read, name, **options):  # type: ignore[no-untyped-def]
        calls.append(name)
        if len(calls) == 1:
            raise RuntimeError("a participant's words must never reach the log")
        return real_merge(store, read, name, **options)

    monkeypatch.setattr(sync, "merge", faulty)
    result = room["office"]("sync", "run", str(room["stick"]), "--identity", str(room["identity"]))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": added") == 1
    assert "could not be imported: an unexpected RuntimeError" in result.stderr
    assert "Traceback" not in result.stderr and "participant's words" not in result.stderr
    logged = log_path(room["office"].data_dir).read_text()
    assert "RuntimeError" in logged and "participant's words" not in logged
