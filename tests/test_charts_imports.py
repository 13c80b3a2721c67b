"""Chart, summary and report code is domain code: no textual, and no heavy imports until needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = (
    "facilitator.exercise.charts",
    "facilitator.outputs.terminal_charts",
    "facilitator.outputs.chart_files",
    "facilitator.outputs.summary",
    "facilitator.outputs.report",
    "facilitator.outputs.render_html",
    "facilitator.outputs.render_markdown",
    "facilitator.core.literal",
    "facilitator.cli",
)


def test_chart_modules_import_neither_textual_nor_matplotlib_nor_scipy() -> None:
    code = (
        "import sys\n"
        f"for name in {MODULES!r}: __import__(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'matplotlib', 'scipy'}))"
    )

    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "[]"
