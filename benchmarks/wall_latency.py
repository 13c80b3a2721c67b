"""How fast the wall saves a post-it, and how fast the app starts.

Run from the project root: `python benchmarks/wall_latency.py`. Prints two
figures, each as a ratio against a floor measured in the same run:

1. key-to-commit: from the Enter that saves a post-it (driven headless) to its
   row being committed, against `store.postits.add` called directly (target:
   median under 20 ms);
2. start-up: from `facilitator` to the home screen ready, against a bare Textual
   app that shows one label (target: at most 1.3x). Both run in a pseudo-terminal
   and leave as soon as their first screen is ready.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitator.actions.data_folder import Workspace  # noqa: E402
from facilitator.store import SessionDetails  # noqa: E402

POSTITS = 200
STARTS = 9
# The real command line, leaving as soon as its first screen is ready: an autopilot
# given to `App.run` (textual's own hook) exits the app; nothing in the program changes.
APP_ONCE = """
import sys
from textual.app import App

run = App.run


async def leave(pilot):
    pilot.app.exit()


def run_once(self, *args, **kwargs):
    kwargs["auto_pilot"] = leave
    return run(self, *args, **kwargs)


App.run = run_once
from facilitator.cli import main

main(sys.argv[1:])
"""

BARE_APP = """
from textual.app import App
from textual.widgets import Label

class Bare(App):
    def compose(self):
        yield Label("ready")

    def on_mount(self):
        self.call_after_refresh(self.exit)

Bare().run()
"""


def new_session(ws: Workspace) -> str:
    statement_set = ws.catalogue().get("does-social-work-care")
    details = SessionDetails(label="Benchmark group", cohort="adults", setting="community", date="2010-01-01")
    return ws.store.sessions.create(statement_set, details).id


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def direct_floor(ws: Workspace, session_id: str) -> list[float]:
    session = ws.store.sessions.get(session_id)
    times = []
    for index in range(POSTITS):
        start = time.perf_counter()
        ws.store.postits.add(session_id, 2, "3", f"direct {index}", session=session)
        times.append(time.perf_counter() - start)
    return times


async def through_the_wall(ws: Workspace, session_id: str) -> list[float]:
    from facilitator.ui.app import make_app

    store = ws.store
    committed: list[float] = []
    original = store.postits.add

    def timed_add(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)  # type: ignore[arg-type]
        committed.append(time.perf_counter())
        return result

    store.postits.add = timed_add  # type: ignore[method-assign]
    times = []
    app = make_app(ws, session_id, blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for index in range(POSTITS):
            await pilot.press("12345"[index % 5])
            start = time.perf_counter()
            await pilot.press("enter")
            times.append(committed[-1] - start)
    store.postits.add = original  # type: ignore[method-assign]
    return times


def time_start(command: list[str], env: dict[str, str]) -> float:
    """Seconds from launch to exit of a program that leaves when its first screen is ready."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def drain() -> None:
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    code = process.wait(timeout=60)
    elapsed = time.perf_counter() - start
    os.close(master)
    if code != 0:
        raise SystemExit(f"{command} exited with {code}")
    return elapsed


def time_both(
    first: tuple[list[str], dict[str, str]], second: tuple[list[str], dict[str, str]], starts: int
) -> tuple[list[float], list[float]]:
    """Start-up times of two commands, taken in turn so that machine noise falls on both alike."""
    time_start(*first)  # warm the file cache for both
    time_start(*second)
    first_times, second_times = [], []
    for _ in range(starts):
        first_times.append(time_start(*first))
        second_times.append(time_start(*second))
    return first_times, second_times


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        # Unencrypted on purpose: this measures the app against bare Textual; what encryption
        # adds (the unlock among it) is measured by record_latency.py.
        ws = Workspace.at(Path(folder) / "data")
        ws.create(None)
        session_id = new_session(ws)
        floor = direct_floor(ws, session_id)
        wall = asyncio.run(through_the_wall(ws, session_id))
        ws.close()

        env = dict(os.environ, TERM="xterm-256color")
        app_command = [sys.executable, "-c", APP_ONCE, "--data-dir", str(Path(folder) / "data")]
        bare_command = [sys.executable, "-c", BARE_APP]
        app_times, bare_times = time_both((app_command, env), (bare_command, env), STARTS)

    ms = 1000
    f_med, f_p99 = statistics.median(floor), percentile(floor, 0.99)
    w_med, w_p99 = statistics.median(wall), percentile(wall, 0.99)
    print(f"key-to-commit over {POSTITS} post-its (Enter to row committed, headless):")
    print(f"  wall    median {w_med * ms:7.2f} ms   p99 {w_p99 * ms:7.2f} ms")
    print(f"  floor   median {f_med * ms:7.2f} ms   p99 {f_p99 * ms:7.2f} ms   (store.postits.add direct)")
    print(f"  ratio   median {w_med / f_med:7.2f} x    p99 {w_p99 / f_p99:7.2f} x   (target: median < 20 ms)")
    a_med, b_med = statistics.median(app_times), statistics.median(bare_times)
    print(f"start-up to first screen ready, median of {STARTS}:")
    print(f"  facilitator     {a_med * ms:7.1f} ms")
    print(f"  bare Textual    {b_med * ms:7.1f} ms   (one Label)")
    print(f"  ratio           {a_med / b_med:7.2f} x    (target: at most 1.3x)")


if __name__ == "__main__":
    main()
