"""The pseudonym map: the only screen that shows it.

Each pair is a real name (or word) and the changed name that replaces it in
every export and in what is sent to the office. The map stays on this laptop: it
is never exported or sent.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.discussion.anonymity import Pseudonym, pseudonyms, remove_pseudonym, set_pseudonym
from facilitator.store import Session
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP_WHILE_TYPING, key_bar_bindings
from facilitator.ui.text import one_line
from facilitator.ui.widgets.key_bar import KeyBar


class PseudonymScreen(Guarded, Screen[None]):
    """The session's map; type a pair at the bottom and Enter, or d to remove one."""

    CSS_PATH = "pseudonyms.tcss"
    HELP_TITLE = "Keys of the pseudonym map"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "add",
            "add",
            id="pseudonyms.add",
            tooltip="On the pairs: back to the boxes to type a real name and its changed name.",
        ),
        Binding(
            "d",
            "remove",
            "remove",
            id="pseudonyms.remove",
            tooltip="On the pairs (Tab reaches them), remove the pair chosen (y confirms).",
        ),
        BLANK,
        HELP_WHILE_TYPING,
        Binding(
            "escape",
            "back",
            "back",
            id="pseudonyms.back",
            key_display="esc",
            tooltip="Go back (from a half-typed pair, to the pairs first).",
        ),
    ]
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Real name", "the name (or word) as it was said or written, e.g. Darren"),
        ("Changed name", "what every export and the office show instead, e.g. Dave"),
        ("Enter", "in either box: save the pair (both must be typed)"),
        ("Tab, Shift+Tab", "move between the two boxes and the pairs; a, d and b work on the pairs"),
        ("", "The map stays on this laptop: never exported, never sent to the office."),
    )

    def __init__(
        self, workspace: Workspace, session_id: str, suggested: str = "", *, blink: bool = True
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.session: Session = workspace.store.sessions.get(session_id)
        self.suggested = suggested
        self.blink = blink
        self.pairs: list[Pseudonym] = []
        self._typing_into: Input | None = None  # the box that typing on the list went to

    def _input(self, name: str, value: str, placeholder: str) -> Input:
        box = Input(value=value, placeholder=placeholder, id=name, select_on_focus=False)
        box.cursor_blink = self.blink
        return box

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(("Pseudonym map", "bold"), " · ", one_line(self.session.label)), id="map-title"
        )
        yield Static(
            "Names here are replaced by their changed name in every export and in what is "
            "sent to the office. The map stays on this laptop: never exported, never sent.",
            id="map-note",
        )
        table: DataTable[Text] = DataTable(id="pairs", cursor_type="row", zebra_stripes=True)
        table.add_columns("Real name", "Changed name")
        yield table
        with Horizontal(id="map-add"):
            with Vertical(classes="map-field"):
                yield Static("Real name (as said)", classes="map-label")
                yield self._input("real", self.suggested, "e.g. Darren")
            yield Static("→", id="map-arrow")
            with Vertical(classes="map-field"):
                yield Static("Changed name (in exports)", classes="map-label")
                yield self._input("changed", "", "e.g. Dave")
        yield Static(id="map-status")
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.refresh_pairs()
        # Adding is what the map is opened for; Tab reaches the list to remove a pair.
        self.query_one("#changed" if self.suggested else "#real", Input).focus()
        self._say()

    def _say(self, text: Text | str | None = None) -> None:
        """The line under the boxes: what Enter will do, or what is missing."""
        if text is None:
            text = Text(
                "Enter in either box saves the pair; Tab moves between the boxes and the pairs.",
                style="dim",
            )
        self.query_one("#map-status", Static).update(text)

    def refresh_pairs(self, select: str | None = None) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        self.pairs = pseudonyms(self.workspace.store, self.session.id)
        table.clear()
        for pair in self.pairs:
            table.add_row(one_line(pair.real), one_line(pair.changed), key=pair.id)
        reals = [p.real.casefold() for p in self.pairs]
        if select is not None and select.casefold() in reals:
            table.move_cursor(row=reals.index(select.casefold()))

    def action_add(self) -> None:
        self.query_one("#real", Input).focus()

    @on(Input.Submitted)
    def _save(self) -> None:
        """Enter in either box: save the pair when both are typed, else say which is missing."""
        real, changed = self.query_one("#real", Input), self.query_one("#changed", Input)
        missing = [box for box in (real, changed) if not box.value.strip()]
        if missing:
            said: Text | str
            if len(missing) == 2:
                said = "Nothing saved: type a real name, then its changed name."
            elif missing[0] is real:
                said = "Nothing saved: type the real name too (left box), the name as it was said."
            else:
                said = Text.assemble(
                    "Nothing saved: type the changed name too (right box), what exports show instead of ",
                    one_line(real.value.strip(), "bold"),
                    ".",
                )
            self._say(Text(said, style="bold") if isinstance(said, str) else said)
            missing[0].focus()
            return
        try:
            saved = set_pseudonym(self.workspace.store, self.session.id, real.value, changed.value)
        except FacilitatorError as error:
            self._say(Text(f"Nothing saved: {error}.", style="bold"))
            self.notify(str(error), severity="error", markup=False)
            return
        real.value, changed.value = "", ""
        self.refresh_pairs(select=saved.real)
        real.focus()
        self._say(
            Text.assemble(
                "Saved: exports and the office will show ",
                one_line(saved.real, "bold"),
                " as ",
                one_line(saved.changed, "bold"),
                ".",
            )
        )
        self.notify("Saved: exports and the office will get the changed name.")

    def on_key(self, event: events.Key) -> None:
        """Typing on the list (a letter that is no key here) goes into a box, never into commands.

        Until the focus reaches that box (keys typed fast), every character follows it.
        """
        if not isinstance(self.focused, DataTable):
            return
        character = event.character
        if not character or not character.isprintable() or character.isspace():
            return
        keys = {k.strip() for b in self.BINDINGS if isinstance(b, Binding) for k in b.key.split(",")}
        box = self._typing_into
        if box is None and event.key in keys:
            return
        event.stop()
        event.prevent_default()
        if box is None:
            real, changed = self.query_one("#real", Input), self.query_one("#changed", Input)
            box = changed if real.value.strip() and not changed.value.strip() else real
            self._typing_into = box
            box.focus()
        box.insert_text_at_cursor(character)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, DataTable):
            self._typing_into = None

    def action_remove(self) -> None:
        from facilitator.ui.screens.confirm import ConfirmScreen

        table: DataTable[Text] = self.query_one(DataTable)
        if not self.pairs or not 0 <= table.cursor_row < len(self.pairs):
            return
        pair = self.pairs[table.cursor_row]
        question = Text.assemble(
            "Remove ", one_line(pair.real, "bold"), " from the map? Exports will then show it as written."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                remove_pseudonym(self.workspace.store, self.session.id, pair.real)
                self.refresh_pairs()
                self.notify("Removed from the map.")

        self.app.push_screen(ConfirmScreen(question, "Remove"), callback=answered)

    def action_back(self) -> None:
        """Esc: back to where the map was opened from; a half-typed pair keeps the focus on the list."""
        typed = any(box.value.strip() for box in self.query(Input))
        if isinstance(self.focused, Input) and typed:
            self.query_one(DataTable).focus()
        else:
            self.dismiss(None)
