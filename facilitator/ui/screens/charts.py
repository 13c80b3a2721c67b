"""The charts screen: every chart group's responses, one statement at a time.

`c` on the wall opens it on the wall's session and statement; `g` on the
sessions screen opens it on the selected session. Keys page through the chart
groups (session, pooled group, cohort, all sessions) and the statements, switch
counts and percentages, and show a compact diverging view of every statement of
a group, or of every group on a statement, with the neutral category centred.
Every bar carries its label and its count, so colour never carries meaning.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from facilitator.actions.data_folder import Workspace
from facilitator.core.example import EXAMPLE_MARK
from facilitator.core.literal import visible
from facilitator.exercise.charts import (
    ALL,
    COHORT,
    POOL,
    SESSION,
    Chart,
    ChartGroup,
    Counts,
    screen_selection,
)
from facilitator.outputs.terminal_charts import Diverging, StatementBars
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP, Command, key_bar_bindings
from facilitator.ui.text import literal
from facilitator.ui.widgets.key_bar import KeyBar

BARS, DIVERGING = "bars", "diverging"
# What the rows of the diverging view are.
BY_STATEMENT, BY_GROUP = "statements", "groups"

KIND_NAMES = {SESSION: "session", POOL: "pooled sessions", COHORT: "cohort", ALL: "all sessions"}
CURRENT = "▸ "
OTHER = "  "


class ChartsScreen(Guarded, Screen[None]):
    """Bars of one statement over one chart group, or a diverging view of many."""

    CSS_PATH = "charts.tcss"
    HELP_TITLE = "Keys of the charts"
    # Key bar order: what is pressed most first (at 80 columns the end is cut; `?` lists every key).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "g,down",
            "group(1)",
            "group",
            id="charts.next_group",
            key_display="g/↓",
            tooltip="Next chart group: each session or pool, each cohort, then all sessions. "
            "The palette has each group by name.",
        ),
        Binding(
            "up",
            "group(-1)",
            "previous group",
            id="charts.previous_group",
            show=False,
            tooltip="Previous chart group.",
        ),
        Binding(
            "n,right",
            "statement(1)",
            "next",
            id="charts.next",
            key_display="n/→",
            tooltip="Next statement.",
        ),
        Binding(
            "p,left",
            "statement(-1)",
            "prev",
            id="charts.previous",
            key_display="p/←",
            tooltip="Previous statement.",
        ),
        HELP,
        Binding(
            "escape,c",
            "close",
            "back",
            id="charts.close",
            key_display="esc",
            tooltip="Back to the screen you came from.",
        ),
        Binding(
            "t",
            "toggle_percent",
            "count/%",
            id="charts.percent",
            tooltip="Counts first or percentages first (the diverging rows: one count scale, or % of n).",
        ),
        Binding(
            "d",
            "diverging",
            "diverging",
            id="charts.diverging",
            tooltip="Bars, or the diverging view: agree on the left, disagree on the right, neutral centred.",
        ),
        Binding(
            "r",
            "rows",
            "rows",
            id="charts.rows",
            tooltip="Diverging view: every statement of this group, or every group on this statement.",
        ),
        Binding(
            "o",
            "pool",
            "pool",
            id="charts.pool",
            tooltip="Pool this session with another of its consultation under a label (saved).",
        ),
        BLANK,
    ]

    def __init__(
        self,
        workspace: Workspace,
        session_id: str | None = None,
        statement: int = 1,
        *,
        every_session: bool = False,
    ) -> None:
        """Start on the group of `session_id` (or on all sessions) and on `statement`.

        The groups are those of the session's consultation (or the session alone);
        with `every_session`, those of every session when their statements allow.
        Raises FacilitatorError when there is nothing to chart.
        """
        super().__init__()
        self.workspace = workspace
        self._load(session_id, every_session=every_session)
        self.group_index = self._start_group(session_id)
        self.number = max(1, min(statement, len(self.selection.statements)))
        self.view = BARS
        # Bars start with counts; diverging rows start as shares of their n, to compare groups.
        self.percents = {BARS: False, DIVERGING: True}
        self.rows = BY_STATEMENT
        self.large = False

    def _load(self, session_id: str | None, *, every_session: bool = False) -> None:
        """Choose the selection, its groups (saved pools included) and their counts."""
        store = self.workspace.store
        selection = screen_selection(store) if every_session or session_id is None else None
        if selection is None or (session_id and session_id not in selection.session_ids):
            selection = screen_selection(store, session_id)
        self.selection = selection
        # One session alone: its own group and "all sessions" would be the same chart twice.
        self.groups = selection.groups if len(selection.sessions) == 1 else selection.screen_groups()
        self.counts = Counts(store, selection.sessions)

    def _start_group(self, session_id: str | None) -> int:
        for index, group in enumerate(self.groups):
            if session_id in group.session_ids:
                return index
        return len(self.groups) - 1  # all sessions

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="chart-title")
        yield Static(id="chart-mode")
        with VerticalScroll(id="chart-body"):
            yield Static(id="chart")
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.show()

    def on_resize(self, event: events.Resize) -> None:
        large = event.size.width >= 120 and event.size.height >= 40
        self.set_class(large, "-large")
        if large != self.large:
            self.large = large
            self.show()

    @property
    def percent(self) -> bool:
        """Whether the current view leads with percentages."""
        return self.percents[self.view]

    @property
    def group(self) -> ChartGroup:
        return self.groups[self.group_index]

    def chart(self, group: ChartGroup | None = None, number: int | None = None) -> Chart:
        statement = self.selection.statements[(number or self.number) - 1]
        return self.counts.chart(group or self.group, statement, self.selection.scale)

    def show(self) -> None:
        """Draw the current view from the state (group, statement, counts or %, view)."""
        statements = self.selection.statements
        statement = statements[self.number - 1]
        title = self.query_one("#chart-title", Static)
        if self.view == BARS:
            heading = self.chart().title
        elif self.rows == BY_STATEMENT:
            heading = f"{self.group.label}: every statement"
        else:
            heading = f"Every chart group: {statement.text}"
        title.update(literal(heading, "bold"))
        title.border_title = f"statement {self.number} of {len(statements)}"
        if any(s.example for s in self.selection.sessions):
            title.border_title = f"{EXAMPLE_MARK} · {title.border_title}"
        title.border_subtitle = literal(
            f"group {self.group_index + 1} of {len(self.groups)}: {KIND_NAMES.get(self.group.kind, '')}"
        )
        self.query_one("#chart-mode", Static).update(self.mode_text())
        self.query_one("#chart", Static).update(self.body())

    def mode_text(self) -> Text:
        """One line saying what is shown and how to change it."""
        if self.view == BARS:
            what = "Bars"
            values = "each bar % (count) on a 0-100% scale" if self.percent else "each bar count (%)"
        else:
            what = "Diverging: " + (
                "every statement of this group"
                if self.rows == BY_STATEMENT
                else "every group on this statement"
            )
            values = "each row as % of its n" if self.percent else "counts on one scale"
        return Text.assemble((what, "bold"), f" · {values} · t switches")

    def body(self) -> RenderableType:
        if self.view == BARS:
            bars = StatementBars(self.chart(), percent=self.percent, show_title=False, gap=self.large)
            if len(self.groups) < 2:
                return bars
            # Below the bars, while there is room: how the other groups answered.
            return Group(
                bars,
                Text(""),
                Text("Every chart group on this statement, as % of each group's n", style="bold"),
                Diverging(self.group_rows(), percent=True),
            )
        rows = self.statement_rows() if self.rows == BY_STATEMENT else self.group_rows()
        diverging = Diverging(rows, percent=self.percent, gap=self.large)
        if not self.large:
            return diverging
        # A projector has room for the marked row's own bars as well.
        chart = self.chart()
        return Group(
            diverging,
            Text(""),
            Text(f"▸ {chart.title}", style="bold"),
            StatementBars(chart, percent=False, show_title=False),
        )

    def statement_rows(self) -> list[tuple[str, Chart]]:
        """This group's statements, the current one marked."""
        return [
            (
                f"{CURRENT if s.number == self.number else OTHER}{s.number} {s.text}",
                self.chart(number=s.number),
            )
            for s in self.selection.statements
        ]

    def group_rows(self) -> list[tuple[str, Chart]]:
        """Every group on this statement, the current one marked."""
        return [
            (f"{CURRENT if index == self.group_index else OTHER}{group.label}", self.chart(group))
            for index, group in enumerate(self.groups)
        ]

    # ------------------------------------------------------------ actions

    def action_group(self, step: int) -> None:
        """Next or previous chart group (wrapping round); with one group, says why there is no other."""
        if len(self.groups) < 2:
            self.notify(
                "Only one chart group here. To chart sessions together, give them the same "
                "consultation: e on the sessions screen."
            )
            return
        self.group_index = (self.group_index + step) % len(self.groups)
        self.show()

    def action_show_group(self, index: int) -> None:
        """Go straight to one chart group (command palette)."""
        self.group_index = max(0, min(index, len(self.groups) - 1))
        self.show()

    def action_statement(self, step: int) -> None:
        target = self.number + step
        if not 1 <= target <= len(self.selection.statements):
            self.notify("That was the " + ("last" if step > 0 else "first") + " statement.")
            return
        self.number = target
        self.show()

    def action_toggle_percent(self) -> None:
        self.percents[self.view] = not self.percent
        self.show()

    def action_diverging(self) -> None:
        self.view = BARS if self.view == DIVERGING else DIVERGING
        self.show()

    def action_rows(self) -> None:
        """Every statement of the group, or every group on the statement (opens the diverging view)."""
        if self.view == DIVERGING:
            self.rows = BY_GROUP if self.rows == BY_STATEMENT else BY_STATEMENT
        self.view = DIVERGING
        self.show()

    def action_pool(self) -> None:
        """Pool the current session with another session of its consultation, under a typed label."""
        from facilitator.ui.screens.pool_form import PoolForm

        if self.group.kind != SESSION:
            self.notify("Go to one session's chart group (g) to pool it.", severity="warning")
            return
        session = self.group.sessions[0]
        pooled = {i for g in self.groups if g.kind == POOL for i in g.session_ids}
        others = [
            s
            for s in self.selection.sessions
            if s.id != session.id and s.id not in pooled and s.consultation_id == session.consultation_id
        ]
        if not others:
            self.notify("No other session of this consultation is free to pool.", severity="warning")
            return

        def done(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self.save_pool(session.id, *answer)

        self.app.push_screen(PoolForm(session, others), done)

    def save_pool(self, session_id: str, label: str, other_id: str) -> None:
        """Save the pool, then show its group."""
        from facilitator.core.errors import FacilitatorError
        from facilitator.exercise.pools import save_pool

        try:
            pool = save_pool(self.workspace.store, label, [session_id, other_id])
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._load(session_id)
        self.group_index = self._start_group(session_id)
        self.notify(f"Pooled as {pool.label}.", markup=False)
        self.show()

    def action_close(self) -> None:
        self.dismiss(None)

    def data_commands(self) -> list[Command]:
        """Each chart group by name, for the command palette."""
        return [
            Command(
                f"Chart group: {visible(group.label)}",
                KIND_NAMES.get(group.kind, ""),
                f"show_group({index})",
            )
            for index, group in enumerate(self.groups)
        ]
