"""Does the report's memory grow with the number of post-its, and how long does it take?

Run from the project root:  python benchmarks/report_memory.py
(`benchmarks/report_speed.py` times the five-session report cold and warm.)

It measures, each in a fresh process (wall time, peak resident memory, and the
peak of Python allocations traced by tracemalloc where noted):

1. `facilitator report` on the five sessions of *Does social work care?* (target: under 5 s);
2. a baseline: one raw GROUP BY over a synthetic archive of 1,000 sessions x 20
   statements x 30 post-its (600,000 post-its, half with a comment);
3. `facilitator report` on a five-session consultation inside that archive;
4. the report's whole data pass over all 1,000 sessions (counts, cohort tests, every
   comment streamed into report.html, 20,040 index entries) with chart drawing
   replaced by a stub, at 30 and at 8 post-its per statement: the same number of
   charts, 3.75 times the post-its, so any growth comes from the post-its.

Chart drawing is left out of (4) on purpose: 20,040 matplotlib charts would take
most of an hour; the cost per chart is measured in (1) and printed for reference.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SESSIONS = 1000
STATEMENTS = 20
KEYS = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree")


# ---------------------------------------------------------------- building data


def build_five(data: Path) -> str:
    """The five sessions through the public API; returns the --pool option."""
    from facilitator.store import Store
    from tests.five_sessions import build, pool_option

    with Store.open(data) as store:
        return pool_option(build(store))


def build_archive(data: Path, postits_per_statement: int) -> None:
    """A synthetic archive: SESSIONS sessions of STATEMENTS statements, in one transaction."""
    import random
    import uuid

    from facilitator.core.clock import now
    from facilitator.core.statements import Statement, load_statement_set
    from facilitator.store import Store

    base = load_statement_set(ROOT / "statements" / "does-social-work-care.toml")
    statements = [Statement(n, f"Synthetic statement number {n}").to_dict() for n in range(1, STATEMENTS + 1)]
    rng = random.Random(1)
    with Store.open(data) as store:
        device, stamp = store.device_id, now()
        consultation = str(uuid.uuid4())
        sessions, postits = [], []
        for index in range(SESSIONS):
            session_id = str(uuid.uuid4())
            cohort = "adults" if index % 3 else "young offenders"
            day = f"20{10 + index // 365:02d}-{1 + index % 12:02d}-{1 + index % 28:02d}"
            sessions.append(
                (session_id, consultation, f"Archive group {index + 1}", cohort, "community", "", day, "[]",
                 30, 20, 10, "archive", "Archive", json.dumps(base.scale.to_list()), json.dumps(statements),
                 stamp, stamp, device)
            )  # fmt: skip
            for number in range(1, STATEMENTS + 1):
                for person in range(postits_per_statement):
                    key = KEYS[min(4, int(rng.triangular(0, 5, 1 if cohort == "adults" else 2)))]
                    comment = (
                        f"Comment {person} on statement {number} in group {index + 1}" if person % 2 else ""
                    )
                    postits.append(
                        (
                            str(uuid.uuid4()),
                            session_id,
                            number,
                            key,
                            comment,
                            f"P{person + 1}",
                            stamp,
                            stamp,
                            device,
                        )
                    )
        with store.write() as db:
            db.execute(
                """INSERT INTO consultations (id, title, created_at, updated_at, device_id)
                   VALUES (?, ?, ?, ?, ?)""",
                [consultation, "Archive", stamp, stamp, device],
            )
            db.executemany(
                """INSERT INTO sessions (id, consultation_id, label, cohort, setting, location, date,
                   facilitators, participants, male, female, statement_set_id, statement_set_title,
                   scale, statements, created_at, updated_at, device_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                sessions,
            )
            db.executemany(
                """INSERT INTO postits (id, session_id, statement_number, response_key, comment,
                   participant, created_at, updated_at, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                postits,
            )


# ---------------------------------------------------------------- what each child process runs


def child(kind: str, args: list[str]) -> dict[str, Any]:
    """Run one measured task in this (fresh) process and report its costs."""
    traced = os.environ.get("REPORT_MEMORY_TRACE") == "1"
    if kind == "build-five":
        return {"pool": build_five(Path(args[0]))}
    if kind == "build-archive":
        start = time.perf_counter()
        build_archive(Path(args[0]), int(args[1]))
        return {"seconds": time.perf_counter() - start}
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    extra: dict[str, Any] = {}
    if kind == "report":
        from facilitator.cli import main

        try:
            main(["report", *args])
        except SystemExit as done:
            if done.code:
                raise
    elif kind == "baseline":
        from facilitator.store import Store

        with Store.open(Path(args[0])) as store:
            rows = store.db.execute(
                """SELECT session_id, statement_number, response_key, COUNT(*) FROM postits
                   WHERE deleted_at IS NULL GROUP BY session_id, statement_number, response_key"""
            ).fetchall()
            extra["rows"] = len(rows)
    elif kind == "datapass":
        from facilitator.exercise import charts
        from facilitator.outputs import chart_files, report
        from facilitator.store import Store

        def draw_nothing(jobs: Any, *_args: Any, **_kwargs: Any) -> list[dict[str, str]]:
            return [{} for _ in jobs]  # a chart not drawn has no picture in the page

        chart_files.draw_all = draw_nothing  # type: ignore[assignment]
        with Store.open(Path(args[0])) as store:
            selection = charts.select(store, consultation="Archive")
            entries = report.write_report(store, selection, Path(args[1]), ("svg",))
            extra["charts"] = len(entries)
            extra["html_mb"] = round((Path(args[1]) / "report.html").stat().st_size / 2**20, 1)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "maxrss_mb": usage.ru_maxrss / 1024,
        **extra,
    }
    if traced:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    if kind == "report" and os.environ.get("REPORT_MEMORY_PER_CHART") == "1":
        result["per_chart"] = per_chart(args)
    return result


def per_chart(args: list[str]) -> float:
    """Seconds to draw one chart as PNG and SVG (matplotlib already imported)."""
    from facilitator.exercise import charts
    from facilitator.outputs import chart_files
    from facilitator.store import Store

    data = Path(args[args.index("--data-dir") + 1])
    with Store.open(data) as store:
        selection = charts.select(store, consultation=args[args.index("--consultation") + 1])
        chart = charts.figure_charts(charts.Counts(store, selection.sessions), selection)[0]
    start = time.perf_counter()
    for _ in range(5):
        chart_files.render_formats(chart, ("png", "svg"))
    return (time.perf_counter() - start) / 5


def measure(kind: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def line(name: str, result: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    text = f"{name:<54} {result['seconds']:6.2f} s ({result['cpu']:5.2f} s CPU)"
    text += f" {result['maxrss_mb']:6.1f} MB rss"
    if "traced_peak_mb" in result:
        text += f" {result['traced_peak_mb']:6.1f} MB traced"
    if baseline:
        time_ratio = result["seconds"] / baseline["seconds"]
        text += f"  x{time_ratio:.1f} time, x{result['maxrss_mb'] / baseline['maxrss_mb']:.2f} rss"
    return text


def measured(kind: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Time and resident memory from one run, and the traced Python peak from a second one."""
    result = measure(kind, *args, env=env)
    if kind in {"baseline", "datapass"}:
        traced = measure(kind, *args, env={**(env or {}), "REPORT_MEMORY_TRACE": "1"})
        result["traced_peak_mb"] = traced["traced_peak_mb"]
    return result


def main() -> None:
    # The data is built in child processes: a child inherits its parent's peak memory,
    # so the parent stays small for the resident-memory figures to mean something.
    with tempfile.TemporaryDirectory(prefix="report-speed-") as temporary:
        work = Path(temporary)
        five, archive, thin = work / "five", work / "archive", work / "thin"
        pool = measure("build-five", str(five))["pool"]
        built = measure("build-archive", str(archive), "30")["seconds"]
        measure("build-archive", str(thin), "8")
        archive_pool = measure("build-five", str(archive))["pool"]
        print(f"archive of {SESSIONS * STATEMENTS * 30:,} post-its built in {built:.1f} s (one transaction)")
        print()

        consultation = ["--consultation", "Does social work care? 2010"]
        small = measured(
            "report", "--data-dir", str(five), "--out", str(work / "r1"), *consultation, "--pool", pool,
            env={"REPORT_MEMORY_PER_CHART": "1"},
        )  # fmt: skip
        print(line("report, five sessions (24 charts, PNG + SVG)", small))
        print(f"  target under 5 s: {'met' if small['seconds'] < 5 else 'MISSED'}")
        print(f"  drawing one chart as PNG + SVG: {small['per_chart'] * 1000:.0f} ms")
        print()

        baseline = measured("baseline", str(archive))
        print(line(f"baseline: one GROUP BY over 600,000 post-its ({baseline['rows']:,} rows)", baseline))
        inside = measured(
            "report",
            "--data-dir",
            str(archive),
            "--out",
            str(work / "r2"),
            *consultation,
            "--pool",
            archive_pool,
        )
        print(line("report, five sessions inside the archive", inside, baseline))
        full = measured("datapass", str(archive), str(work / "r3"))
        print(line("report data pass, 1,000 sessions x 20 x 30 post-its", full, baseline))
        print(f"  {full['charts']:,} index entries, report.html {full['html_mb']} MB")
        thinner = measured("datapass", str(thin), str(work / "r4"))
        print(line("report data pass, 1,000 sessions x 20 x 8 post-its", thinner, baseline))
        growth = full["traced_peak_mb"] / thinner["traced_peak_mb"]
        rss_growth = full["maxrss_mb"] / thinner["maxrss_mb"]
        print(f"  3.75x the post-its: traced peak x{growth:.2f}, rss x{rss_growth:.2f}")
        hours = full["charts"] * small["per_chart"] / 3600
        print(f"  drawing all {full['charts']:,} charts would add about {hours:.1f} h of matplotlib")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3:])))
    else:
        main()
