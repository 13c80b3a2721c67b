"""The one store: a SQLite database in the data folder, through sqlite-utils.

Every write is committed (WAL, synchronous=FULL) before the method returns, so a
post-it that a caller was told is saved is on disk. Every row has a UUID, its
`created_at`, `updated_at` and the `device_id` of the device that last wrote it.
A delete is a tombstone (`deleted_at`), never a removed row, so sync can carry it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date as date_type
from pathlib import Path
from typing import Any

from facilitator.core import clock
from facilitator.core.clock import new_id, now
from facilitator.core.errors import FacilitatorError, FieldError, ItemError, NotFound
from facilitator.core.paths import DATABASE_NAME
from facilitator.core.statements import Scale, Statement, StatementSet

# sqlite-utils imports numpy (0.2 s of start-up) only to store numpy values, which
# this program never does: numpy is hidden while it loads, and can be imported later.
_HIDE_NUMPY = "numpy" not in sys.modules
if _HIDE_NUMPY:
    sys.modules["numpy"] = None  # type: ignore[assignment]
try:
    import sqlite_utils
finally:
    if _HIDE_NUMPY:
        del sys.modules["numpy"]

SETTINGS = ("prison", "community")
MAX_COMMENT = 10_000
PARTICIPANT_CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9_-]{1,12}$")
SESSION_PREFIX_MIN = 4
# Session ids per query: well under SQLite's limit on bound parameters.
QUERY_CHUNK = 500


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Consultation:
    id: str
    title: str


@dataclass(frozen=True)
class Session:
    """One focus group, with the statements and scale frozen when it was created."""

    id: str
    label: str
    cohort: str
    setting: str
    location: str
    date: str
    consultation_id: str | None
    consultation: str
    facilitators: tuple[str, ...]
    participants: int | None
    male: int | None
    female: int | None
    statement_set_id: str
    statement_set_title: str
    scale: Scale
    statements: tuple[Statement, ...]
    closed_at: str | None
    created_at: str
    updated_at: str
    device_id: str

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def statement(self, number: int) -> Statement:
        """The statement with this 1-based number, or a clear error."""
        if not 1 <= number <= len(self.statements):
            raise FacilitatorError(
                f"statement {number} is out of range: session {self.label!r} has "
                f"statements 1 to {len(self.statements)}"
            )
        return self.statements[number - 1]


@dataclass(frozen=True)
class SessionSummary:
    """A session with its post-it count and whether its changes have left this device."""

    session: Session
    postits: int
    last_change: str
    sent: bool


@dataclass(frozen=True)
class Postit:
    id: str
    session_id: str
    statement_number: int
    response_key: str
    comment: str
    participant: str | None
    created_at: str
    updated_at: str
    device_id: str
    deleted_at: str | None = None


@dataclass
class NewPostit:
    """A post-it to record: what `import-postits` and the API validate before writing."""

    statement_number: int
    response: str
    comment: str = ""
    participant: str | None = None


@dataclass
class SessionDetails:
    """The fields a person gives when creating or editing a session."""

    label: str
    cohort: str
    setting: str
    consultation: str = ""
    location: str = ""
    date: str = field(default_factory=lambda: date_type.today().isoformat())
    facilitators: Sequence[str] = ()
    participants: int | None = None
    male: int | None = None
    female: int | None = None

    def validated(self) -> SessionDetails:
        """A cleaned copy, or FacilitatorError naming the first bad field."""
        label = " ".join(self.label.split())
        cohort = " ".join(self.cohort.split())
        setting = self.setting.strip().casefold()
        if not label:
            raise FieldError("label", "Give the session a label, e.g. Adult focus group 1.")
        if len(label) > 200:
            raise FieldError("label", "The label is too long: 200 characters at most.")
        if not cohort:
            raise FieldError("cohort", "Give the cohort, e.g. adults or young offenders.")
        if setting not in SETTINGS:
            given = f" ('{self.setting.strip()}' is not one)" if self.setting.strip() else ""
            raise FieldError("setting", f"Choose a setting: prison or community{given}.")
        day = self.date.strip()
        how = "write it as year-month-day, e.g. 2010-03-04"
        if not day:
            raise FieldError("date", f"Give the date: {how}.")
        try:
            parsed = date_type.fromisoformat(day)
        except ValueError:
            raise FieldError("date", f"The date '{day}' is not a real date: {how}.") from None
        if len(day) != 10 or parsed.isoformat() != day:
            raise FieldError("date", f"The date '{day}' is not a real date: {how}.")
        facilitators = tuple(" ".join(f.split()) for f in self.facilitators if f.strip())
        for name, value in (
            ("participants", self.participants),
            ("male", self.male),
            ("female", self.female),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000
            ):
                raise FieldError(name, f"{name.capitalize()}: a whole number from 0 to 10000, or nothing.")
        participants = self.participants
        gendered = (self.male or 0) + (self.female or 0)
        if participants is None and (self.male is not None or self.female is not None):
            participants = gendered
        if participants is not None and gendered > participants:
            raise FieldError(
                "participants",
                f"Male ({self.male or 0}) and female ({self.female or 0}) add up to more than "
                f"the {participants} participants.",
            )
        return replace(
            self,
            label=label,
            cohort=cohort,
            setting=setting,
            consultation=" ".join(self.consultation.split()),
            location=" ".join(self.location.split()),
            date=day,
            facilitators=facilitators,
            participants=participants,
        )


# ---------------------------------------------------------------- schema


def _migration_1(db: sqlite_utils.Database) -> None:
    row_columns = (
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, device_id TEXT NOT NULL, deleted_at TEXT"
    )
    db.executescript(
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE devices (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', {row_columns});
        CREATE TABLE consultations (id TEXT PRIMARY KEY, title TEXT NOT NULL, {row_columns});
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            consultation_id TEXT REFERENCES consultations(id),
            label TEXT NOT NULL,
            cohort TEXT NOT NULL,
            setting TEXT NOT NULL,
            location TEXT NOT NULL DEFAULT '',
            date TEXT NOT NULL,
            facilitators TEXT NOT NULL DEFAULT '[]',
            participants INTEGER,
            male INTEGER,
            female INTEGER,
            statement_set_id TEXT NOT NULL,
            statement_set_title TEXT NOT NULL,
            scale TEXT NOT NULL,
            statements TEXT NOT NULL,
            closed_at TEXT,
            {row_columns}
        );
        CREATE TABLE postits (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id),
            statement_number INTEGER NOT NULL,
            response_key TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            participant TEXT,
            {row_columns}
        );
        CREATE INDEX postits_by_session ON postits (session_id, statement_number, response_key);
        CREATE INDEX sessions_by_consultation ON sessions (consultation_id);
        """
    )


def _migration_discussion(db: sqlite_utils.Database) -> None:
    """The discussion: roster, codebook, notes with theme tags, and the local pseudonym map.

    A theme belongs to a consultation's codebook (`consultation_id`), or to the
    codebook of a session that has no consultation (`session_id`). A merged theme
    points at the theme it was merged into. `pseudonyms` is local only: it never
    travels in a bundle and is never exported.
    """
    row_columns = (
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, device_id TEXT NOT NULL, deleted_at TEXT"
    )
    db.executescript(
        f"""
        CREATE TABLE participants (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id),
            code TEXT NOT NULL,
            gender TEXT NOT NULL,
            cohort TEXT NOT NULL,
            age_band TEXT NOT NULL DEFAULT '',
            consent INTEGER NOT NULL DEFAULT 0,
            wants_interview INTEGER NOT NULL DEFAULT 0,
            {row_columns}
        );
        CREATE TABLE themes (
            id TEXT PRIMARY KEY,
            consultation_id TEXT REFERENCES consultations(id),
            session_id TEXT REFERENCES sessions(id),
            name TEXT NOT NULL,
            merged_into TEXT,
            {row_columns}
        );
        CREATE TABLE notes (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id),
            text TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'note',
            participant TEXT,
            {row_columns}
        );
        CREATE TABLE note_themes (
            id TEXT PRIMARY KEY,
            note_id TEXT NOT NULL REFERENCES notes(id),
            theme_id TEXT NOT NULL REFERENCES themes(id),
            {row_columns}
        );
        CREATE TABLE pseudonyms (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id),
            real TEXT NOT NULL,
            changed TEXT NOT NULL,
            {row_columns}
        );
        CREATE INDEX participants_by_session ON participants (session_id);
        CREATE INDEX themes_by_consultation ON themes (consultation_id);
        CREATE INDEX themes_by_session ON themes (session_id);
        CREATE INDEX notes_by_session ON notes (session_id, created_at);
        CREATE INDEX note_themes_by_note ON note_themes (note_id);
        CREATE INDEX note_themes_by_theme ON note_themes (theme_id);
        CREATE INDEX pseudonyms_by_session ON pseudonyms (session_id);
        """
    )


def _migration_sync(db: sqlite_utils.Database) -> None:
    """Sync: the versions that lost a merge, and the bundles made or taken here."""
    row_columns = (
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, device_id TEXT NOT NULL, deleted_at TEXT"
    )
    db.executescript(
        f"""
        -- Every version of a row that lost a merge, keyed by a hash of the version so that
        -- two devices recording the same one make the same row. It travels in bundles;
        -- deleted_at marks a version a person has reviewed (resolved).
        CREATE TABLE sync_conflicts (
            id TEXT PRIMARY KEY,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            version TEXT NOT NULL,
            {row_columns}
        );
        CREATE INDEX sync_conflicts_by_row ON sync_conflicts (table_name, row_id);
        -- Local only: bundles this device wrote ('out') or imported ('in').
        CREATE TABLE sync_bundles (
            file_sha256 TEXT PRIMARY KEY,
            payload_sha256 TEXT NOT NULL,
            direction TEXT NOT NULL,
            device_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            name TEXT NOT NULL,
            at TEXT NOT NULL,
            added INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            conflicted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sync_bundles_by_payload ON sync_bundles (payload_sha256);
        """
    )


def _migration_chart_pools(db: sqlite_utils.Database) -> None:
    """Saved chart pools: several sessions charted as one group under a label.

    `session_ids` is a JSON list of session ids, in the order they were chosen; the
    consultation is that of the sessions (NULL for sessions without one).
    """
    row_columns = (
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, device_id TEXT NOT NULL, deleted_at TEXT"
    )
    db.executescript(
        f"""
        CREATE TABLE chart_pools (
            id TEXT PRIMARY KEY,
            consultation_id TEXT REFERENCES consultations(id),
            label TEXT NOT NULL,
            session_ids TEXT NOT NULL DEFAULT '[]',
            {row_columns}
        );
        CREATE INDEX chart_pools_by_consultation ON chart_pools (consultation_id);
        """
    )


# Tables whose rows travel in sync bundles, parents before children. Every one has
# id, created_at, updated_at, device_id and deleted_at. Local-only tables (meta,
# sync_bundles, and anything holding a pseudonym map) are never listed here.
SYNCED_TABLES: list[str] = [
    "devices",
    "consultations",
    "sessions",
    "postits",
    "participants",
    "themes",
    "notes",
    "note_themes",
    "chart_pools",
    "sync_conflicts",
]

# Each migration brings the schema from version N-1 to N. Append, never edit.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1,
    _migration_discussion,
    _migration_sync,
    _migration_chart_pools,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _session_from_row(row: Mapping[str, Any]) -> Session:
    return Session(
        id=row["id"],
        label=row["label"],
        cohort=row["cohort"],
        setting=row["setting"],
        location=row["location"],
        date=row["date"],
        consultation_id=row["consultation_id"],
        consultation=row.get("consultation_title") or "",
        facilitators=tuple(json.loads(row["facilitators"])),
        participants=row["participants"],
        male=row["male"],
        female=row["female"],
        statement_set_id=row["statement_set_id"],
        statement_set_title=row["statement_set_title"],
        scale=Scale.from_list(json.loads(row["scale"])),
        statements=tuple(Statement(**s) for s in json.loads(row["statements"])),
        closed_at=row["closed_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        device_id=row["device_id"],
    )


def _postit_from_row(row: Mapping[str, Any]) -> Postit:
    return Postit(**{name: row[name] for name in Postit.__dataclass_fields__})


SESSION_SELECT = """
    SELECT sessions.*, consultations.title AS consultation_title
    FROM sessions LEFT JOIN consultations ON consultations.id = sessions.consultation_id
"""
POSTIT_COLUMNS = ", ".join(Postit.__dataclass_fields__)
INSERT_POSTIT = (
    f"INSERT INTO postits ({POSTIT_COLUMNS}) VALUES ({', '.join('?' * len(Postit.__dataclass_fields__))})"
)


class Store:
    """The data folder's database. Open it with `Store.open(data_dir)`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
            self.db = sqlite_utils.Database(conn, execute_plugins=False)
            self.db.execute("PRAGMA busy_timeout = 30000")
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.db.enable_wal()
            # synchronous is per connection, not stored in the file: set it every time.
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
            self.device_id = self._ensure_device()
            # Stamps never go below one already seen (set by sync), even if the clock went back.
            clock.observe(self.get_meta("clock_floor"))
        except sqlite3.DatabaseError as error:
            raise FacilitatorError(f"cannot use the database {path}: {error}") from None

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        """Open (creating if needed) the database in a data folder."""
        if data_dir.exists() and not data_dir.is_dir():
            raise FacilitatorError(f"the data folder {data_dir} is a file, not a folder")
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FacilitatorError(f"cannot create the data folder {data_dir}: {error.strerror}") from None
        path = data_dir / DATABASE_NAME
        if not path.exists() and not _writable(data_dir):
            raise FacilitatorError(f"the data folder {data_dir} is not writable")
        return cls(path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------- transactions

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) and committed on exit.

        Other processes wait for the lock (busy timeout) rather than fail.
        """
        with self._lock:
            try:
                self.db.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise FacilitatorError(f"cannot write to {self.path}: {error}") from None
            try:
                yield self.db
            except BaseException:
                self.db.conn.execute("ROLLBACK")
                raise
            try:
                self.db.conn.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                self.db.conn.execute("ROLLBACK")
                raise FacilitatorError(f"cannot write to {self.path}: {error}") from None

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise FacilitatorError(
                f"the database {self.path} was made by a newer facilitator (schema {version}); "
                "update facilitator to open it"
            )
        if version == SCHEMA_VERSION:
            return
        with self.write() as db:
            # Read again under the lock: another process may have migrated meanwhile.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, SCHEMA_VERSION):
                MIGRATIONS[number](db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _ensure_device(self) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
        if row:
            return str(row[0])
        with self.write() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
            if row:
                return str(row[0])
            device_id, stamp = new_id(), now()
            db.execute("INSERT INTO meta (key, value) VALUES ('device_id', ?)", [device_id])
            db.execute(
                "INSERT INTO devices (id, name, created_at, updated_at, device_id) VALUES (?, '', ?, ?, ?)",
                [device_id, stamp, stamp, device_id],
            )
            return device_id

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as db:
            db.execute(
                """INSERT INTO meta (key, value) VALUES (?, ?)
                   ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
                [key, value],
            )

    # -------------------------------------------------------- consultations

    def consultations(self) -> list[Consultation]:
        rows = self.db.query(
            "SELECT id, title FROM consultations WHERE deleted_at IS NULL ORDER BY created_at"
        )
        return [Consultation(r["id"], r["title"]) for r in rows]

    def find_consultation(self, title: str) -> Consultation | None:
        """The consultation with this title (ignoring case and spacing), if any."""
        wanted = " ".join(title.split()).casefold()
        for consultation in self.consultations():
            if consultation.title.casefold() == wanted:
                return consultation
        return None

    def _ensure_consultation(self, db: sqlite_utils.Database, title: str) -> str | None:
        title = " ".join(title.split())
        if not title:
            return None
        existing = self.find_consultation(title)
        if existing:
            return existing.id
        consultation_id, stamp = new_id(), now()
        db.execute(
            "INSERT INTO consultations (id, title, created_at, updated_at, device_id) VALUES (?, ?, ?, ?, ?)",
            [consultation_id, title, stamp, stamp, self.device_id],
        )
        return consultation_id

    # -------------------------------------------------------- sessions

    def create_session(self, statement_set: StatementSet, details: SessionDetails) -> Session:
        """Create a session, freezing the set's statements and scale as they are now."""
        details = details.validated()
        session_id, stamp = new_id(), now()
        with self.write() as db:
            row = self._detail_columns(db, details)
            self._refuse_duplicate_label(db, row["label"], row["consultation_id"], None)
            row.update(
                id=session_id,
                statement_set_id=statement_set.id,
                statement_set_title=statement_set.title,
                scale=json.dumps(statement_set.scale.to_list()),
                statements=json.dumps([s.to_dict() for s in statement_set.statements]),
                created_at=stamp,
                updated_at=stamp,
                device_id=self.device_id,
            )
            marks = ", ".join("?" * len(row))
            db.execute(f"INSERT INTO sessions ({', '.join(row)}) VALUES ({marks})", list(row.values()))
        return self.session(session_id)

    def _detail_columns(self, db: sqlite_utils.Database, details: SessionDetails) -> dict[str, Any]:
        """The session columns a person edits, from validated details."""
        return {
            "consultation_id": self._ensure_consultation(db, details.consultation),
            "label": details.label,
            "cohort": details.cohort,
            "setting": details.setting,
            "location": details.location,
            "date": details.date,
            "facilitators": json.dumps(list(details.facilitators)),
            "participants": details.participants,
            "male": details.male,
            "female": details.female,
        }

    def _refuse_duplicate_label(
        self, db: sqlite_utils.Database, label: str, consultation_id: str | None, session_id: str | None
    ) -> None:
        """Refuse a label another live session of the same consultation (or of none) has.

        Charts name their groups by session label, so two alike would be indistinguishable.
        """
        rows = db.execute(
            "SELECT id, label FROM sessions WHERE deleted_at IS NULL AND consultation_id IS ?",
            [consultation_id],
        ).fetchall()
        wanted = label.casefold()
        if any(row[1].casefold() == wanted and row[0] != session_id for row in rows):
            where = "in this consultation" if consultation_id else "without a consultation"
            raise FacilitatorError(
                f"a session labelled {label!r} already exists {where}: give this one another label "
                "(charts tell sessions apart by label)"
            )

    def update_session(self, session_id: str, details: SessionDetails) -> Session:
        """Change a session's details; its statements and scale stay frozen."""
        details = details.validated()
        session = self.session(session_id)
        with self.write() as db:
            row = self._detail_columns(db, details)
            self._refuse_duplicate_label(db, row["label"], row["consultation_id"], session.id)
            row.update(updated_at=now(), device_id=self.device_id)
            db.execute(
                f"UPDATE sessions SET {', '.join(f'{column} = ?' for column in row)} WHERE id = ?",
                [*row.values(), session.id],
            )
        return self.session(session.id)

    def session(self, ref: str) -> Session:
        """A live session by its id or a unique prefix of it (at least 4 characters)."""
        ref = ref.strip()
        rows = list(
            self.db.query(SESSION_SELECT + " WHERE sessions.id = ? AND sessions.deleted_at IS NULL", [ref])
        )
        if not rows and len(ref) >= SESSION_PREFIX_MIN:
            rows = list(
                self.db.query(
                    SESSION_SELECT + " WHERE sessions.id LIKE ? ESCAPE '\\' AND sessions.deleted_at IS NULL",
                    [ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"],
                )
            )
            if len(rows) > 1:
                raise FacilitatorError(f"session id {ref!r} is ambiguous: give more of it")
        if not rows:
            if 0 < len(ref) < SESSION_PREFIX_MIN:
                raise NotFound(
                    f"unknown session {ref!r}: give at least {SESSION_PREFIX_MIN} characters of its id "
                    "('facilitator session list' shows the ids)"
                )
            raise NotFound(f"unknown session {ref!r}: 'facilitator session list' shows the sessions")
        return _session_from_row(rows[0])

    def sessions(self, consultation_id: str | None = None) -> list[Session]:
        """Live sessions in the order they took place (date, then creation)."""
        where, params = "sessions.deleted_at IS NULL", []
        if consultation_id is not None:
            where += " AND sessions.consultation_id = ?"
            params.append(consultation_id)
        rows = self.db.query(
            SESSION_SELECT + f" WHERE {where} ORDER BY sessions.date, sessions.created_at", params
        )
        return [_session_from_row(r) for r in rows]

    def session_summaries(self) -> list[SessionSummary]:
        """Every live session with its post-it count and whether its changes have left this device.

        A session is sent when no row of it written here (the session, its post-its,
        roster, notes and their tags) is newer than this device's last export; rows
        imported from other devices never make it unsent.
        """
        from facilitator.sync.merge import unsent_sessions

        counts = {
            row["session_id"]: (row["n"], row["last"])
            for row in self.db.query(
                """SELECT session_id, SUM(deleted_at IS NULL) AS n, MAX(updated_at) AS last
                   FROM postits GROUP BY session_id"""
            )
        }
        unsent = unsent_sessions(self)
        summaries = []
        for session in self.sessions():
            n, last = counts.get(session.id, (0, ""))
            last_change = max(session.updated_at, last or "")
            summaries.append(SessionSummary(session, int(n or 0), last_change, session.id not in unsent))
        return summaries

    def _set_session_field(self, session_id: str, column: str, value: str | None) -> Session:
        session = self.session(session_id)
        with self.write() as db:
            db.execute(
                f"UPDATE sessions SET {column} = ?, updated_at = ?, device_id = ? WHERE id = ?",
                [value, now(), self.device_id, session.id],
            )
        return session

    def close_session(self, session_id: str) -> Session:
        """Mark a session closed (its exercise is over); post-its can still be corrected."""
        session = self._set_session_field(session_id, "closed_at", now())
        return self.session(session.id)

    def reopen_session(self, session_id: str) -> Session:
        session = self._set_session_field(session_id, "closed_at", None)
        return self.session(session.id)

    def delete_session(self, session_id: str) -> Session:
        """Tombstone a session and every row that belongs to it (post-its, notes, roster …)."""
        session = self.session(session_id)
        stamp = now()
        tombstone = "deleted_at = ?, updated_at = ?, device_id = ?"
        with self.write() as db:
            db.execute(
                f"UPDATE sessions SET {tombstone} WHERE id = ?", [stamp, stamp, self.device_id, session.id]
            )
            for table in db.table_names():
                columns = {column.name for column in db.table(table).columns}
                if table != "sessions" and {"session_id", "deleted_at"} <= columns:
                    db.execute(
                        f"UPDATE {table} SET {tombstone} WHERE session_id = ? AND deleted_at IS NULL",
                        [stamp, stamp, self.device_id, session.id],
                    )
        return session

    # -------------------------------------------------------- post-its

    def _check_postit(self, session: Session, item: NewPostit) -> tuple[int, str, str, str | None]:
        try:
            number = int(str(item.statement_number).strip())
        except ValueError:
            raise FacilitatorError(f"statement {item.statement_number!r} must be a number") from None
        session.statement(number)
        key = session.scale.resolve(item.response).key
        comment = item.comment or ""
        if not isinstance(comment, str):
            raise FacilitatorError("comment must be text")
        if len(comment) > MAX_COMMENT:
            raise FacilitatorError(f"comment is too long ({len(comment)} characters; {MAX_COMMENT} at most)")
        participant = (item.participant or "").strip() or None
        if participant is not None and not PARTICIPANT_CODE.match(participant):
            raise FacilitatorError(
                f"participant {participant!r} must be a code such as P1 (letters and digits, "
                "with a digit, 12 at most), never a name"
            )
        return number, key, comment, participant

    def add_postit(
        self,
        session_id: str,
        statement_number: int,
        response: str,
        comment: str = "",
        participant: str | None = None,
        *,
        session: Session | None = None,
    ) -> Postit:
        """Record one post-it; it is committed to disk when this returns.

        `response` may be a scale key, a label or an entry key. Pass `session`
        when the caller already holds it, to skip looking it up.
        """
        if session is None or session.id != session_id:
            session = self.session(session_id)
        number, key, comment, participant = self._check_postit(
            session, NewPostit(statement_number, response, comment, participant)
        )
        postit = Postit(
            id=new_id(),
            session_id=session.id,
            statement_number=number,
            response_key=key,
            comment=comment,
            participant=participant,
            created_at=(stamp := now()),
            updated_at=stamp,
            device_id=self.device_id,
        )
        with self.write() as db:
            db.execute(
                INSERT_POSTIT,
                [getattr(postit, name) for name in Postit.__dataclass_fields__],
            )
        return postit

    def add_postits(self, session_id: str, items: Iterable[NewPostit]) -> int:
        """Record many post-its at once, all or nothing.

        Every item is checked before anything is written; a bad item raises
        ItemError with its position.
        """
        session = self.session(session_id)
        rows = []
        for index, item in enumerate(items):
            try:
                number, key, comment, participant = self._check_postit(session, item)
            except FacilitatorError as error:
                raise ItemError(index, str(error)) from None
            stamp = now()
            postit = (
                new_id(),
                session.id,
                number,
                key,
                comment,
                participant,
                stamp,
                stamp,
                self.device_id,
                None,
            )
            rows.append(postit)
        with self.write() as db:
            # One prepared statement for every row: the bulk path of a transcribed wall.
            db.conn.executemany(INSERT_POSTIT, rows)
        return len(rows)

    def postit(self, postit_id: str, *, include_deleted: bool = False) -> Postit:
        row = self.db.execute(f"SELECT {POSTIT_COLUMNS} FROM postits WHERE id = ?", [postit_id]).fetchone()
        if row is None or (row[-1] is not None and not include_deleted):
            raise NotFound(f"unknown post-it {postit_id!r}")
        return Postit(*row)

    def postits(self, session_id: str, statement_number: int | None = None) -> list[Postit]:
        """Live post-its of a session (or one of its statements), in the order they were placed."""
        sql = f"SELECT {POSTIT_COLUMNS} FROM postits WHERE session_id = ? AND deleted_at IS NULL"
        params: list[Any] = [session_id]
        if statement_number is not None:
            sql += " AND statement_number = ?"
            params.append(statement_number)
        sql += " ORDER BY statement_number, created_at, id"
        return [Postit(*row) for row in self.db.execute(sql, params).fetchall()]

    def _update_postit(self, postit_id: str, **changes: Any) -> Postit:
        self.postit(postit_id, include_deleted=True)
        assignments = ", ".join(f"{column} = ?" for column in changes)
        with self.write() as db:
            db.execute(
                f"UPDATE postits SET {assignments}, updated_at = ?, device_id = ? WHERE id = ?",
                [*changes.values(), now(), self.device_id, postit_id],
            )
        return self.postit(postit_id, include_deleted=True)

    def edit_postit(self, postit_id: str, comment: str) -> Postit:
        """Replace a post-it's comment."""
        if len(comment) > MAX_COMMENT:
            raise FacilitatorError(f"comment is too long ({len(comment)} characters; {MAX_COMMENT} at most)")
        self.postit(postit_id)
        return self._update_postit(postit_id, comment=comment)

    def move_postit(self, postit_id: str, response: str) -> Postit:
        """Move a post-it to another category of its session's scale."""
        postit = self.postit(postit_id)
        key = self.session(postit.session_id).scale.resolve(response).key
        return self._update_postit(postit_id, response_key=key)

    def delete_postit(self, postit_id: str) -> Postit:
        """Tombstone a post-it (it can be restored)."""
        self.postit(postit_id)
        return self._update_postit(postit_id, deleted_at=now())

    def restore_postit(self, postit_id: str) -> Postit:
        """Bring back a deleted post-it."""
        return self._update_postit(postit_id, deleted_at=None)

    # -------------------------------------------------------- counts

    def counts(self, session_ids: Sequence[str]) -> dict[int, dict[str, int]]:
        """Post-its per statement number per response key over some sessions (GROUP BY)."""
        if not session_ids:
            return {}
        marks = ", ".join("?" * len(session_ids))
        result: dict[int, dict[str, int]] = {}
        for number, key, n in self.db.execute(
            f"""SELECT statement_number, response_key, COUNT(*) FROM postits
                WHERE session_id IN ({marks}) AND deleted_at IS NULL
                GROUP BY statement_number, response_key""",
            list(session_ids),
        ).fetchall():
            result.setdefault(number, {})[key] = n
        return result

    def counts_by_session(self, session_ids: Sequence[str]) -> dict[str, dict[int, dict[str, int]]]:
        """Post-its per session, statement number and response key (GROUP BY, a few queries).

        Chart groups, cohorts and figures add these up, so one pass over the
        post-its serves every chart of a report.
        """
        result: dict[str, dict[int, dict[str, int]]] = {}
        ids = list(dict.fromkeys(session_ids))
        for start in range(0, len(ids), QUERY_CHUNK):
            chunk = ids[start : start + QUERY_CHUNK]
            marks = ", ".join("?" * len(chunk))
            for session_id, number, key, n in self.db.execute(
                f"""SELECT session_id, statement_number, response_key, COUNT(*) FROM postits
                    WHERE session_id IN ({marks}) AND deleted_at IS NULL
                    GROUP BY session_id, statement_number, response_key""",
                chunk,
            ):
                result.setdefault(session_id, {}).setdefault(number, {})[key] = n
        return result

    def iter_comments(self, session_ids: Sequence[str], response_keys: Sequence[str]) -> Iterator[Postit]:
        """Live post-its that carry a comment, streamed one by one (never all in memory).

        Ordered by statement, then response in `response_keys` order, then session in
        `session_ids` order, then the order they were placed.
        """
        ids = list(dict.fromkeys(session_ids))
        keys = list(dict.fromkeys(response_keys))
        if not ids or not keys:
            return
        chosen = ", ".join("(?, ?)" for _ in ids)
        scale = ", ".join("(?, ?)" for _ in keys)
        params: list[Any] = [v for pair in enumerate(ids) for v in reversed(pair)]
        params += [v for pair in enumerate(keys) for v in reversed(pair)]
        columns = ", ".join(f"postits.{name}" for name in Postit.__dataclass_fields__)
        cursor = self.db.execute(
            f"""WITH chosen(id, position) AS (VALUES {chosen}),
                     scale(key, position) AS (VALUES {scale})
                SELECT {columns} FROM postits
                JOIN chosen ON chosen.id = postits.session_id
                JOIN scale ON scale.key = postits.response_key
                WHERE postits.deleted_at IS NULL AND TRIM(postits.comment) != ''
                ORDER BY postits.statement_number, scale.position, chosen.position,
                         postits.created_at, postits.id""",
            params,
        )
        try:
            for row in cursor:
                yield Postit(*row)
        finally:
            cursor.close()

    def statement_totals(self, session_id: str) -> dict[int, int]:
        """How many post-its each statement of a session has."""
        return {number: sum(by_key.values()) for number, by_key in self.counts([session_id]).items()}


def _writable(directory: Path) -> bool:
    probe = directory / f".write-test-{new_id()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True
