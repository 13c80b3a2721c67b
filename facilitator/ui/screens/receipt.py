"""A session's QR receipt: the code to scan and the text it holds.

Shown when a session is closed (if the facilitator wants it) and from the command
palette. The receipt holds no comment, label or name; the label on screen is only
for the facilitator.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from facilitator.actions.data_folder import Workspace
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP, key_bar_bindings
from facilitator.ui.text import one_line
from facilitator.ui.widgets.key_bar import KeyBar
from facilitator.ui.widgets.qr_code import QRCode

EXPLAINED = (
    "The receipt holds the session's id, its post-it counts per statement and response, and a "
    "digest of its post-its; no comment, label or name. Photograph the code (or copy the text): "
    "at the office, 'facilitator receipt verify' checks that what arrived is exactly this."
)


class ReceiptScreen(Guarded, Screen[None]):
    """The QR code and text of one session's receipt; Esc goes back."""

    CSS_PATH = "receipt.tcss"
    HELP_TITLE = "Keys of the receipt"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "back", id="receipt.back", key_display="esc", tooltip="Go back."),
        BLANK,
        HELP,
    ]

    def __init__(self, workspace: Workspace, session_id: str) -> None:
        super().__init__()
        from facilitator.exercise import receipt

        store = workspace.store
        self.session = store.sessions.get(session_id)
        self.text = receipt.make_receipt(store, self.session).text
        self.modules = receipt.qr_modules(self.text)

    def compose(self) -> ComposeResult:
        title = "Receipt · " if self.session.is_closed else "Receipt (session still open) · "
        yield Static(Text.assemble((title, "bold"), one_line(self.session.label)), id="receipt-title")
        with VerticalScroll(id="receipt-body"):
            yield Static(Text(EXPLAINED), id="receipt-explained")
            yield Static(Text(self.text, style="bold"), id="receipt-text")
            yield Static(id="receipt-fit")
            yield QRCode(self.modules, id="receipt-qr")
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.query_one("#receipt-body", VerticalScroll).focus()

    def on_resize(self, event: events.Resize) -> None:
        self._say_whether_it_fits()

    def fits(self) -> bool:
        """Whether the whole code shows at once in the window (title and key bar take two lines)."""
        code = self.query_one(QRCode)
        return code.rows <= self.size.height - 2 and code.columns <= self.size.width - 2

    def _say_whether_it_fits(self) -> None:
        code = self.query_one(QRCode)
        note = self.query_one("#receipt-fit", Static)
        if self.fits():
            note.update("")
            note.display = False
            return
        note.display = True
        note.update(
            Text(
                f"The QR code is {code.rows} lines tall and {code.columns} wide; this window is "
                f"{self.size.width}x{self.size.height}. Scroll (↓, PgDn) to see all of it "
                f"before scanning, or make the window at least {code.rows + 2} lines tall.",
                style="italic",
            )
        )

    def action_back(self) -> None:
        self.dismiss(None)
