"""Terminal charts: bars in scale order with their labels, counts, percentages and n."""

from __future__ import annotations

import pytest
from rich.console import Console, RenderableType

from facilitator.core.statements import Statement, load_statement_set
from facilitator.exercise.charts import ALL, Chart, ChartGroup
from facilitator.outputs.terminal_charts import (
    Diverging,
    StatementBars,
    group_bars,
    group_rows,
    statement_rows,
)
from tests.five_sessions import SET_PATH

SCALE = load_statement_set(SET_PATH).scale


def chart(counts: tuple[int, ...], label: str = "Adult focus group 1", text: str = "Listen to me") -> Chart:
    return Chart(f"{label}: {text}", ChartGroup(label, ALL, ()), Statement(1, text), SCALE, counts)


def render(renderable: RenderableType, width: int = 80) -> list[str]:
    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.export_text().splitlines()


def bar_cells(line: str) -> int:
    return sum(line.count(c) for c in "█▉▊▋▌▍▎▏")


def test_bars_come_in_scale_order_with_label_count_percent_and_n() -> None:
    lines = render(StatementBars(chart((3, 4, 1, 2, 0))))

    assert lines[0] == "Adult focus group 1: Listen to me"
    assert lines[1] == "n = 10"
    assert [line.split("  ")[0].split(" ")[0] for line in lines[2:]] == [
        "Strongly",
        "Agree",
        "Not",
        "Disagree",
        "Strongly",
    ]
    assert lines[2].startswith("Strongly agree ++") and lines[2].endswith("3 (30%)")
    assert lines[3].endswith("4 (40%)")
    assert lines[6].startswith("Strongly disagree --") and lines[6].endswith("0 (0%)")
    assert all(len(line) <= 80 for line in lines)


def test_the_biggest_count_fills_the_width_in_counts_mode() -> None:
    lines = render(StatementBars(chart((3, 4, 1, 2, 0))), width=60)

    longest = bar_cells(lines[3])
    assert longest == 60 - len("Strongly disagree --") - len("4 (40%)") - 2
    assert bar_cells(lines[6]) == 0
    assert bar_cells(lines[4]) == pytest.approx(longest / 4, abs=1)


def test_percent_mode_leads_with_the_percentage_and_scales_to_100() -> None:
    lines = render(StatementBars(chart((3, 4, 1, 2, 0)), percent=True), width=60)

    assert lines[3].endswith("40% (4)")
    room = 60 - len("Strongly disagree --") - len("40% (4)") - 2
    assert bar_cells(lines[3]) == pytest.approx(room * 0.4, abs=1)


def test_an_empty_chart_says_so() -> None:
    lines = render(StatementBars(chart((0, 0, 0, 0, 0))))

    assert "n = 0  (no post-its yet)" in lines
    assert lines[-1].endswith("0 (0%)")


def test_labels_are_never_read_as_markup_or_control_codes() -> None:
    lines = render(StatementBars(chart((1, 0, 0, 0, 0), label="[red]Group[/] \x1b[31m", text="[b]x[/b]")))

    assert lines[0] == "[red]Group[/] ␛[31m: [b]x[/b]"


def test_a_group_shows_every_statement() -> None:
    lines = render(group_bars([chart((1, 0, 0, 0, 0), text="One"), chart((0, 1, 0, 0, 0), text="Two")]))

    assert "Adult focus group 1: One" in lines and "Adult focus group 1: Two" in lines
    assert lines.index("Adult focus group 1: Two") > lines.index("Adult focus group 1: One")


def test_the_diverging_view_centres_neutral_and_labels_every_row_with_its_counts() -> None:
    rows = [
        ("All agree", chart((4, 0, 0, 0, 0))),
        ("All disagree", chart((0, 0, 0, 0, 4))),
        ("All not sure", chart((0, 0, 4, 0, 0))),
    ]

    lines = render(Diverging(rows, title="Listen to me"))

    assert lines[0] == "Listen to me"
    assert "++ Str agree" in lines[1] and "? Not sure" in lines[1] and "-- Str disagree" in lines[1]
    agree, disagree, neutral = lines[2:5]
    centre = agree.index("│")
    assert {row.index("│") for row in (agree, disagree, neutral)} == {centre}
    assert agree.endswith("++4 +0 ?0 -0 --0 n=4")
    assert disagree.endswith("++0 +0 ?0 -0 --4 n=4")
    # Agreement sits left of the centre line, disagreement right, neutral on both sides.
    assert "█" in agree[:centre] and "█" not in agree[centre:].split(" ++")[0]
    assert "▚" in disagree[centre:] and "▚" not in disagree[:centre]
    left = neutral[:centre].count("░")
    right = neutral[centre + 1 :].count("░")
    assert left > 0 and abs(left - right) <= 1


def test_counts_mode_puts_rows_on_one_scale() -> None:
    rows = [("Big", chart((10, 0, 0, 0, 0))), ("Small", chart((5, 0, 0, 0, 0)))]

    big, small = render(Diverging(rows, percent=False))[1:3]
    in_percent = render(Diverging(rows, percent=True))[1:3]

    assert big.count("█") == pytest.approx(2 * small.count("█"), abs=1)
    assert in_percent[0].count("█") == in_percent[1].count("█") > 0


def test_long_row_labels_keep_their_end_so_groups_stay_distinct() -> None:
    rows = [
        ("Young offender focus group 4 in a very long place name", chart((1, 0, 0, 0, 0))),
        ("Young offender focus group 5 in a very long place name", chart((0, 1, 0, 0, 0))),
    ]

    lines = render(Diverging(rows), width=60)

    assert lines[1][:20] != lines[2][:20] or lines[1].split("…")[1] != lines[2].split("…")[1]
    assert all(len(line) <= 60 for line in lines)


def test_rows_for_the_two_diverging_views() -> None:
    one, two = (
        chart((1, 0, 0, 0, 0), label="A", text="First"),
        chart((0, 1, 0, 0, 0), label="B", text="First"),
    )

    assert [label for label, _ in statement_rows([one])] == ["1 First"]
    assert [label for label, _ in group_rows([one, two])] == ["A", "B"]


def test_bars_keep_their_colours_in_a_256_colour_terminal() -> None:
    console = Console(width=60, color_system="256", force_terminal=True, legacy_windows=False)
    with console.capture() as captured:
        console.print(StatementBars(chart((3, 4, 1, 2, 0))))

    assert "\x1b[38;5;" in captured.get() and "38;2;" not in captured.get()


def test_every_category_has_its_own_fill_named_in_the_legend() -> None:
    rows = [("Group", chart((1, 1, 1, 1, 1)))]

    legend, row = render(Diverging(rows), width=100)[0:2]

    # The legend: "<fill><fill> <symbol> <short label>" per category, five different fills.
    pieces = [piece.strip() for piece in legend.split("  ") if piece.strip()]
    fills = [piece[0] for piece in pieces]
    assert len(pieces) == 5 and len(set(fills)) == 5, legend
    assert [piece[3:5].strip() for piece in pieces] == ["++", "+", "?", "-", "--"]
    # Every fill of the legend is drawn in the row (the neutral one on both sides).
    assert all(fill in row for fill in fills)
