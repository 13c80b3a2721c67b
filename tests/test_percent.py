"""One rule for shown percentages: equal counts show equal percentages everywhere."""

from __future__ import annotations

import re

from facilitator.core.percent import percent_text, whole_percent
from facilitator.outputs.document import Document, Section
from facilitator.outputs.render_html import render_html
from facilitator.outputs.report import chart_figure
from facilitator.outputs.terminal_charts import StatementBars
from facilitator.ui.widgets.distribution import Distribution, percentages
from tests.test_terminal_charts import SCALE, chart, render

# n = 8: one post-it is exactly 12.5%, the case where largest remainders showed 13% and 12%.
COUNTS = (1, 1, 3, 3, 0)


def test_each_share_is_rounded_on_its_own() -> None:
    assert [whole_percent(c, 8) for c in COUNTS] == [12, 12, 38, 38, 0]
    assert percent_text(1, 3) == "33%" and percent_text(0, 0) == "0%"
    # Shown percentages need not add up to 100 (3 x 33%).
    assert sum(whole_percent(1, 3) for _ in range(3)) == 99


def test_the_wall_the_charts_screen_and_the_html_table_agree() -> None:
    expected = [percent_text(c, 8) for c in COUNTS]
    by_key = dict(zip(SCALE.keys, COUNTS, strict=True))

    wall = " ".join(render(Distribution(SCALE, by_key), width=200))
    bars = render(StatementBars(chart(COUNTS)))[2:]
    figure = chart_figure(chart(COUNTS), {}, None, "figure")
    table = render_html(Document("Counts", None, (Section("Chart", 1, (figure,)),)))

    assert list(percentages(by_key, SCALE.keys).values()) == [whole_percent(c, 8) for c in COUNTS]
    assert re.findall(r"\((\d+%)\)", wall) == expected
    assert [re.search(r"\((\d+%)\)", line).group(1) for line in bars] == expected  # type: ignore[union-attr]
    assert re.findall(r'class="number">(\d+%)<', table) == expected


def test_the_markdown_summary_shows_equal_counts_as_equal_percentages(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_cli import new_session, write_csv

    session_id = new_session(cli)
    keys = [key for key, count in zip(SCALE.keys, COUNTS, strict=True) for _ in range(count)]
    rows = "".join(f"1,{key},\n" for key in keys)
    assert (
        cli(
            "import-postits",
            session_id,
            str(write_csv(tmp_path / "w.csv", "statement,response,comment\n" + rows)),
        ).exit_code
        == 0
    )
    out = tmp_path / "summary.md"

    assert cli("export", session_id, "--format", "md", "--out", str(out)).exit_code == 0

    first_table = out.read_text(encoding="utf-8").split("| Response | Post-its | % |")[1].split("\n\n")[0]
    assert re.findall(r"\| (\d+%) \|", first_table) == [percent_text(c, 8) for c in COUNTS]
