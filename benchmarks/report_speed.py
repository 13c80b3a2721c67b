"""How fast is the five-session report, drawn cold and again from the chart cache?

Run from the project root:  python benchmarks/report_speed.py

It builds the five sessions of *Does social work care?* (with their discussion and the
pool of groups 2 and 3) in a temporary encrypted folder, then times, in one run:

1. the full report with an empty chart cache (cold), then again with the same cache (warm);
2. `draw_all` alone on the report's charts (Figures, diverging charts, Appendix 1), cold and warm.

Targets (printed, not asserted): cold under 3 s, warm under 15% of cold.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMATS = ("png", "svg")
COLD_TARGET_S = 3.0
WARM_TARGET = 0.15


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def line(name: str, cold: float, warm: float) -> str:
    ratio = warm / cold
    verdict = "met" if cold < COLD_TARGET_S and ratio < WARM_TARGET else "MISSED"
    return (
        f"{name:<28} cold {cold:5.2f} s   warm {warm:5.2f} s   warm/cold {ratio:6.1%}"
        f"   (targets: cold < {COLD_TARGET_S:g} s, warm < {WARM_TARGET:.0%}: {verdict})"
    )


def main() -> None:
    from facilitator.exercise import charts
    from facilitator.outputs import chart_files, report
    from tests.five_sessions import CONSULTATION, add_discussion, build, pool_option
    from tests.folders import open_folder

    with tempfile.TemporaryDirectory(prefix="report-speed-") as temporary:
        work = Path(temporary)
        with open_folder(work / "data") as store:
            sessions = build(store)
            add_discussion(store, sessions)
            selection = charts.select(store, consultation=CONSULTATION, pools=[pool_option(sessions)])
            jobs = chart_files.chart_jobs(store, selection)
            print(f"{len(jobs)} charts as PNG + SVG\n")

            cache = work / "report-cache"

            def whole_report(out: str) -> Callable[[], object]:
                return lambda: report.write_report(store, selection, work / out, FORMATS, cache=cache)

            cold = timed(whole_report("cold"))
            warm = timed(whole_report("warm"))
            print(line("report, five sessions", cold, warm))

            cache = work / "draw-cache"

            def draw(out: str) -> Callable[[], object]:
                (work / out).mkdir()
                return lambda: chart_files.draw_all(jobs, FORMATS, work / out, cache=cache)

            cold = timed(draw("draw-cold"))
            warm = timed(draw("draw-warm"))
            print(line("draw_all, the report's charts", cold, warm))


if __name__ == "__main__":
    main()
