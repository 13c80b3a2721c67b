"""Conflicts from sync: two devices changed the same record; a person chooses.

The table lists each conflicted record in words; below it, the two versions of
the selected one side by side, field by field, shown literally. k keeps the
record as it is here, t takes the other device's version.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.sync import conflicts as conflict_labels
from facilitator.sync import merge as sync
from facilitator.sync.merge import Conflict
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP, key_bar_bindings
from facilitator.ui.text import literal, one_line
from facilitator.ui.widgets.key_bar import KeyBar

COLUMNS = ("Differs in", "Record")


class ConflictsScreen(Guarded, Screen[None]):
    """Every open conflict; keep this version (k) or take the other (t)."""

    CSS_PATH = "conflicts.tcss"
    HELP_TITLE = "Keys of the conflicts"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "keep", "keep this", id="conflicts.keep", tooltip="Keep the record as it is here."),
        Binding("t", "take", "take other", id="conflicts.take", tooltip="Take the other device's version."),
        BLANK,
        HELP,
        Binding("escape", "back", "back", id="conflicts.back", key_display="esc", tooltip="Go back."),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.found: list[Conflict] = []

    def compose(self) -> ComposeResult:
        yield Static(id="conflicts-title")
        table: DataTable[Text] = DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        with VerticalScroll(id="conflict-detail"):
            yield Static(id="conflict-versions")
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.refresh_conflicts()
        self.query_one(DataTable).focus()

    def refresh_conflicts(self) -> None:
        store = self.workspace.store
        table: DataTable[Text] = self.query_one(DataTable)
        row = table.cursor_row
        self.found = sync.conflicts(store)
        table.clear()
        for conflict in self.found:
            fields = [name for name, _here, _there in conflict_labels.differences(conflict)]
            table.add_row(
                Text(", ".join(fields) or "hidden fields"),
                one_line(conflict_labels.describe(store, conflict)),
                key=conflict.id,
            )
        if self.found:
            table.move_cursor(row=min(max(row, 0), len(self.found) - 1))
        count = len(self.found)
        self.query_one("#conflicts-title", Static).update(
            Text.assemble(
                ("Conflicts", "bold"),
                f" · {count} to review" if count else " · none: nothing to review",
            )
        )
        self.show_selected()

    def selected(self) -> Conflict | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self.found or not 0 <= table.cursor_row < len(self.found):
            return None
        return self.found[table.cursor_row]

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_selected()

    def show_selected(self) -> None:
        versions = self.query_one("#conflict-versions", Static)
        conflict = self.selected()
        if conflict is None:
            versions.update(
                Text("When two devices change the same record, both versions show here to choose from.")
            )
            return
        here_at, there_at = conflict_labels.changed_at(conflict, self.workspace.store.device_id)
        grid = Table(show_edge=False, expand=True, box=None, padding=(0, 1))
        grid.add_column("", style="bold", no_wrap=True)
        grid.add_column(Text("Here now (k keeps)", style="bold"), ratio=1)
        grid.add_column(Text("Other version (t takes)", style="bold"), ratio=1)
        for name, here, there in conflict_labels.differences(conflict):
            grid.add_row(Text(name), literal(here, keep_newlines=True), literal(there, keep_newlines=True))
        grid.add_row(Text("written"), Text(here_at, style="dim"), Text(there_at, style="dim"))
        # The record in full: at 80 columns the table's Record column is cut.
        record = one_line(conflict_labels.describe(self.workspace.store, conflict), "bold")
        versions.update(Group(record, Text(), grid))

    def _resolve(self, take_other: bool) -> None:
        conflict = self.selected()
        if conflict is None:
            self.notify("No conflict selected.", severity="warning")
            return
        try:
            sync.resolve_conflict(self.workspace.store, conflict.id, take_other=take_other)
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
        else:
            self.notify("Took the other version." if take_other else "Kept the version here.")
        self.refresh_conflicts()

    def action_keep(self) -> None:
        self._resolve(take_other=False)

    def action_take(self) -> None:
        self._resolve(take_other=True)

    def action_back(self) -> None:
        self.dismiss(None)
