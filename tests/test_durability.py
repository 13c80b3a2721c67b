"""A post-it whose id was printed survives the process being killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import Cli
from tests.folders import connect_to
from tests.test_cli import new_session

REPO = Path(__file__).resolve().parent.parent

# A stream of `record` calls through the real entry point, as a script would make
# them, but in one process so that the stream is fast enough to kill mid-write.
STREAM = textwrap.dedent(
    """
    import sys
    from facilitator.cli import main
    data_dir, session_id = sys.argv[1:3]
    for index in range(100_000):
        main(["--data-dir", data_dir, "record", session_id, str(1 + index % 4), str(1 + index % 5),
              "--comment", f"comment {index}"], prog_name="facilitator")
    """
)


def test_sigkill_during_a_stream_of_records_loses_no_printed_post_it(cli: Cli) -> None:
    session_id = new_session(cli)
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", STREAM, str(cli.data_dir), session_id],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    printed: list[str] = []
    while len(printed) < 150:
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "the stream stopped"
        printed.append(line.strip())
    os.kill(process.pid, signal.SIGKILL)
    rest, _ = process.communicate()
    printed += [line.strip() for line in rest.splitlines() if line.strip()]
    assert process.returncode == -signal.SIGKILL

    connection = connect_to(cli.data_dir)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in connection.execute("SELECT id FROM postits")}
    finally:
        connection.close()
    assert set(printed) <= stored
    # The kill landed mid-stream: at most one more post-it was committed than printed.
    assert len(stored) - len(printed) in (0, 1)


def test_separate_record_processes_each_commit_before_printing(cli: Cli) -> None:
    session_id = new_session(cli)
    printed = []
    for _ in range(3):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "facilitator",
                "--data-dir",
                str(cli.data_dir),
                "record",
                session_id,
                "1",
                "2",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        printed.append(result.stdout.strip())
    connection = connect_to(cli.data_dir)
    try:
        assert {row[0] for row in connection.execute("SELECT id FROM postits")} == set(printed)
    finally:
        connection.close()
