"""This device's code, as text and as a QR code, with its fingerprint to read aloud.

On a laptop it is the enrolment code, for the office to enrol it; at the office it
is the office code, for each laptop to trust it. The QR code shows beside the text
only when the whole of it fits in the window (a phone needs all of it at once);
otherwise the screen says how big the window must be, and the text is still there.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from facilitator.actions import sync as actions
from facilitator.actions.data_folder import Workspace
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP, key_bar_bindings
from facilitator.ui.widgets.key_bar import KeyBar
from facilitator.ui.widgets.qr_code import QRCode

# The text beside the QR code needs this many columns (the fingerprint, spaced out, is 37).
TEXT_COLUMNS = 42

FOR_THE_OFFICE = (
    "Give this code to the office: copy the text, or let the office scan the QR code. Then read the "
    "fingerprint aloud to the person at the office: their screen must show the same when they enrol "
    "this laptop (sync, d, e)."
)
FOR_THE_LAPTOPS = (
    "Give this code to each laptop: on the laptop, open sync, press r and paste it (or scan the QR "
    "code). Then read the fingerprint aloud: the laptop's sync screen must show the same for its office."
)


def spaced(fingerprint: str) -> str:
    """`A B C D   E F G H   ...`: a fingerprint in a form that is easy to read aloud."""
    return "   ".join(" ".join(group) for group in fingerprint.split("-"))


class CodeScreen(Guarded, Screen[None]):
    """The enrolment code (laptop) or office code (office): text, fingerprint and QR code; Esc goes back."""

    CSS_PATH = "code.tcss"
    HELP_TITLE = "Keys of the code"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "back", id="code.back", key_display="esc", tooltip="Go back."),
        HELP,
        BLANK,
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        from facilitator.exercise import receipt

        store = workspace.store
        office = actions.office_code(store)
        self.is_office = office is not None
        code = office if office is not None else actions.enrolment_code(store)
        self.text = str(code)
        self.fingerprint = code.fingerprint
        self.modules = receipt.qr_modules(self.text)

    def compose(self) -> ComposeResult:
        title = (
            "Office code · for each laptop to trust this office"
            if self.is_office
            else "Enrolment code · for the office to enrol this laptop"
        )
        yield Static(Text(title, style="bold"), id="code-title")
        with Horizontal(id="code-body"):
            with VerticalScroll(id="code-words"):
                yield Static(Text("Fingerprint: read it aloud", style="bold"), id="code-fingerprint-label")
                yield Static(Text(spaced(self.fingerprint), style="bold"), id="code-fingerprint")
                yield Static(Text(FOR_THE_LAPTOPS if self.is_office else FOR_THE_OFFICE), id="code-explained")
                yield Static(Text(self.text, style="bold"), id="code-text")
                yield Static(id="code-fit")
            yield QRCode(self.modules, id="code-qr")
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.query_one("#code-words", VerticalScroll).focus()

    def on_resize(self, event: events.Resize) -> None:
        self.show_qr_if_it_fits()

    def needed(self) -> tuple[int, int]:
        """The window (columns, lines) the QR code and the text beside it need."""
        code = self.query_one(QRCode)
        return code.columns + TEXT_COLUMNS + 3, code.rows + 2

    def fits(self) -> bool:
        """Whether the whole QR code shows at once beside the text (title and key bar take two lines)."""
        width, height = self.needed()
        return self.size.width >= width and self.size.height >= height

    def show_qr_if_it_fits(self) -> None:
        fits = self.fits()
        self.query_one(QRCode).display = fits
        note = self.query_one("#code-fit", Static)
        note.display = not fits
        if not fits:
            width, height = self.needed()
            note.update(
                Text(
                    f"The QR code does not fit in this window ({self.size.width}x{self.size.height}): "
                    f"make the window at least {width}x{height} (or the font smaller) to show it. "
                    "The text above is the same code.",
                    style="italic",
                )
            )

    def action_back(self) -> None:
        self.dismiss(None)
