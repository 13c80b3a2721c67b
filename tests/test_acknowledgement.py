"""'Sent' means the office has it: the office's signed acknowledgement comes back on the stick.

Set up as a person does it, through the command line: the office makes its keys, two
laptops trust it and are enrolled, and bundles travel encrypted on a "USB stick" (a
folder). A session goes `local` → `exported` (its bundle is on the stick) → `confirmed`
(the office imported it and its acknowledgement came back), and back to `local` after
an edit. An acknowledgement that does not count changes nothing and says why.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from facilitator.core.clock import STAMP_FORMAT
from facilitator.sync import acknowledgement, bundle, keys
from facilitator.sync.acknowledgement import Acknowledgement
from facilitator.sync.signing import public_key
from facilitator.sync.status import session_digests
from tests.folders import readable_bytes
from tests.sync_helpers import Place

COMMENT = "Only when my mum was there"


@pytest.fixture
def room(tmp_path: Path) -> dict[str, Any]:
    """An office with its keys, two enrolled laptops, a session with a post-it on the first, a stick."""
    office, laptop, other = Place(tmp_path / "office"), Place(tmp_path / "laptop"), Place(tmp_path / "other")
    identity = tmp_path / "office.key"
    code = office.done("keys", "new", "--out", str(identity)).stdout.strip()
    for n, place in enumerate((laptop, other), start=1):
        place.done("keys", "trust", code)
        enrolment = place.done("keys", "show", "--enrolment").stdout.strip()
        office.done("devices", "enrol", enrolment, "--label", f"Laptop {n}")
    session = laptop.done(
        "session", "new", "--set", "does-social-work-care", "--label", "Adult focus group 1",
        "--cohort", "adults", "--setting", "prison",
    ).stdout.strip()  # fmt: skip
    laptop.done("record", session, "1", "agree", "--comment", COMMENT)
    stick = tmp_path / "stick"
    stick.mkdir()
    return {"office": office, "laptop": laptop, "other": other, "identity": identity, "session": session,
            "stick": stick}  # fmt: skip


def office_run(room: dict[str, Any]) -> Result:
    return room["office"].done("sync", "run", str(room["stick"]), "--identity", str(room["identity"]))


def ack_of(room: dict[str, Any]) -> Path:
    return room["stick"] / acknowledgement.ack_name(room["laptop"].device_id())


def body_of(path: Path) -> dict[str, Any]:
    """An acknowledgement's JSON body (its last line), read without checking it."""
    return json.loads(path.read_bytes().splitlines()[-1])  # type: ignore[no-any-return]


def bundles_on(stick: Path) -> list[Path]:
    return sorted(stick.glob(f"*{bundle.SUFFIX}"))


def postits_in(path: Path, room: dict[str, Any]) -> int:
    """How many post-its an encrypted bundle of the laptop carries (opened with the office's key)."""
    with room["laptop"].store() as laptop:
        key = public_key(laptop.trust.seed())
    read = bundle.decode(
        path.read_bytes(), path.name, lambda _device: key, keys.load_identities(room["identity"])
    )
    return sum(len(t.rows) for t in read.tables if t.table == "postits")


def test_a_session_goes_local_exported_confirmed_and_back_to_local(room):
    laptop, session, stick = room["laptop"], room["session"], room["stick"]
    assert laptop.sync_status(session) == ("local", None)

    out = laptop.done("sync", "run", str(stick)).stdout
    assert "1 session on the stick for the office, 0 confirmed by the office" in out
    assert laptop.sync_status(session) == ("exported", None)

    at_office = office_run(room).stdout
    assert "added" in at_office and "wrote 1 acknowledgement for the laptops" in at_office
    ack = ack_of(room)
    made_at = body_of(ack)["made_at"]
    assert COMMENT.encode() not in ack.read_bytes()  # ids and hashes only
    assert list(body_of(ack)["sessions"]) == [session]
    # An acknowledgement for another laptop in a shared folder is that laptop's: left alone.
    (stick / acknowledgement.ack_name(room["other"].device_id())).write_bytes(ack.read_bytes())

    back = laptop.done("sync", "run", str(stick))
    assert "the office's acknowledgement confirmed 1 session as held at the office" in back.stdout
    assert "nothing to export: the office holds every session as it is here" in back.stdout
    assert "0 sessions on the stick for the office, 1 confirmed by the office" in back.stdout
    assert acknowledgement.SUFFIX not in back.stderr
    # The office's own bundle on the stick is encrypted to the office: no problem for the laptop.
    assert back.stderr == ""
    assert laptop.sync_status(session) == ("confirmed", made_at)
    assert "✓ at office " + made_at[:10] in laptop.done("session", "list").stdout

    laptop.done("record", session, "2", "disagree")
    assert laptop.sync_status(session) == ("local", None)
    # The office's acknowledgement is of the rows before the edit: it confirms nothing now.
    again = laptop.done("sync", "run", str(stick))
    assert laptop.sync_status(session) == ("exported", None)
    assert "acknowledgement confirmed" not in again.stdout
    office_run(room)
    laptop.done("sync", "run", str(stick))
    status, confirmed_at = laptop.sync_status(session)
    assert status == "confirmed" and confirmed_at is not None and confirmed_at > made_at


def test_a_stick_wiped_on_the_way_gets_everything_the_office_has_not_confirmed(room):
    laptop, session, stick = room["laptop"], room["session"], room["stick"]
    laptop.done("sync", "run", str(stick))
    for path in bundles_on(stick):
        path.unlink()
    # Nothing changed since, but the office never confirmed the session: it goes again, whole.
    out = laptop.done("sync", "run", str(stick)).stdout
    assert out.startswith("wrote facilitator-")
    assert "1 session on the stick for the office" in out
    (written,) = bundles_on(stick)
    assert postits_in(written, room) == 1
    office_run(room)
    laptop.done("sync", "run", str(stick))
    assert laptop.sync_status(session)[0] == "confirmed"
    # Once confirmed, nothing goes on the stick again until the session changes.
    for path in bundles_on(stick):
        path.unlink()
    assert laptop.done("sync", "run", str(stick)).stdout.startswith("nothing to export")  # confirmed before
    assert bundles_on(stick) == []


def test_sync_import_at_the_office_writes_the_acknowledgement_beside_the_bundles(room):
    laptop, stick = room["laptop"], room["stick"]
    laptop.done("sync", "export", "--out", str(stick))
    (path,) = bundles_on(stick)
    result = room["office"].done("sync", "import", str(path), "--identity", str(room["identity"]))
    assert f"wrote 1 acknowledgement for the laptops into {stick}" in result.stdout
    # Already imported: the acknowledgement is written again all the same.
    ack_of(room).unlink()
    room["office"].done("sync", "import", str(path), "--identity", str(room["identity"]))
    assert ack_of(room).is_file()
    laptop.done("sync", "import", str(path))
    assert laptop.sync_status(room["session"])[0] == "confirmed"


def _signed(room: dict[str, Any], by: str, to: str, made_at: str | None = None) -> bytes:
    """An acknowledgement of the laptop's session as it is now, signed by `by` and addressed to `to`."""
    with room["laptop"].store() as store:
        digests = session_digests(store)
        made_at = made_at or store.clock.now()
    signer = room[by].signer()
    return acknowledgement.encode(
        Acknowledgement(signer.device_id, room[to].device_id(), made_at, digests), signer
    )


def _flipped(room: dict[str, Any], real: bytes) -> bytes:
    digest = body_of(ack_of(room))["sessions"][room["session"]]
    return real.replace(digest.encode(), digest[::-1].encode())


def _malformed(room: dict[str, Any], real: bytes) -> bytes:
    signer = room["office"].signer()
    return bundle.sign_body(b"facilitator-ack 1", b'{"format": 1, "sessions": "all of them"}\n', signer)


def _ahead(room: dict[str, Any], real: bytes) -> bytes:
    later = (datetime.now(UTC) + timedelta(days=2)).strftime(STAMP_FORMAT)
    return _signed(room, "office", "laptop", later)


BAD = {
    "bytes flipped": (_flipped, "does not match its signature"),
    "signed by an enrolled laptop": (
        lambda room, real: _signed(room, "other", "laptop"),
        "not by the office this laptop trusts",
    ),
    "addressed to another laptop": (
        lambda room, real: _signed(room, "office", "other"),
        "addressed to laptop",
    ),
    "truncated": (lambda room, real: real[: len(real) - 20], "truncated"),
    "cut inside its header": (lambda room, real: real[:10], "not an acknowledgement"),
    "2 MiB": (lambda room, real: real + b" " * (2 << 20), "too large"),
    "malformed": (_malformed, "not an acknowledgement"),
    "a bundle": (lambda room, real: bundles_on(room["stick"])[0].read_bytes(), "not an acknowledgement"),
    "stamped days ahead": (_ahead, "more than a day ahead"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_an_acknowledgement_that_does_not_count_is_ignored_with_one_line(room, kind):
    laptop, session, stick = room["laptop"], room["session"], room["stick"]
    laptop.done("sync", "run", str(stick))
    office_run(room)
    ack = ack_of(room)
    make, said = BAD[kind]
    ack.write_bytes(make(room, ack.read_bytes()))
    result = laptop("sync", "run", str(stick))
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ack.name in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: "), result.stderr
    assert said in warnings[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert laptop.sync_status(session) == ("exported", None)


def test_the_office_acknowledges_only_enrolled_laptops_and_reads_none(room, tmp_path):
    with room["office"].store() as office:
        folder = tmp_path / "elsewhere"
        folder.mkdir()
        laptop = room["laptop"].device_id()
        written = acknowledgement.write_acknowledgements(office, folder, [laptop, office.device_id, "x"])
        assert (written.paths, written.messages) == ([folder / acknowledgement.ack_name(laptop)], [])
        # An office reads no acknowledgement: it is the one that writes them.
        assert acknowledgement.read_acknowledgement(office, folder).found is False
    with room["laptop"].store() as store:
        assert acknowledgement.write_acknowledgements(store, folder, [laptop]).paths == []


def test_a_stick_the_office_cannot_write_to_keeps_the_import_and_says_so(room, monkeypatch):
    from facilitator.core.errors import FacilitatorError

    def refused(path: Path, data: bytes) -> None:
        raise FacilitatorError(f"cannot write {path}: Read-only file system")

    room["laptop"].done("sync", "run", str(room["stick"]))
    monkeypatch.setattr(acknowledgement, "write_atomic", refused)
    result = office_run(room)
    assert "added" in result.stdout and "acknowledgement" not in result.stdout
    assert "warning: no acknowledgement for laptop" in result.stderr and "Read-only" in result.stderr
    assert not ack_of(room).exists()


def exported_csv(place: Place, session: str) -> str:
    out = place.data_dir.parent / f"{place.data_dir.name}-export.csv"
    out.unlink(missing_ok=True)
    place.done("export", session, "--format", "csv", "--out", str(out))
    return out.read_text(encoding="utf-8")


def test_the_whole_journey_names_stay_on_the_laptop_and_a_confirmed_session_is_purged(room):
    """Laptop → stick → office → stick → laptop, with a real name in the comment and the map:
    the office never holds the name, the session is confirmed, and then purged from the laptop."""
    laptop, office, session, stick = room["laptop"], room["office"], room["session"], room["stick"]
    laptop.done("record", session, "2", "disagree", "--comment", "Darren from the wing said it first")
    laptop.done("pseudonym", "set", session, "Darren", "Dave")
    laptop.done("sync", "run", str(stick))
    assert laptop.sync_status(session) == ("exported", None)
    office_run(room)
    laptop.done("sync", "run", str(stick))
    assert laptop.sync_status(session)[0] == "confirmed"

    at_office = exported_csv(office, session)
    assert "Dave from the wing" in at_office and "Darren" not in at_office
    # Read page by page decrypted (freed space too): the raw bytes of an encrypted file never show a word.
    assert b"Darren" not in readable_bytes(office.data_dir)
    laptop_file = laptop.data_dir / "facilitator.db"
    with laptop.store() as store:
        assert [p.comment for p in store.postits.of(session)][-1].startswith("Darren")
    assert b"Darren" in readable_bytes(laptop.data_dir)  # what the purge must take out

    size = laptop_file.stat().st_size
    purged = laptop.done("purge", "--confirmed")
    assert "Adult focus group 1" in purged.stdout
    assert laptop.sync_status(session)[0] == "purged"
    on_disk = readable_bytes(laptop.data_dir)
    assert b"Darren" not in on_disk and COMMENT.encode() not in on_disk
    assert laptop_file.stat().st_size <= size
    # Purging is local only: another round of syncing leaves the office's copy whole.
    laptop.done("sync", "run", str(stick))
    office_run(room)
    assert "Dave from the wing" in exported_csv(office, session)


def test_a_pseudonym_map_kept_at_the_office_does_not_stop_the_confirmation(room):
    laptop, office, session, stick = room["laptop"], room["office"], room["session"], room["stick"]
    laptop.done("sync", "run", str(stick))
    office_run(room)
    # Office staff map a word of the laptop's comment on their own copy: the office still
    # acknowledges the rows as the laptop sent them.
    office.done("pseudonym", "set", session, "mum", "carer")
    office_run(room)
    laptop.done("sync", "run", str(stick))
    assert laptop.sync_status(session)[0] == "confirmed"
