"""The office's laptops: every laptop it enrolled, with what it imported from each.

e enrols a laptop from its enrolment code (and an optional label); r revokes the
selected one after a question that names it, since the office then refuses its
bundles. Both call the same use cases as 'facilitator devices enrol/revoke'.
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

from facilitator.actions import sync as actions
from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP, key_bar_bindings
from facilitator.ui.screens.sync_form import FormField, FormValues, SyncForm, refused_by
from facilitator.ui.text import one_line, when
from facilitator.ui.widgets.key_bar import KeyBar

COLUMNS = ("Laptop", "Label", "Fingerprint", "Status", "Bundles", "Last bundle")
LABEL_WIDTH = 14
NOT_AN_OFFICE = (
    "This data folder is not the office: only the office enrols laptops. At the office, run "
    "'facilitator keys new --out FILE' once; on this laptop, press Esc then e to show its code."
)


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class DevicesScreen(Guarded, Screen[None]):
    """The enrolled laptops; enrol one (e) or revoke the selected one (r)."""

    CSS_PATH = "devices.tcss"
    HELP_TITLE = "Keys of the laptops"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e",
            "enrol",
            "enrol",
            id="devices.enrol",
            tooltip="Enrol a laptop: paste its enrolment code (sync, e on the laptop).",
        ),
        Binding(
            "r",
            "revoke",
            "revoke",
            id="devices.revoke",
            tooltip="Revoke the selected laptop: its bundles are refused from now on.",
        ),
        BLANK,
        HELP,
        Binding("escape", "back", "back", id="devices.back", key_display="esc", tooltip="Go back."),
    ]

    def __init__(self, workspace: Workspace, *, blink: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.blink = blink
        self.entries: list[actions.DeviceEntry] = []

    def compose(self) -> ComposeResult:
        yield Static(id="devices-title")
        table: DataTable[Text] = DataTable(id="devices", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        with VerticalScroll(id="device-detail"):
            yield Static(id="device-facts")
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.refresh_devices()
        self.query_one(DataTable).focus()

    @property
    def is_office(self) -> bool:
        return actions.office_code(self.workspace.store) is not None

    def refresh_devices(self, select: str | None = None) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        row = table.cursor_row
        self.entries = actions.enrolled_devices(self.workspace.store)
        table.clear()
        for entry in self.entries:
            device = entry.device
            table.add_row(
                Text(device.device_id[:8]),
                one_line(short(device.label, LABEL_WIDTH)),
                Text(entry.fingerprint),
                Text(entry.status, style="bold" if device.revoked else ""),
                Text(str(entry.bundles), justify="right"),
                Text(entry.last_bundle[:10] if entry.last_bundle else "none"),
                key=device.device_id,
            )
        ids = [entry.device.device_id for entry in self.entries]
        if select in ids:
            table.move_cursor(row=ids.index(select))
        elif self.entries:
            table.move_cursor(row=min(max(row, 0), len(self.entries) - 1))
        enrolled = sum(not entry.device.revoked for entry in self.entries)
        self.query_one("#devices-title", Static).update(
            Text.assemble(
                ("Laptops enrolled at this office", "bold"),
                f" · {enrolled} enrolled, {len(self.entries) - enrolled} revoked" if self.entries else "",
            )
        )
        self.show_selected()

    def selected(self) -> actions.DeviceEntry | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            return None
        return self.entries[table.cursor_row]

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_selected()

    def show_selected(self) -> None:
        facts = self.query_one("#device-facts", Static)
        entry = self.selected()
        if not self.is_office:
            facts.update(Text(NOT_AN_OFFICE))
            return
        if entry is None:
            facts.update(
                Text(
                    "No laptop enrolled yet. On each laptop, open sync and press e: it shows its "
                    "enrolment code. Press e here and paste it; compare the fingerprints aloud."
                )
            )
            return
        device = entry.device
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("Laptop", Text(device.device_id))
        grid.add_row("Label", one_line(device.label) if device.label else Text("none", style="dim"))
        grid.add_row("Fingerprint", Text(entry.fingerprint))
        grid.add_row("Enrolled", Text(when(device.enrolled_at)))
        if device.revoked_at:
            grid.add_row("Revoked", Text(f"{when(device.revoked_at)}: its bundles are refused"))
        grid.add_row("Bundles", Text(f"{entry.bundles} imported, the last {when(entry.last_bundle)}"))
        facts.update(Group(grid))

    # ------------------------------------------------------------ actions

    def action_enrol(self) -> None:
        from facilitator.sync.enrolment import check_label
        from facilitator.sync.signing import parse_enrolment_code

        if not self.is_office:
            self.notify(NOT_AN_OFFICE, severity="warning", markup=False)
            return

        def chosen(values: FormValues | None) -> None:
            if values is None:
                return
            try:
                enrolled = actions.enrol_device(
                    self.workspace.store, str(values["code"]), str(values["label"])
                )
            except FacilitatorError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            device = enrolled.device
            again = " again" if enrolled.again else ""
            self.refresh_devices(select=device.device_id)
            entry = self.selected()
            fingerprint = entry.fingerprint if entry is not None else ""
            self.notify(
                f"Enrolled{again} laptop {device.device_id[:8]}: check that its screen shows the "
                f"fingerprint {fingerprint}.",
                markup=False,
            )

        fields = [
            FormField(
                "code",
                "Enrolment code, from the laptop (sync, e)",
                "",
                "facilitator-device:…",
            ),
            FormField("label", "A label, to tell the laptops apart (optional)", "", "e.g. Leeds laptop 2"),
        ]
        code_ok, label_ok = refused_by("code", parse_enrolment_code), refused_by("label", check_label)
        form = SyncForm(
            "Enrol a laptop",
            fields,
            "Enrol",
            lambda values: code_ok(values) or label_ok(values),
            blink=self.blink,
        )
        self.app.push_screen(form, callback=chosen)

    def action_revoke(self) -> None:
        from facilitator.ui.screens.confirm import ConfirmScreen

        entry = self.selected()
        if entry is None:
            self.notify("No laptop selected.", severity="warning")
            return
        device = entry.device
        if device.revoked:
            self.notify(f"Laptop {device.device_id[:8]} is revoked already.", severity="warning")
            return
        name = Text.assemble(("laptop ", "bold"), (device.device_id[:8], "bold"))
        if device.label:
            name.append(" '")
            name.append_text(one_line(device.label, "bold"))
            name.append("'")
        question = Text.assemble(
            "Revoke ",
            name,
            f" (fingerprint {entry.fingerprint})?\n",
            "This office will refuse every bundle from it not imported yet, from now on. What it "
            "imported already stays. To take it back, enrol the laptop's code again.",
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                actions.revoke_device(self.workspace.store, device.device_id)
            except FacilitatorError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.refresh_devices(select=device.device_id)
            self.notify(f"Revoked laptop {device.device_id[:8]}: its bundles are refused from now on.")

        self.app.push_screen(ConfirmScreen(question, "Revoke"), callback=answered)

    def action_back(self) -> None:
        self.dismiss(None)
