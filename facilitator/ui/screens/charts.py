"""The chart of one statement's post-its, in the terminal.

`c` on the wall opens `StatementChartScreen`. Every bar carries its count and
percentage and its category's number and symbol, so colour never carries meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from facilitator.statements import Scale
from facilitator.store import Session
from facilitator.ui.palette import category_colours
from facilitator.ui.text import literal
from facilitator.ui.widgets.distribution import percentages


class BarChart:
    """A horizontal bar per category, scaled to the largest count, sized to the screen."""

    def __init__(self, scale: Scale, counts: Mapping[str, int]) -> None:
        self.scale = scale
        self.counts = dict(counts)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        colours = category_colours(self.scale)
        percent = percentages(self.counts, self.scale.keys)
        total = sum(self.counts.get(k, 0) for k in self.scale.keys)
        label_width = max(len(f"{c.entry} {c.symbol} {c.label}") for c in self.scale)
        bar_width = max(options.max_width - label_width - 16, 5)
        biggest = max([self.counts.get(k, 0) for k in self.scale.keys] + [1])
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, justify="right")
        for category in self.scale:
            n = self.counts.get(category.key, 0)
            cells = round(n * bar_width / biggest)
            bar = Text("█" * cells, style=colours[category.key])
            table.add_row(
                Text(f"{category.entry} {category.symbol} {category.label}", style="bold"),
                bar,
                f"{n} ({percent[category.key]}%)",
            )
            table.add_row("", "", "")
        yield table
        yield Text(f"{total} post-it{'' if total == 1 else 's'} in all")


class StatementChartScreen(Screen[None]):
    """This statement's distribution as a bar chart; Esc or c goes back to the wall."""

    CSS_PATH = "charts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,c",
            "close",
            "back to the wall",
            id="chart.close",
            key_display="esc",
            tooltip="Back to the wall.",
        ),
        Binding("b", "blank", "blank", id="chart.blank", tooltip="Blank the screen at once."),
    ]

    def __init__(self, session: Session, number: int, counts: Mapping[str, int]) -> None:
        super().__init__()
        self.session = session
        self.number = number
        self.counts = dict(counts)

    def compose(self) -> ComposeResult:
        statement = self.session.statement(self.number)
        title = Static(literal(statement.text, "bold"), id="chart-title")
        title.border_title = f"statement {self.number} of {len(self.session.statements)}"
        yield title
        yield Static(BarChart(self.session.scale, self.counts), id="chart")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_blank(self) -> None:
        from facilitator.ui.screens.blank import BlankScreen

        self.app.push_screen(BlankScreen())
