"""How long until a post-it is committed, against raw sqlite3 under the same pragmas,
and what encrypting the database costs the room.

Run by hand: `python benchmarks/record_latency.py [--n 2000] [--rows 100000] [--starts 7]`.
Targets, each against a baseline measured in the same run:
- store median under 2 ms and at most 3x raw sqlite3;
- an encrypted store (SQLCipher): median under 2 ms and at most 1.5x the unencrypted store;
- import-postits at most 3x raw executemany;
- unlock plus start-up to the home screen: at most 1.5x the start of an unencrypted
  folder, the key derivation (scrypt, once per unlock, up to 0.5 s) counted separately.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from facilitator.core.clock import now
from facilitator.core.paths import CLONE_ROOT
from facilitator.core.statements import load_catalogue
from facilitator.outputs.postit_csv import read_postit_csv
from facilitator.store import SessionDetails, Store
from facilitator.store.key_file import KeyFile, new_data_key

PASSPHRASE = "benchmark passphrase words"

RAW_SCHEMA = """
CREATE TABLE postits (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL, statement_number INTEGER NOT NULL,
    response_key TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '', participant TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, device_id TEXT NOT NULL, deleted_at TEXT);
CREATE INDEX postits_by_session ON postits (session_id, statement_number, response_key);
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def raw_connection(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.executescript(RAW_SCHEMA)
    return connection


def raw_row(session_id: str, index: int) -> tuple[object, ...]:
    stamp = now()
    return (
        str(uuid.uuid4()),
        session_id,
        1 + index % 4,
        "agree",
        f"comment {index}",
        None,
        stamp,
        stamp,
        "dev",
        None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="single post-its to time")
    parser.add_argument("--rows", type=int, default=100_000, help="rows for the import benchmark")
    parser.add_argument("--starts", type=int, default=7, help="app start-ups to time per folder")
    args = parser.parse_args()
    statement_set = load_catalogue([CLONE_ROOT / "statements"]).get("does-social-work-care")

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        store = Store.open(root / "store")
        session = store.sessions.create(statement_set, SessionDetails("Bench", "adults", "prison"))
        (root / "encrypted").mkdir()
        data_key = new_data_key()
        KeyFile.new(data_key, PASSPHRASE).save(root / "encrypted")
        encrypted = Store.open(root / "encrypted", key=data_key)
        enc_session = encrypted.sessions.create(statement_set, SessionDetails("Bench", "adults", "prison"))
        raw = raw_connection(root / "raw.db")
        insert = "INSERT INTO postits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

        store_times: list[float] = []
        enc_times: list[float] = []
        raw_times: list[float] = []
        # Interleave the three so that machine noise falls on all alike.
        for index in range(args.n):
            started = time.perf_counter()
            store.postits.add(session.id, 1 + index % 4, "2", f"comment {index}", session=session)
            store_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            encrypted.postits.add(enc_session.id, 1 + index % 4, "2", f"comment {index}", session=enc_session)
            enc_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            raw.execute("BEGIN")
            raw.execute(insert, raw_row(session.id, index))
            raw.execute("COMMIT")
            raw_times.append(time.perf_counter() - started)

        store_median, raw_median = statistics.median(store_times), statistics.median(raw_times)
        store_p99, raw_p99 = percentile(store_times, 0.99), percentile(raw_times, 0.99)
        print(f"one post-it to committed, {args.n} each (WAL, synchronous=FULL):")
        print(f"  store API    median {store_median * 1e3:7.3f} ms   p99 {store_p99 * 1e3:7.3f} ms")
        print(f"  raw sqlite3  median {raw_median * 1e3:7.3f} ms   p99 {raw_p99 * 1e3:7.3f} ms")
        print(
            f"  ratio        median {store_median / raw_median:5.2f}x     p99 {store_p99 / raw_p99:5.2f}x"
            "   (target: median < 2 ms and <= 3x)"
        )
        enc_median, enc_p99 = statistics.median(enc_times), percentile(enc_times, 0.99)
        print(f"\nthe same post-its in an encrypted store (SQLCipher), {args.n} each, interleaved:")
        print(f"  encrypted    median {enc_median * 1e3:7.3f} ms   p99 {enc_p99 * 1e3:7.3f} ms")
        print(f"  unencrypted  median {store_median * 1e3:7.3f} ms   p99 {store_p99 * 1e3:7.3f} ms")
        print(
            f"  ratio        median {enc_median / store_median:5.2f}x     p99 {enc_p99 / store_p99:5.2f}x"
            "   (target: median < 2 ms and <= 1.5x)"
        )
        encrypted.close()

        wall = root / "wall.csv"
        with wall.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(["statement", "response", "comment", "participant"])
            for index in range(args.rows):
                writer.writerow(
                    [1 + index % 4, ["agree", "Not sure", "5"][index % 3], f"comment {index}", ""]
                )
        import_store = Store.open(root / "import")
        import_session = import_store.sessions.create(
            statement_set, SessionDetails("Import", "adults", "prison")
        )
        started = time.perf_counter()
        items, _lines = read_postit_csv(wall)
        import_store.postits.add_many(import_session.id, items)
        import_seconds = time.perf_counter() - started

        raw_import = raw_connection(root / "raw-import.db")
        started = time.perf_counter()
        with wall.open(newline="", encoding="utf-8") as file:
            rows = list(csv.reader(file))[1:]
        raw_import.execute("BEGIN")
        raw_import.executemany(
            insert,
            (
                (str(uuid.uuid4()), import_session.id, int(r[0]), r[1], r[2], r[3] or None, s, s, "dev", None)
                for r in rows
                for s in (now(),)
            ),
        )
        raw_import.execute("COMMIT")
        raw_seconds = time.perf_counter() - started
        print(f"\nimport-postits of {args.rows:,} rows, one transaction each:")
        print("  (both parse the CSV and make ids and stamps; import-postits also validates every row)")
        print(f"  import-postits     {args.rows / import_seconds:12,.0f} rows/s  ({import_seconds:.2f} s)")
        print(f"  raw executemany    {args.rows / raw_seconds:12,.0f} rows/s  ({raw_seconds:.2f} s)")
        print(f"  ratio              {import_seconds / raw_seconds:5.2f}x   (target: <= 3x)")
        store.close()
        import_store.close()
        raw.close()
        raw_import.close()
        start_up(root, args.starts)


def start_up(root: Path, starts: int) -> None:
    """Unlock plus start-up to the home screen, against an unencrypted folder's start."""
    from wall_latency import APP_ONCE, time_both

    key_file = KeyFile.load(root / "encrypted")
    kdf: list[float] = []
    for _ in range(3):
        started = time.perf_counter()
        key_file.unwrap(PASSPHRASE)
        kdf.append(time.perf_counter() - started)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    env["TERM"] = "xterm-256color"
    locked_env = dict(env, FACILITATOR_PASSPHRASE=PASSPHRASE)
    plain = [sys.executable, "-c", APP_ONCE, "--data-dir", str(root / "store")]
    locked = [sys.executable, "-c", APP_ONCE, "--data-dir", str(root / "encrypted")]
    plain_times, locked_times = time_both((plain, env), (locked, locked_env), starts)
    kdf_median = statistics.median(kdf)
    p_med, l_med = statistics.median(plain_times), statistics.median(locked_times)
    print(f"\nstart-up to the home screen, median of {starts} (pseudo-terminal, 80x24):")
    print(f"  unencrypted folder          {p_med * 1e3:7.1f} ms")
    print(f"  encrypted, unlock + start   {l_med * 1e3:7.1f} ms")
    print(f"  key derivation (scrypt)     {kdf_median * 1e3:7.1f} ms   (once per unlock; target <= 500 ms)")
    print(
        f"  ratio without the KDF       {(l_med - kdf_median) / p_med:5.2f}x"
        f"   with it {l_med / p_med:5.2f}x   (target: <= 1.5x without it)"
    )


if __name__ == "__main__":
    main()
