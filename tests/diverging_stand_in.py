"""Until diverging charts are drawn (chart drawing's own change), reports draw them as a blank picture.

Once `chart_files.draw_all` draws them, the real drawing is used and this does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from facilitator.exercise.charts import Diverging
from facilitator.outputs import chart_files

BLANK_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
REAL = chart_files.draw_all


def draw_all(
    jobs: Sequence[chart_files.ChartJob],
    formats: Sequence[str],
    directory: Path,
    *,
    cache: Path | None = None,
) -> list[dict[str, str]]:
    try:
        return REAL(jobs, formats, directory, cache=cache)
    except NotImplementedError:
        written = []
        for job in jobs:
            if not isinstance(job.chart, Diverging):
                written += REAL([job], formats, directory, cache=cache)
                continue
            for fmt in formats:
                (directory / f"{job.stem}.{fmt}").write_bytes(BLANK_SVG)
            written.append({fmt: f"{job.stem}.{fmt}" for fmt in formats})
        return written


@pytest.fixture(scope="module", autouse=True)
def diverging_stand_in() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chart_files, "draw_all", draw_all)
        yield
