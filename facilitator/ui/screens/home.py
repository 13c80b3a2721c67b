"""The home screen: the sessions on this laptop, and where their data lives."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from facilitator.actions.data_folder import Workspace
from facilitator.actions.purge import office_since, stub_counts
from facilitator.actions.sessions import close_session, delete_session, reopen_session
from facilitator.actions.sync import sync_statuses
from facilitator.core.clock import MONTHS, parse_stamp
from facilitator.core.errors import FacilitatorError
from facilitator.core.literal import visible
from facilitator.store import SessionSummary
from facilitator.sync.status import CONFIRMED, EXPORTED, LOCAL, SessionSync
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP, Command, key_bar_bindings
from facilitator.ui.text import literal, one_line
from facilitator.ui.widgets.key_bar import KeyBar

# Status (open or closed, and how far it is on its way to the office) comes early: it matters most.
COLUMNS = ("Date", "Label", "Post-its", "Status", "Cohort", "Setting")
# Each cell has a space either side; a scroll bar may take two more.
CELL_PADDING = 2
SCROLLBAR = 2
MIN_COHORT = 10
SHORT_COHORT = 6  # "young…": enough to tell the cohorts apart at a glance
ROOMY_LABEL = 28  # a label this wide reads well (and tells "… focus group 4" from "… 5")
NO_NUMBERS = "⚠ "  # before the label of a session with no participant numbers: a symbol and words
NO_NUMBERS_NOTE = "⚠ marks a session with no participant numbers: press e on it to add them."


@dataclass(frozen=True)
class ColumnWidths:
    """How wide the label and cohort may be (cohort 0: no cohort column), whether the setting
    fits at all, and whether the status and date are in their short forms."""

    label: int
    cohort: int
    setting: bool
    short: bool = False
    short_date: bool = False


# What gives way, in turn, until the label shows whole: the setting (the session form shows
# it), the status's long words, the cohort (cut, then gone), the date's year.
# (setting shown, short status, cohort's least width or None for no cohort, short date)
NARROWER: tuple[tuple[bool, bool, int | None, bool], ...] = (
    (True, False, MIN_COHORT, False),
    (False, False, MIN_COHORT, False),
    (False, True, MIN_COHORT, False),
    (False, True, SHORT_COHORT, False),
    (False, True, None, False),
    (False, True, None, True),
)


def column_widths(
    summaries: Sequence[SessionSummary],
    width: int,
    *,
    scrollbar: bool = False,
    statuses: Mapping[str, SessionSync] | None = None,
) -> ColumnWidths:
    """Fit the table into `width` cells, giving the label the room first: at 80 columns a
    28-character label shows whole, at 60 a 20-character one; longer ones end in `…`.

    The other columns give way in the order of `NARROWER` until the label fits.
    """

    def widest(cells: Iterable[Text], header: str) -> int:
        return max([len(header), *(cell.cell_len for cell in cells)])

    def status_width(short: bool) -> int:
        cells = (status_cell(s, (statuses or {}).get(s.session.id), short=short) for s in summaries)
        return widest(cells, "Status")

    postits = widest((Text(str(s.postits)) for s in summaries), "Post-its")
    label = widest((label_cell(s) for s in summaries), "Label")
    wanted = min(label, ROOMY_LABEL)
    cohort = widest((one_line(s.session.cohort) for s in summaries), "Cohort")
    setting = widest((Text(s.session.setting) for s in summaries), "Setting")
    chosen = ColumnWidths(len("Label"), 0, False)
    for show_setting, short, least_cohort, short_date in NARROWER:
        date = widest((date_cell(s.session.date, short_date) for s in summaries), "Date")
        room = width - (SCROLLBAR if scrollbar else 0) - date - postits - status_width(short)
        columns = 4 + show_setting + (least_cohort is not None)
        left = room - columns * CELL_PADDING - (setting if show_setting else 0)
        cohort_width = 0
        if least_cohort is not None:
            cohort_width = min(cohort, max(least_cohort, left - label, left - ROOMY_LABEL))
        label_width = min(label, left - cohort_width)
        chosen = ColumnWidths(max(label_width, len("Label")), cohort_width, show_setting, short, short_date)
        if label_width >= wanted:
            break
    return chosen


def fit(text: Text, width: int) -> Text:
    """`text` cut to `width` cells with an ellipsis, when it is longer."""
    if text.cell_len > width:
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
    return text


def date_cell(date: str, short: bool = False) -> Text:
    """The session's date, or on a narrow screen its day and month: `04 Mar`."""
    if short and len(date) == 10 and date[5:7].isdigit() and 1 <= int(date[5:7]) <= 12:
        return Text(f"{date[8:10]} {MONTHS[int(date[5:7]) - 1]}")
    return Text(date)


def summary_row(
    summary: SessionSummary, widths: ColumnWidths | None = None, sync: SessionSync | None = None
) -> tuple[Text, ...]:
    """One table row; user data as literal text, cut to `widths` when given (without the
    columns that do not fit)."""
    session = summary.session
    label, cohort = label_cell(summary), one_line(session.cohort)
    if widths is None:
        widths = ColumnWidths(label.cell_len, cohort.cell_len, True)
    label, cohort = fit(label, widths.label), fit(cohort, widths.cohort)
    row = [
        date_cell(session.date, widths.short_date),
        label,
        Text(str(summary.postits), justify="right"),
        status_cell(summary, sync, short=widths.short),
    ]
    if widths.cohort:
        row.append(cohort)
    if widths.setting:
        row.append(Text(session.setting))
    return tuple(row)


def column_names(widths: ColumnWidths) -> list[str]:
    """The headings of the columns that fit."""
    return [
        name
        for name in COLUMNS
        if (name != "Cohort" or widths.cohort) and (name != "Setting" or widths.setting)
    ]


def lacks_numbers(summary: SessionSummary) -> bool:
    """No participant numbers typed for the session (a purged one keeps none here)."""
    return summary.session.participants is None and summary.purged is None


def label_cell(summary: SessionSummary) -> Text:
    """The label as literal text, after `⚠` when the session has no participant numbers."""
    label = one_line(summary.session.label)
    return Text.assemble(NO_NUMBERS, label) if lacks_numbers(summary) else label


def status_cell(summary: SessionSummary, sync: SessionSync | None = None, *, short: bool = False) -> Text:
    """Open or closed, then how far the session is on its way to the office, in words:

    `not sent` (bold: changed here since a bundle last carried it), `sent, awaiting office`
    (a bundle carried it, the office has not acknowledged it) or `✓ at office 04 Mar` (the
    office's signed acknowledgement says it holds exactly this). Only that last has the ✓;
    never colour alone. A session with no sync status (at the office, or one whose rows
    all came from other devices) shows only open or closed. A purged session:
    `✓ at office since 3 Dec` (or `purged · removed here`, purged by force).
    `short`, for a narrow screen, says the same in fewer words: `sent`, `✓ office`, `✓ at office`.
    """
    if summary.purged is not None:
        if summary.purged.get("confirmed_at"):
            return Text("✓ at office" if short else f"✓ {office_since(summary.purged, short=True)}")
        return Text("purged") if short else Text.assemble("purged · ", ("removed here", "bold"))
    state = "closed" if summary.session.is_closed else "open"
    if summary.session.example:  # practice data: never sent, so no office status
        return Text.assemble(f"{state} · ", ("EXAMPLE", "bold"))
    if sync is None:
        return Text(state)
    if sync.status == LOCAL:
        return Text.assemble(f"{state} · ", ("not sent", "bold"))
    if sync.status == EXPORTED:
        return Text(f"{state} · sent" if short else f"{state} · sent, awaiting office")
    if sync.status == CONFIRMED:
        if short:
            return Text(f"{state} · ✓ office")
        return Text(f"{state} · ✓ at office {day_month(sync.confirmed_at)}".rstrip())
    return Text(f"{state} · ✓ office" if short else f"{state} · ✓ at office, removed here")


def day_month(stamp: str | None) -> str:
    """`04 Mar` from a stored stamp (empty if there is none), the same in every locale."""
    day = parse_stamp(stamp)
    return "" if day is None else f"{day.day:02d} {MONTHS[day.month - 1]}"


class HomeScreen(Guarded, Screen[None]):
    """Lists the sessions; create, open, edit, close or delete one."""

    CSS_PATH = "home.tcss"
    HELP_TITLE = "Keys of the sessions screen"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "new session", id="home.new", tooltip="Create a session."),
        Binding(
            "o",
            "open",
            "open",
            id="home.open",
            key_display="o/enter",
            tooltip="Open the selected session's wall (Enter works too).",
        ),
        Binding("t", "discussion", "discussion", id="home.discussion", tooltip="Discussion notes."),
        Binding(
            "g",
            "charts",
            "charts",
            id="home.charts",
            tooltip="Charts of the selected session, its pooled groups, cohorts and all sessions.",
        ),
        Binding(
            "x",
            "export",
            "export",
            id="home.export",
            tooltip="Export the selected session: summary, Excel or REFI-QDA, into the exports folder.",
        ),
        Binding("s", "sync", "sync", id="home.sync", tooltip="Sync: bundles to and from the office."),
        Binding("e", "edit", "edit", id="home.edit", tooltip="Edit the selected session's details."),
        Binding(
            "c",
            "close_session",
            "close/reopen",
            id="home.close",
            tooltip="Mark the selected session's exercise as over (again to reopen it).",
        ),
        Binding(
            "d",
            "delete",
            "delete",
            id="home.delete",
            tooltip="Delete the selected session (you type its label to confirm).",
        ),
        HELP,
        replace(BLANK, show=False),  # the key bar is full at 60 columns
        Binding(
            "p",
            "purge",
            "purge",
            id="home.purge",
            show=False,
            tooltip="Purge the selected session from this laptop once the office confirmed it holds it.",
        ),
        Binding(
            "r",
            "receipt",
            "receipt",
            id="home.receipt",
            show=False,
            tooltip="QR receipt of the selected session: what the office should hold of it.",
        ),
        # The example consultation: l loads it into an empty folder, u removes it (see `check_action`).
        Binding(
            "l",
            "load_example",
            "load example",
            id="home.load_example",
            show=False,
            tooltip="Load an example consultation to practise on (only while there are no sessions).",
        ),
        Binding(
            "u",
            "remove_example",
            "remove example",
            id="home.remove_example",
            show=False,
            tooltip="Remove every EXAMPLE session, with its post-its and notes (asks first).",
        ),
        Binding(
            "k",
            "conflicts",
            "conflicts",
            id="home.conflicts",
            show=False,
            tooltip="Review sync conflicts (s, then k, works too).",
        ),
    ]
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (("↑ ↓", "choose a session"),)

    def __init__(self, workspace: Workspace, *, blink: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.blink = blink
        self.summaries: list[SessionSummary] = []
        self.statuses: dict[str, SessionSync] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("Sessions", style="bold"), id="home-title")
        folder = literal(str(self.workspace.data_dir), "bold")
        yield Static(Text.assemble("Data folder: ", folder), id="data-dir")
        yield Static(id="home-conflicts")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static(NO_NUMBERS_NOTE, id="home-numbers")
        yield Static(id="empty")
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.refresh_sessions()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_sessions()

    def on_resize(self, event: events.Resize) -> None:
        self.refresh_sessions(statuses=False)

    def refresh_sessions(self, select: str | None = None, *, statuses: bool = True) -> None:
        """Read the sessions again (and, unless told not to, their sync statuses); keep (or move)
        the cursor on a session."""
        table: DataTable[Text] = self.query_one(DataTable)
        current = select or self.selected_id()
        self.summaries = self.workspace.store.sessions.summaries()
        if statuses or not self.statuses:
            # Every session's digest, in one pass: a resize keeps the last ones.
            self.statuses = sync_statuses(self.workspace.store)
        width, height = self.app.size
        # Less the screen's padding; a scroll bar once the rows outnumber the lines (less title, key bar…).
        scrollbar = len(self.summaries) > height - 7
        widths = column_widths(self.summaries, width - 2, scrollbar=scrollbar, statuses=self.statuses)
        rows = [summary_row(s, widths, self.statuses.get(s.session.id)) for s in self.summaries]
        table.clear(columns=True)
        for index, name in enumerate(column_names(widths)):
            # Widths given outright: measured ones lag behind when the table is rebuilt on a resize.
            table.add_column(name, width=max([len(name), *(row[index].cell_len for row in rows)]))
        for summary, row in zip(self.summaries, rows, strict=True):
            table.add_row(*row, key=summary.session.id)
        ids = [s.session.id for s in self.summaries]
        if current in ids:
            table.move_cursor(row=ids.index(current))
        empty = self.query_one("#empty", Static)
        empty.update(
            "No sessions yet. Press n (or click n new session below) to create one, "
            "or l to load an example consultation to practise on."
            if not ids
            else "EXAMPLE sessions are for practice, never sent: u removes them all."
        )
        empty.display = not ids or any(s.session.example for s in self.summaries)
        self.query_one("#home-numbers", Static).display = any(map(lacks_numbers, self.summaries))
        self.show_conflicts()

    def show_conflicts(self) -> None:
        """A line about sync conflicts waiting for a person, when there are any."""
        count = 0
        if self.workspace.store.sync.has_open_conflicts():  # cheap: sync itself loads only when needed
            from facilitator.sync import merge as sync

            count = sync.open_conflict_count(self.workspace.store)
        line = self.query_one("#home-conflicts", Static)
        line.display = count > 0
        line.update(Text(f"⚠ {count} sync conflict{'s' if count != 1 else ''} to review: press s, then k."))

    def selected_id(self) -> str | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self.summaries or table.cursor_row < 0 or table.cursor_row >= len(self.summaries):
            return None
        return self.summaries[table.cursor_row].session.id

    def _need_selection(self) -> str | None:
        session_id = self.selected_id()
        if session_id is None:
            self.notify(
                "No session selected: press n to create one."
                if self.summaries
                else "No sessions yet: press n to create one, or l to load an example to practise on.",
                severity="warning",
            )
        return session_id

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Loading the example is offered on an empty folder only; removing it once it is there."""
        if action == "load_example":
            return not self.summaries
        if action == "remove_example":
            return any(s.session.example for s in self.summaries)
        return True

    def action_load_example(self) -> None:
        from facilitator.actions.example import load_example

        try:
            loaded = load_example(self.workspace)
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.refresh_sessions()
        self.notify(
            f"Example loaded: {len(loaded.sessions)} sessions marked EXAMPLE. Press u to remove them.",
            markup=False,
        )

    def action_remove_example(self) -> None:
        from facilitator.actions.example import example_sessions, remove_example
        from facilitator.ui.screens.confirm import ConfirmScreen

        found = example_sessions(self.workspace.store)
        if not found:
            return
        question = Text(
            f"Remove the {len(found)} EXAMPLE sessions with their post-its, notes and pool?\n\n"
            "Your own sessions stay as they are."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                removed = remove_example(self.workspace.store)
                self.refresh_sessions()
                self.notify(f"Example removed: {len(removed)} sessions.", markup=False)

        self.app.push_screen(ConfirmScreen(question, "Remove example"), callback=answered)

    def action_new(self) -> None:
        from facilitator.ui.screens.session_form import SessionFormScreen

        def created(session_id: str | None) -> None:
            if session_id:
                self.refresh_sessions(select=session_id)
                self.open_wall(session_id)

        self.app.push_screen(SessionFormScreen(self.workspace, blink=self.blink), callback=created)

    def action_open(self) -> None:
        if session_id := self._need_selection():
            self.open_wall(session_id)

    def open_wall(self, session_id: str) -> None:
        from facilitator.ui.screens.wall import WallScreen

        if not self.tell_purged(session_id):
            self.app.push_screen(WallScreen(self.workspace, session_id, blink=self.blink))

    def tell_purged(self, session_id: str) -> bool:
        """For a purged session: say it is at the office (its words are no longer here), and True."""
        from facilitator.actions.purge import purged_stub

        stub = purged_stub(self.workspace.store, session_id)
        if stub is None:
            return False
        session = self.workspace.store.sessions.get(session_id)
        self.notify(
            f"{session.label} ({session.date}) is {office_since(stub)}: {stub_counts(stub)}. "
            "Its post-its, notes and roster were removed from this laptop.",
            title="Purged",
            markup=False,
        )
        return True

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.open_wall(event.row_key.value)

    def action_edit(self) -> None:
        from facilitator.ui.screens.session_form import SessionFormScreen

        if session_id := self._need_selection():
            self.app.push_screen(
                SessionFormScreen(self.workspace, session_id=session_id, blink=self.blink),
                callback=lambda changed: self.refresh_sessions(select=changed),
            )

    def action_close_session(self) -> None:
        if not (session_id := self._need_selection()):
            return
        store = self.workspace.store
        try:
            if store.sessions.get(session_id).is_closed:
                reopen_session(store, session_id)
                self.notify("Session reopened.")
            else:
                close_session(store, session_id)
                self.offer_receipt(session_id)
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
        self.refresh_sessions()

    def offer_receipt(self, session_id: str) -> None:
        """After closing a session: show its QR receipt now?"""
        from facilitator.ui.screens.confirm import ConfirmScreen

        question = Text(
            "Session closed: its exercise is over (c again reopens it).\n\nShow its receipt now? A QR "
            "code of its post-it counts and a digest of its post-its, for the office to check that "
            "what arrives is exactly this."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.action_receipt(session_id)

        self.app.push_screen(ConfirmScreen(question, "Show receipt"), callback=answered)

    def action_receipt(self, session_id: str | None = None) -> None:
        from facilitator.ui.screens.receipt import ReceiptScreen

        session_id = session_id or self._need_selection()
        if session_id and not self.tell_purged(session_id):
            self.app.push_screen(ReceiptScreen(self.workspace, session_id))

    def action_sync(self) -> None:
        from facilitator.ui.screens.sync import SyncScreen

        self.app.push_screen(SyncScreen(self.workspace, blink=self.blink))

    def action_conflicts(self) -> None:
        from facilitator.ui.screens.conflicts import ConflictsScreen

        self.app.push_screen(ConflictsScreen(self.workspace))

    def action_delete(self) -> None:
        from facilitator.ui.screens.confirm_delete import ConfirmDeleteScreen

        if not (session_id := self._need_selection()):
            return
        summary = next(s for s in self.summaries if s.session.id == session_id)

        def confirmed(yes: bool | None) -> None:
            if yes:
                delete_session(self.workspace.store, session_id)
                self.notify("Session deleted.")
                self.refresh_sessions()

        self.app.push_screen(ConfirmDeleteScreen(summary, blink=self.blink), callback=confirmed)

    def action_purge(self) -> None:
        from facilitator.sync.status import CONFIRMED, LOCAL, PURGED, session_status
        from facilitator.ui.screens.confirm import ConfirmScreen

        if not (session_id := self._need_selection()):
            return
        store = self.workspace.store
        session = store.sessions.get(session_id)
        status = session_status(store, session_id).status
        if status == PURGED:
            self.tell_purged(session_id)
            return
        if status != CONFIRMED:
            why = "its latest changes were not sent" if status == LOCAL else "it was sent, not yet confirmed"
            self.notify(
                f"{session.label} cannot be purged: the office has not confirmed it holds it "
                f"({why}). Sync, and purge once the office confirms it.",
                severity="warning",
                markup=False,
            )
            return
        question = Text.assemble(
            "Purge ",
            one_line(session.label, "bold"),
            f" ({session.date}) from this laptop?\n\nIts post-its, notes and roster are "
            "removed from this laptop for good. The office keeps its copy; a stub of the session "
            "(its label, date and counts) stays here.",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.purge(session_id)

        self.app.push_screen(ConfirmScreen(question, "Purge"), callback=answered)

    def purge_due(self) -> None:
        """The automatic purge (when it is on): confirmed sessions past their days go, said in one line."""
        from facilitator.actions.purge import auto_purge, purged_line

        try:
            done = auto_purge(self.workspace.store)
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if done.purged:
            self.notify(purged_line(done), title="Purged", markup=False)
            self.refresh_sessions()

    def purge(self, session_id: str) -> None:
        from facilitator.actions.purge import purge

        try:
            done = purge(self.workspace.store, [session_id])
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
        else:
            for purged in done.purged:
                self.notify(
                    f"Purged {purged.label} from this laptop: the office keeps its copy.", markup=False
                )
            for line in done.skipped:
                self.notify(line, severity="warning", markup=False)
        self.refresh_sessions()

    def action_discussion(self) -> None:
        from facilitator.ui.screens.discussion import DiscussionScreen

        if (session_id := self._need_selection()) and not self.tell_purged(session_id):
            self.app.push_screen(DiscussionScreen(self.workspace, session_id, blink=self.blink))

    def action_charts(self) -> None:
        from facilitator.ui.screens.charts import ChartsScreen

        try:
            screen = ChartsScreen(self.workspace, self.selected_id(), every_session=True)
        except FacilitatorError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self.app.push_screen(screen)

    def action_export(self, fmt: str = "") -> None:
        from facilitator.ui.screens.export_summary import ExportSummaryScreen

        if (session_id := self._need_selection()) and not self.tell_purged(session_id):
            self.app.push_screen(ExportSummaryScreen(self.workspace, session_id, fmt or None))

    # ------------------------------------------------------------ the wall kit

    def data_commands(self) -> list[Command]:
        """Print the wall kit: of the selected session's statements, or of any statement set."""
        commands = []
        if self.summaries:  # read once the table is on screen
            commands.append(
                Command(
                    "Print the wall kit: the selected session's statements",
                    "Large print for A4, into the exports folder.",
                    "print_kit('')",
                )
            )
        for statement_set in self.workspace.catalogue().sets.values():
            commands.append(
                Command(
                    f"Print the wall kit: {visible(statement_set.title)}",
                    "Large print for A4, into the exports folder.",
                    f"print_kit({statement_set.id!r})",
                )
            )
        return commands

    def action_print_kit(self, set_id: str = "") -> None:
        """Write the wall kit of a statement set (or of the selected session's, as it was frozen)."""
        from facilitator.actions.kit import session_set, write_kit_to_folder

        try:
            if set_id:
                statement_set = self.workspace.catalogue().get(set_id)
            elif session_id := self._need_selection():
                statement_set = session_set(self.workspace, self.workspace.store.sessions.get(session_id))
            else:
                return
            written = write_kit_to_folder(statement_set, self.workspace.data_dir)
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        from facilitator.ui.screens.export_summary import saved_message

        where = saved_message(written, self.workspace.data_dir)
        self.notify(f"{where} Open it in a web browser and print it on A4.", markup=False)
