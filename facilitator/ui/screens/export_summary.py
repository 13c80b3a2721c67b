"""Exporting a session from the app, into the data folder's exports folder.

`x` on the wall or the sessions screen opens `ExportSummaryScreen`: `h` writes
the summary as one self-contained HTML page, `m` as Markdown with its PNG charts
beside it, `d` as a Word document (.docx) with its charts inside, for the office
to edit (not `w`: that is the warning's "write anyway", which a key pressed twice
would reach); for analysts, `e` writes an Excel workbook with a data dictionary and
`q` a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder. First
the session is checked for identifying details (prison numbers, phone numbers,
dates, likely names left after the pseudonym map); if there are any,
`ExportWarningScreen` lists them and asks before anything is written. The check
and the file are done in a thread (drawing charts takes a moment); the file never
replaces an earlier one, and a notification says where it went.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from facilitator.actions.data_folder import Workspace
from facilitator.actions.exports import Exported, export_to_folder
from facilitator.core.errors import FacilitatorError
from facilitator.core.example import EXAMPLE_MARK
from facilitator.core.paths import EXPORTS_FOLDER
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP
from facilitator.ui.screens.export_warning import ExportWarningScreen, check_in_thread
from facilitator.ui.text import literal, one_line

if TYPE_CHECKING:
    from facilitator.discussion.privacy import PrivacyFinding

FORMAT_NAMES = {
    "html": "HTML summary",
    "md": "Markdown summary",
    "docx": "Word summary",
    "xlsx": "Excel workbook",
    "qdpx": "REFI-QDA project",
}
# What the privacy warning calls each export: "This workbook would carry…".
WHAT = {"html": "summary", "md": "summary", "docx": "summary", "xlsx": "workbook", "qdpx": "project"}


def saved_message(path: Path, data_dir: Path) -> str:
    """ "Saved adult-focus-group-1-2010-03-04.html in data/exports.": the file's name first, so a
    notice never cuts it off, then its folder as seen from beside the data folder."""
    folder = path.parent
    with contextlib.suppress(OSError, ValueError):  # outside the data folder: its folder as given
        folder = Path(data_dir.resolve().name) / path.parent.resolve().relative_to(data_dir.resolve())
    return f"Saved {path.name} in {folder.as_posix()}."


def written_message(fmt: str, written: list[str], data_dir: Path) -> str:
    """What the notification says: the file written and where, and for Markdown its charts."""
    message = saved_message(Path(written[-1]), data_dir)
    if len(written) > 1:
        message += f" Its {len(written) - 1} PNG charts are beside it."
    return message


class ExportSummaryScreen(Guarded, ModalScreen[list[str] | None]):
    """Choose the summary (HTML, Markdown or Word) or a file for analysts, then it is written;
    returns the files written."""

    CSS_PATH = "export_summary.tcss"
    HELP_TITLE = "Keys of the export"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "export('html')", "HTML", id="export.html", tooltip="One HTML page that prints on A4."),
        Binding(
            "m", "export('md')", "Markdown", id="export.md", tooltip="Markdown, with PNG charts beside it."
        ),
        Binding(
            "d",
            "export('docx')",
            "Word",
            id="export.docx",
            tooltip="A Word document (.docx) with its charts inside, for the office to edit.",
        ),
        Binding(
            "e",
            "export('xlsx')",
            "Excel",
            id="export.xlsx",
            tooltip="An Excel workbook: post-its, counts, notes, themes, and a sheet explaining each column.",
        ),
        Binding(
            "q",
            "export('qdpx')",
            "REFI-QDA",
            id="export.qdpx",
            tooltip="A REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder: themes as codes.",
        ),
        BLANK,
        HELP,
        Binding("escape", "cancel", "cancel", id="export.cancel", tooltip="Leave without exporting."),
    ]

    # A short terminal loses the blank lines (the `-short` rule of the .tcss), so that a
    # message of why nothing was written still fits under the choices.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]  # noqa: RUF012 - an instance variable in Screen
    # Below 76 columns the six buttons fit only if the dialog takes the whole width (`-narrow`).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (76, "-wide")]  # noqa: RUF012 - as above

    def __init__(self, workspace: Workspace, session_id: str, fmt: str | None = None) -> None:
        """With `fmt` ("html", "md", "docx", "xlsx" or "qdpx") the export starts at once."""
        super().__init__()
        self.workspace = workspace
        self.session = workspace.store.sessions.get(session_id)
        self.fmt = fmt
        self.busy = False

    def compose(self) -> ComposeResult:
        folder = self.workspace.data_dir / EXPORTS_FOLDER
        with Vertical(id="export"):
            mark = f"{EXAMPLE_MARK} " if self.session.example else ""
            yield Static(Text.assemble("Export ", mark, one_line(self.session.label, "bold")))
            yield Static(
                Text.assemble(
                    "Summary: details (no names), participants, charts, counts, comments.\n",
                    ("h", "bold"),
                    "  HTML page with its charts, prints on A4\n",
                    ("m", "bold"),
                    "  Markdown, a PNG chart per statement beside it\n",
                    ("d", "bold"),
                    "  Word document with its charts, to edit\n",
                    "For analysts, with the pseudonym map applied:\n",
                    ("e", "bold"),
                    "  Excel workbook, every column explained\n",
                    ("q", "bold"),
                    "  REFI-QDA for NVivo, ATLAS.ti, QualCoder\n",
                    "Into ",
                    literal(str(folder), "bold"),
                    ", never over an earlier file.",
                )
            )
            with Horizontal(id="export-buttons"):
                yield Button("h HTML", id="html", variant="primary")
                yield Button("m Markdown", id="md")
                yield Button("d Word", id="docx")
                yield Button("e Excel", id="xlsx")
                yield Button("q QDA", id="qdpx")
                yield Button("Esc", id="cancel")
            yield Static(id="export-status")

    def on_mount(self) -> None:
        if self.fmt:
            self.action_export(self.fmt)

    @on(Button.Pressed, "#html, #md, #docx, #xlsx, #qdpx")
    def _format_chosen(self, event: Button.Pressed) -> None:
        # Each button's id is the format it writes.
        if event.button.id:
            self.action_export(event.button.id)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def action_export(self, fmt: str) -> None:
        """Check the session for identifying details, then write (or ask first)."""
        if self.busy:
            return
        self._busy(True)
        self.query_one("#export-status", Static).update("Checking for names, numbers and dates…")
        self.check(fmt)

    def _busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.query(Button):
            button.disabled = busy

    @work(thread=True, exclusive=True, group="check")
    def check(self, fmt: str) -> tuple[str, list[PrivacyFinding] | str]:
        """The identifying details the summary would carry, or why they could not be read."""
        return fmt, check_in_thread(self.workspace.store, self.session.id)

    def _checked(self, fmt: str, findings: list[PrivacyFinding]) -> None:
        if not findings:
            self._write(fmt)
            return

        def answered(write: bool | None) -> None:
            if write:
                self._write(fmt)
            else:
                self._busy(False)
                self.query_one("#export-status", Static).update("Nothing written.")
                self.query_one(f"#{fmt}", Button).focus()

        self.query_one("#export-status", Static).update("Found details that may identify someone.")
        warning = ExportWarningScreen(self.workspace, self.session.id, findings, WHAT[fmt])
        self.app.push_screen(warning, callback=answered)

    def _write(self, fmt: str) -> None:
        self.query_one("#export-status", Static).update(f"Writing the {FORMAT_NAMES[fmt]}…")
        self.write(fmt)

    @work(thread=True, exclusive=True, group="export")
    def write(self, fmt: str) -> tuple[str, Exported | str]:
        """Write the summary with a connection of this thread's own: what was written, or why not.

        The screen acts on the result once the worker has finished (`_finished`), so that
        closing the screen never cancels a worker still on its way out.
        """
        data_dir = self.workspace.data_dir
        try:
            with self.workspace.store.another() as store:
                exported = export_to_folder(store, store.sessions.get(self.session.id), fmt, data_dir)
        except FacilitatorError as error:
            return fmt, str(error)
        except Exception as error:  # any failure is told, and the app stays up
            return fmt, f"{type(error).__name__}: {error}"
        return fmt, exported

    @on(Worker.StateChanged)
    def _finished(self, event: Worker.StateChanged) -> None:
        result = event.worker.result
        if event.worker.group not in ("check", "export") or event.state != WorkerState.SUCCESS or not result:
            return
        fmt, outcome = result
        if isinstance(outcome, str):
            self._failed(outcome)
        elif event.worker.group == "check":
            self._checked(fmt, outcome)
        else:
            self._written(fmt, outcome)

    def _written(self, fmt: str, exported: Exported) -> None:
        # No title: the notice's three lines are all for the file's name and folder.
        message = written_message(fmt, exported.written, self.workspace.data_dir)
        self.app.notify(message, timeout=10, markup=False)
        self.dismiss(exported.written)

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.query_one("#export-status", Static).update(Text(f"Nothing written: {message}"))
        self.app.notify(f"Nothing written: {message}", severity="error", markup=False)

    def action_cancel(self) -> None:
        if self.busy:
            self.notify("Checking or writing the export: a moment.")
            return
        self.dismiss(None)
