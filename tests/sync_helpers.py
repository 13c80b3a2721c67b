"""Helpers shared by the sync, keys and receipt tests: small data folders and dumps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facilitator.actions.data_folder import Workspace
from facilitator.core.clock import Clock
from facilitator.core.paths import DATABASE_NAME
from facilitator.store import Session, SessionDetails, Store
from facilitator.store.trust import TrustedDevice
from facilitator.sync.signing import Signer, encode_key, public_key
from tests.folders import connect_to, open_folder

SET_ID = "does-social-work-care"


def open_store(data_dir: Path, clock: Clock | None = None) -> Store:
    """Open a data folder's store, enrolled with every data folder beside it.

    Most sync tests are about merging, not trust: the devices of one test (folders
    side by side under its tmp_path) accept each other's signed bundles, as laptops
    enrolled at an office do. Tests of trust itself open stores with `Store.open`.
    """
    store = open_folder(data_dir, clock=clock) if clock is not None else open_folder(data_dir)
    remember(store)
    siblings = [p for p in data_dir.parent.iterdir() if p != data_dir and (p / DATABASE_NAME).is_file()]
    for sibling in siblings:
        with open_folder(sibling) as other:
            introduce(store, other)
    return store


class Place:
    """A data folder driven through the command line, as a person types the commands."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def __call__(self, *args: str) -> Any:
        from click.testing import CliRunner

        from facilitator.cli import main

        return CliRunner().invoke(main, ["--data-dir", str(self.data_dir), *args])

    def done(self, *args: str) -> Any:
        """A command's result; it must succeed."""
        result = self(*args)
        assert result.exit_code == 0, result.stderr
        return result

    def ok(self, *args: str) -> str:
        """What a command printed on stdout; it must succeed."""
        return str(self.done(*args).stdout)

    def said(self, *args: str) -> tuple[str, str]:
        """What a command printed on stdout and on stderr; it must succeed."""
        result = self.done(*args)
        return result.stdout, result.stderr

    def store(self) -> Store:
        return open_folder(self.data_dir)

    def device_id(self) -> str:
        with self.store() as store:
            return store.device_id

    def signer(self) -> Signer:
        with self.store() as store:
            return Signer(store.device_id, store.trust.seed())

    def sync_status(self, session: str) -> tuple[str, str | None]:
        """A session's `sync_status` and `confirmed_at`, as `session list --json` says them."""
        import json

        listed = json.loads(self.ok("session", "list", "--json"))
        (found,) = [s for s in listed if s["id"] == session]
        return found["sync_status"], found["confirmed_at"]


# The signing keys of every device a test opened: to read its bundles back in checks,
# and to sign bundles forged in its name.
KNOWN_KEYS: dict[str, bytes] = {}
KNOWN_SIGNERS: dict[str, Signer] = {}


def remember(store: Store) -> None:
    KNOWN_KEYS[store.device_id] = public_key(store.trust.seed())
    KNOWN_SIGNERS[store.device_id] = Signer(store.device_id, store.trust.seed())


def read_back(path: Path, identities: list[Any] | None = None) -> Any:
    """A bundle read and checked (its signature too) as a test's own devices made it."""
    from facilitator.sync import bundle

    return bundle.decode(path.read_bytes(), path.name, KNOWN_KEYS.__getitem__, identities)


def introduce(*stores: Store) -> None:
    """Each of these devices accepts the others' signed bundles (as enrolled laptops)."""
    for store in stores:
        remember(store)
        for other in stores:
            if other is not store and store.trust.get(other.device_id) is None:
                key = encode_key(public_key(other.trust.seed()))
                store.trust.put(TrustedDevice(other.device_id, "laptop", key, "", store.clock.now()))


def signer_of(store: Store) -> Signer:
    """The signer a store's bundles carry (for forging bad bundles in tests)."""
    return Signer(store.device_id, store.trust.seed())


def parts_of(path: Path) -> tuple[dict[str, Any], bytes]:
    """A plaintext bundle's manifest and compressed payload."""
    import json

    from facilitator.sync import bundle

    data = path.read_bytes()
    start = data.index(b"\n", data.index(b"\n") + 1) + 1
    body = data[start : -bundle.DIGEST_SIZE]
    end = body.index(b"\n")
    return json.loads(body[:end]), body[end + 1 :]


def new_session(store: Store, label: str = "Adult focus group 1", data_dir: Path | None = None) -> Session:
    statement_set = Workspace.at(data_dir or store.path.parent).catalogue().get(SET_ID)
    return store.sessions.create(
        statement_set,
        SessionDetails(label=label, cohort="adults", setting="community", consultation="Care 2010"),
    )


def whole_database(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (meta and sync tables too), read without the app."""
    connection = connect_to(data_dir, read_only=True)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        connection.close()


def integrity(data_dir: Path) -> str:
    connection = connect_to(data_dir)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def bundles_split_from_parents(laptop_dir: Path, folder: Path) -> tuple[Path, Path, str]:
    """Two plaintext bundles of one laptop in `folder`: its post-its, then (named to sort after
    them) the session and consultation they belong to. Returns both paths and the session's id."""
    from facilitator.sync import bundle
    from facilitator.sync import merge as sync

    folder.mkdir(parents=True, exist_ok=True)
    with open_store(laptop_dir) as laptop:
        session = new_session(laptop, "From the laptop", data_dir=laptop_dir)
        laptop.postits.add(session.id, 1, "agree", "said first")
        laptop.postits.add(session.id, 2, "disagree", "said second")
        whole = sync.export_bundle(laptop, laptop_dir, everything=True, plaintext=True).path
        read = sync.read_bundle(laptop, whole)
        signer = signer_of(laptop)
    device, stamp = read.manifest.device_id, read.manifest.created_at
    children = [t for t in read.tables if t.table == "postits"]
    parents = [t for t in read.tables if t.table != "postits"]
    paths = []
    for sequence, (name, tables) in enumerate((("1-postits", children), ("2-sessions", parents)), start=1):
        data, _manifest = bundle.encode(
            device, sequence, stamp, tables, complete=False, recipients=None, signer=signer
        )
        path = folder / f"{name}{bundle.SUFFIX}"
        path.write_bytes(data)
        paths.append(path)
    return paths[0], paths[1], session.id


def take(store: Store, path: Path, *identities: Any, **options: Any) -> Any:
    """Import one bundle, plaintext accepted (these tests' bundles are plaintext on purpose)."""
    from facilitator.sync import merge as sync

    return sync.import_bundle(store, path, *identities, allow_plaintext=True, **options)


def make_office(office_dir: Path, identity: Path) -> str:
    """Make `office_dir` an office, as 'keys new --out IDENTITY' does; return its office code."""
    from facilitator.actions.sync import make_office as make

    with open_folder(office_dir) as office:
        code, _previous = make(office, identity)
    return str(code)


def join_office(laptop_dir: Path, office_dir: Path, office_code: str) -> None:
    """Set up a laptop as a person does: it trusts the office, and the office enrols it."""
    from facilitator.actions.sync import enrol_device, enrolment_code, trust_office

    with open_folder(laptop_dir) as laptop:
        trust_office(laptop, office_code)
        code = str(enrolment_code(laptop))
        remember(laptop)
    with open_folder(office_dir) as office:
        enrol_device(office, code, laptop_dir.name)
        remember(office)


def reissue(path: Path, out: Path, change: Any, *, sequence: int | None = None) -> Path:
    """The bundle at `path` with its tables changed by `change(tables)` (lists of rows, to edit in
    place or replace), signed again by the device that made it, written plaintext to `out`."""
    from facilitator.sync import bundle

    read = read_back(path)
    tables = change([bundle.TableRows(t.table, t.columns, [list(r) for r in t.rows]) for t in read.tables])
    manifest = read.manifest
    data, _manifest = bundle.encode(
        manifest.device_id,
        manifest.sequence if sequence is None else sequence,
        manifest.created_at,
        tables,
        complete=False,
        recipients=None,
        signer=KNOWN_SIGNERS[manifest.device_id],
    )
    out.write_bytes(data)
    return out


def confirm(store: Store, session_id: str, at: str) -> None:
    """Make a session `confirmed`, as the office's acknowledgement does: it lists the digest
    of the session's rows as they are now, signed at `at`."""
    from facilitator.sync.status import session_digests

    with store.write() as writer:
        store.session_sync.record_confirmed(writer, session_id, session_digests(store)[session_id], at)
