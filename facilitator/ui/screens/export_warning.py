"""Before an export is written: the identifying details it would carry, and what to do.

Every export the app offers runs `actions.exports.identifying_details` first (in a
thread: `check_in_thread`). When it finds something, `ExportWarningScreen` lists
each detail in plain words (after the pseudonym map) and offers three ways on:
`m` opens the session's pseudonym map and checks again when it closes (offered only
when a detail is a name: the map takes names and words, never a number or a date),
`w` writes anyway, Esc writes nothing. A number or a date is removed by editing its
post-it or note, and the screen says so. It returns True to write, False not to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from facilitator.actions.data_folder import Workspace
from facilitator.actions.exports import identifying_details
from facilitator.core.errors import FacilitatorError
from facilitator.store import Store
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP
from facilitator.ui.text import literal, one_line

if TYPE_CHECKING:
    from facilitator.discussion.privacy import PrivacyFinding


# Findings seen at once on a short and a tall terminal (the .tcss's `max-height`); more scroll.
SHORT_LIST = 3
TALL_LIST = 10


def check_in_thread(opened: Store, session_id: str) -> list[PrivacyFinding] | str:
    """The identifying details an export of the session would carry, read with a connection of
    this thread's own (to the database `opened` is open on); or why they could not be read."""
    try:
        with opened.another() as store:
            return identifying_details(store, [store.sessions.get(session_id)], names=True)
    except FacilitatorError as error:
        return str(error)
    except Exception as error:  # any failure is told, and the app stays up
        return f"{type(error).__name__}: {error}"


# The kinds the pseudonym map can change; any other (a number, a date) must be edited out.
MAP_KINDS = frozenset({"name", "pseudonym"})
# How each other kind reads as the subject of "… cannot go in the pseudonym map".
NOT_FOR_THE_MAP = {"prison_number": "Prison numbers", "phone": "Phone numbers", "date": "Dates"}


def way_out(findings: Sequence[PrivacyFinding]) -> str:
    """What to do about the details the pseudonym map cannot take: "Prison numbers cannot go in
    the pseudonym map: edit the post-it on the wall (e) to remove it." ("" when all are names)."""
    others = [f for f in findings if f.kind not in MAP_KINDS]
    if not others:
        return ""
    kinds = list(dict.fromkeys(NOT_FOR_THE_MAP.get(f.kind, f.kind.replace("_", " ")) for f in others))
    words = [kinds[0], *(kind.lower() for kind in kinds[1:])]
    subject = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    places = []
    if any(f.location.startswith("statement") for f in others):
        places.append("the post-it on the wall (e)")
    if any(not f.location.startswith("statement") for f in others):
        places.append("the note in the discussion (t on the wall)")
    it = "it" if len(others) == 1 else "them"
    return f"{subject} cannot go in the pseudonym map: edit {' or '.join(places)} to remove {it}."


def heading(count: int, what: str) -> str:
    """`This summary would carry 2 details that may identify someone`."""
    many = "details that may" if count != 1 else "detail that may"
    return f"This {what} would carry {count} {many} identify someone"


class ExportWarningScreen(Guarded, ModalScreen[bool]):
    """The details found; m opens the pseudonym map (then checks again), w writes, Esc does not."""

    CSS_PATH = "export_warning.tcss"
    HELP_TITLE = "Keys of the warning before an export"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "m",
            "open_map",
            "pseudonym map",
            id="export_warning.map",
            tooltip="Open this session's pseudonym map to change names; the export checks again after.",
        ),
        Binding(
            "w",
            "write_anyway",
            "write anyway",
            id="export_warning.write",
            tooltip="Write the export as it is, with these details in it.",
        ),
        Binding(
            "down",
            "scroll_list(1)",
            "scroll",
            id="export_warning.down",
            show=False,
            tooltip="Scroll down when there are many details.",
        ),
        Binding(
            "up",
            "scroll_list(-1)",
            "scroll",
            id="export_warning.up",
            show=False,
            tooltip="Scroll up.",
        ),
        BLANK,
        HELP,
        Binding(
            "escape",
            "cancel",
            "cancel",
            id="export_warning.cancel",
            key_display="esc",
            tooltip="Write nothing and go back.",
        ),
    ]
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("", "A number or a date goes out as written: change the comment or note if it should not."),
    )
    # A short terminal keeps fewer lines of the list in view (it scrolls), so the choices stay on screen.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]  # noqa: RUF012 - an instance variable in Screen

    def __init__(
        self, workspace: Workspace, session_id: str, findings: list[PrivacyFinding], what: str = "summary"
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.session = workspace.store.sessions.get(session_id)
        self.findings = findings
        self.what = what
        self.checking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="warning"):
            yield Static(id="warning-title")
            yield Static(
                Text.assemble(
                    "From ",
                    one_line(self.session.label, "bold"),
                    ", with the pseudonym map already applied. Names in the map are changed "
                    "on export; numbers and dates go out as written.",
                ),
                id="warning-note",
            )
            with VerticalScroll(id="warning-list"):
                yield Static(id="warning-findings")
            yield Static(id="warning-way")
            with Horizontal(id="warning-buttons"):
                yield Button("m  Pseudonym map", id="map", variant="primary")
                yield Button("w  Write anyway", id="write", variant="warning")
                yield Button("Esc  Cancel", id="cancel")
            yield Static(id="warning-status")

    def on_mount(self) -> None:
        self.show_findings()
        names = self.query_one("#map", Button)
        (names if names.display else self.query_one("#cancel", Button)).focus()

    def show_findings(self) -> None:
        self.query_one("#warning-title", Static).update(
            Text(heading(len(self.findings), self.what), style="bold")
        )
        lines = Table.grid(padding=(0, 1))
        lines.add_column(no_wrap=True)
        lines.add_column()
        for finding in self.findings:
            lines.add_row("•", literal(finding.sentence()))
        self.query_one("#warning-findings", Static).update(lines)
        self.query_one("#warning-list", VerticalScroll).scroll_home(animate=False)
        # The map takes names only: offered when a detail is a name, with why not otherwise.
        way = way_out(self.findings)
        self.query_one("#warning-way", Static).update(Text(way, style="bold"))
        self.query_one("#warning-way", Static).display = bool(way)
        self.query_one("#map", Button).display = self.names_found()
        self.refresh_bindings()
        many = len(self.findings) > (SHORT_LIST if self.has_class("-short") else TALL_LIST)
        self.query_one("#warning-status", Static).update(
            Text(f"↑ ↓ scroll through all {len(self.findings)}.", style="dim") if many else ""
        )

    def names_found(self) -> bool:
        """Whether a detail is a name, which the pseudonym map can change."""
        return any(f.kind in MAP_KINDS for f in self.findings)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_map":
            return self.names_found()
        return super().check_action(action, parameters)

    def action_scroll_list(self, lines: int) -> None:
        self.query_one("#warning-list", VerticalScroll).scroll_relative(y=lines, animate=False)

    @on(Button.Pressed, "#map")
    def _map(self) -> None:
        self.action_open_map()

    @on(Button.Pressed, "#write")
    def _write(self) -> None:
        self.action_write_anyway()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def action_open_map(self) -> None:
        from facilitator.ui.screens.pseudonyms import PseudonymScreen

        if self.checking or not self.names_found():
            return
        name = next((f.excerpt for f in self.findings if f.kind == "name"), "")
        blink = getattr(self.app, "blink", True)
        self.app.push_screen(
            PseudonymScreen(self.workspace, self.session.id, name, blink=blink),
            callback=lambda _closed: self.check_again(),
        )

    def action_write_anyway(self) -> None:
        if not self.checking:
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def check_again(self) -> None:
        self.checking = True
        for button in self.query(Button):
            button.disabled = button.id != "cancel"
        self.query_one("#warning-status", Static).update("Checking again with the changed map…")
        self.recheck()

    @work(thread=True, exclusive=True, group="recheck")
    def recheck(self) -> list[PrivacyFinding] | str:
        return check_in_thread(self.workspace.store, self.session.id)

    @on(Worker.StateChanged)
    def _checked(self, event: Worker.StateChanged) -> None:
        result = event.worker.result
        if event.worker.group != "recheck" or event.state != WorkerState.SUCCESS or result is None:
            return
        self.checking = False
        for button in self.query(Button):
            button.disabled = False
        status = self.query_one("#warning-status", Static)
        if isinstance(result, str):
            status.update(Text(f"Could not check again: {result}"))
            return
        if not result:
            self.app.notify(f"Nothing identifying is left: writing the {self.what}.", markup=False)
            self.dismiss(True)
            return
        self.findings = result
        self.show_findings()
        status.update("Checked again with the changed map.")
