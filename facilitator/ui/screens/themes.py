"""The themes view: the codebook ranked as the report lists it, and its upkeep.

Themes are ranked by the number of sessions that raised them, then by notes
(ties share a rank). From here a theme's notes can be read, a theme renamed or
added, and two themes merged (after a yes/no question); no tag is ever lost.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.codebook import RankedTheme
from facilitator.discussion.notes import KIND_LABELS
from facilitator.store import Session
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP, key_bar_bindings
from facilitator.ui.text import literal, one_line
from facilitator.ui.widgets.key_bar import KeyBar

RANK_COLUMNS = ("Rank", "Sessions", "Notes", "Theme")
FIXED_WIDTH = 30  # the three count columns, the cells' padding, the border and a scroll bar
# The key bar while a theme waits for the one to merge it into (help lists the screen's keys).
MERGE_TARGET_KEYS = [
    Binding(
        "enter",
        "merge_into",
        "merge into this one",
        id="themes.merge_into",
        tooltip="Merge into the selected theme (asks first).",
    ),
    Binding(
        "escape", "back", "cancel the merge", id="themes.merge_cancel", key_display="esc", tooltip="Cancel."
    ),
    HELP,
]


class ThemesScreen(Guarded, Screen[None]):
    """The codebook ranked; Enter shows a theme's notes, r renames, m merges, a adds."""

    CSS_PATH = "themes.tcss"
    HELP_TITLE = "Keys of the themes"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "o",
            "open",
            "notes",
            id="themes.notes",
            key_display="enter",
            tooltip="All the notes of the theme (Enter works too).",
        ),
        Binding("r", "rename", "rename", id="themes.rename", tooltip="Rename the theme; its tags stay."),
        Binding(
            "m",
            "merge",
            "merge",
            id="themes.merge",
            tooltip="Merge the theme into another: choose the other, Enter, then y confirms.",
        ),
        Binding("a", "add", "add", id="themes.add", tooltip="Add a theme to the codebook."),
        Binding(
            "s",
            "scope",
            "session/all",
            id="themes.scope",
            tooltip="Count this session's notes only, or every session of the consultation.",
        ),
        HELP,
        Binding(
            "escape",
            "back",
            "back",
            id="themes.back",
            key_display="esc",
            tooltip="Cancel a rename or merge, or go back.",
        ),
        BLANK,
    ]
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("↑ ↓", "choose a theme"),
        ("", "Ranked by sessions that raised a theme, then by notes; ties share a rank."),
    )

    def __init__(self, workspace: Workspace, session_id: str, *, blink: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.session: Session = workspace.store.sessions.get(session_id)
        self.blink = blink
        self.all_sessions = bool(self.session.consultation_id)
        self.ranked: list[RankedTheme] = []
        self.merging: RankedTheme | None = None
        self.naming: RankedTheme | None = None  # the theme being renamed (None: adding one)

    def compose(self) -> ComposeResult:
        yield Static(id="themes-title")
        yield Static(id="themes-status")
        table: DataTable[Text] = DataTable(id="themes", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="theme-name-label")
        box = Input(id="theme-name", select_on_focus=False)
        box.cursor_blink = self.blink
        box.display = False
        yield box
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.query_one("#theme-name-label", Static).display = False
        self.refresh_themes()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_themes()

    # ------------------------------------------------------------ showing

    def session_ids(self) -> list[str]:
        if self.all_sessions and self.session.consultation_id:
            return [s.id for s in self.workspace.store.sessions.all(self.session.consultation_id)]
        return [self.session.id]

    def refresh_themes(self, select: str | None = None) -> None:
        """Rank again; keep (or move) the cursor on a theme."""
        store = self.workspace.store
        table: DataTable[Text] = self.query_one(DataTable)
        chosen = self.selected()
        current = select or (chosen.theme.id if chosen else None)
        if self.all_sessions and self.session.consultation_id:
            self.ranked = codebook.rank_for_consultation(store, self.session.consultation_id)
            scope = Text.assemble(
                "ranked over ",
                f"{len(self.session_ids())} session{'' if len(self.session_ids()) == 1 else 's'} of ",
                one_line(self.session.consultation),
            )
        else:
            self.ranked = codebook.rank_for_session(store, self.session)
            scope = Text.assemble("ranked over this session: ", one_line(self.session.label))
        self.query_one("#themes-title", Static).update(Text.assemble(("Themes", "bold"), " · ", scope))
        table.clear(columns=True)
        width = max(20, self.app.size.width - FIXED_WIDTH)
        for name in RANK_COLUMNS[:-1]:
            table.add_column(name, key=name)
        table.add_column(RANK_COLUMNS[-1], key=RANK_COLUMNS[-1], width=width)
        for item in self.ranked:
            table.add_row(
                Text(str(item.rank), justify="right"),
                Text(str(item.sessions), justify="right"),
                Text(str(item.notes), justify="right"),
                one_line(item.name),
                key=item.theme.id,
                height=None,  # a long name wraps: two themes that start alike stay apart
            )
        ids = [item.theme.id for item in self.ranked]
        if current in ids:
            table.move_cursor(row=ids.index(current))
        self._show_status()

    def _show_status(self, text: Text | None = None) -> None:
        keys = MERGE_TARGET_KEYS if self.merging is not None else key_bar_bindings(self)
        self.query_one(KeyBar).show(keys)
        status = self.query_one("#themes-status", Static)
        if text is None and self.merging is not None:
            text = Text.assemble(
                "Merge ",
                one_line(self.merging.name, "bold"),
                " into which theme? Choose it, Enter (Esc cancels).",
            )
        status.update(text or Text("Enter: a theme's notes · r rename · m merge · a add", style="dim"))

    def selected(self) -> RankedTheme | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self.ranked or not 0 <= table.cursor_row < len(self.ranked):
            return None
        return self.ranked[table.cursor_row]

    # ------------------------------------------------------------ reading notes, merging

    @on(DataTable.RowSelected)
    def _chosen(self) -> None:
        if self.merging is not None:
            self._finish_merge()
        else:
            self.action_open()

    def action_open(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.app.push_screen(ThemeNotesScreen(self.workspace, chosen, self.session_ids()))

    def action_merge(self) -> None:
        chosen = self.selected()
        if chosen is None or self._naming_open():
            return
        if len(self.ranked) < 2:
            self.notify("There is no other theme to merge it into.", severity="warning")
            return
        self.merging = chosen
        self._show_status()

    def action_merge_into(self) -> None:
        """Enter while merging: merge into the selected theme (the key bar's enter too)."""
        if self.merging is not None:
            self._finish_merge()

    def _finish_merge(self) -> None:
        from facilitator.ui.screens.confirm import ConfirmScreen

        source, target = self.merging, self.selected()
        if source is None or target is None:
            return
        if source.theme.id == target.theme.id:
            self.notify("Choose another theme to merge it into.", severity="warning")
            return
        question = Text.assemble(
            "Merge “",
            one_line(source.name, "bold"),
            f"” ({source.notes} note{'' if source.notes == 1 else 's'} here) into “",
            one_line(target.name, "bold"),
            "”?\n\nEvery note tagged with the first gets the second instead; the first leaves the codebook.",
        )

        def answered(yes: bool | None) -> None:
            self.merging = None
            if yes:
                try:
                    kept = codebook.merge_themes(self.workspace.store, self.session, source.name, target.name)
                except FacilitatorError as error:
                    self.notify(str(error), severity="error", markup=False)
                    return
                self.refresh_themes(select=kept.id)
                self._after(
                    Text.assemble(
                        one_line(source.name, "bold"), " merged into ", one_line(kept.name, "bold"), "."
                    )
                )
            else:
                self._show_status()

        self.app.push_screen(ConfirmScreen(question, "Merge"), callback=answered)

    # ------------------------------------------------------------ naming: rename and add

    def _naming_open(self) -> bool:
        return self.query_one("#theme-name", Input).display

    def _open_name_box(self, label: Text, value: str) -> None:
        """Show the name box under a plain label, with the focus in it."""
        shown = self.query_one("#theme-name-label", Static)
        shown.update(label)
        shown.display = True
        box = self.query_one("#theme-name", Input)
        box.border_title = "Enter saves · Esc cancels"
        box.value = value
        box.display = True
        box.cursor_position = len(value)
        box.focus()

    def _close_name_box(self) -> None:
        self.query_one("#theme-name-label", Static).display = False
        box = self.query_one("#theme-name", Input)
        box.display = False
        box.value = ""
        self.naming = None
        self.query_one(DataTable).focus()

    def action_rename(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.merging = None
        self._show_status()
        self.naming = chosen
        label = Text.assemble(
            ("Rename the theme ", "bold"), one_line(chosen.name, "bold reverse"), (" to:", "bold")
        )
        self._open_name_box(label, chosen.name)

    def action_add(self, first: str = "") -> None:
        self.merging = None
        self._show_status()
        self.naming = None
        self._open_name_box(Text("Name of the new theme:", style="bold"), first)

    @on(Input.Submitted, "#theme-name")
    def _named(self, event: Input.Submitted) -> None:
        store = self.workspace.store
        if self.naming is None:
            self._add(event.value)
            return
        try:
            theme = codebook.rename_theme(store, self.session, self.naming.name, event.value)
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._close_name_box()
        self.refresh_themes(select=theme.id)
        self._after(Text.assemble("Theme renamed to ", one_line(theme.name, "bold"), "; its notes keep it."))

    def _add(self, name: str) -> None:
        """Add a theme, or select the one already so named; the box stays open for another."""
        store = self.workspace.store
        existing = (
            codebook.find_theme(store, codebook.Codebook.of(self.session), name) if name.strip() else None
        )
        try:
            theme = existing or codebook.add_theme(store, self.session, name)
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.refresh_themes(select=theme.id)
        if existing is not None:
            said = Text.assemble(
                "“",
                one_line(name.strip(), "bold"),
                "” is already a theme: ",
                one_line(existing.name, "bold"),
                " (selected above). Nothing added.",
            )
        else:
            said = Text.assemble("Theme ", one_line(theme.name, "bold"), " added (selected above).")
        self.notify(said.plain, markup=False)
        # The box stays open: whatever is typed next is plainly a name, never a key.
        self._open_name_box(
            Text.assemble(
                said, "\n", ("Another new theme? Type it, or Esc to go back to the themes:", "bold")
            ),
            "",
        )

    def _after(self, done: Text) -> None:
        """After a rename or a merge: back on the list, on the theme, saying what keys do now."""
        self.query_one(DataTable).focus()
        keys = " ↑ ↓ choose a theme · Enter: its notes · r rename · m merge · a add"
        self._show_status(Text.assemble(done, keys))
        self.notify(done.plain, markup=False)

    def on_key(self, event: events.Key) -> None:
        """Typing on the list (a letter that is no key here) starts a new theme instead of acting.

        While the name box is open but the focus has not reached it yet (keys typed
        fast), every character goes into the box: a typed name never runs a command.
        """
        character = event.character
        if not character or not character.isprintable():
            return
        box = self.query_one("#theme-name", Input)
        if box.display and self.focused is not box:
            event.stop()
            event.prevent_default()
            box.insert_text_at_cursor(character)
            return
        if not isinstance(self.focused, DataTable) or self.merging is not None or character.isspace():
            return
        if event.key in self._command_keys() or character.isdigit():
            return
        event.stop()
        event.prevent_default()
        self.action_add(character)

    def _command_keys(self) -> set[str]:
        return {
            key.strip()
            for binding in self.BINDINGS
            if isinstance(binding, Binding)
            for key in binding.key.split(",")
        }

    # ------------------------------------------------------------ the rest

    def action_scope(self) -> None:
        if not self.session.consultation_id:
            self.notify("This session has no consultation: its own notes are all there is.")
            return
        self.all_sessions = not self.all_sessions
        self.refresh_themes()

    def action_back(self) -> None:
        if self._naming_open():
            self._close_name_box()
        elif self.merging is not None:
            self.merging = None
            self._show_status()
        else:
            self.dismiss(None)


class ThemeNotesScreen(Guarded, Screen[None]):
    """Every note tagged with one theme, oldest first, with who said it."""

    CSS_PATH = "themes.tcss"
    HELP_TITLE = "Keys of a theme's notes"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q",
            "back",
            "back",
            id="theme_notes.back",
            key_display="esc",
            tooltip="Back to the themes.",
        ),
        BLANK,
        HELP,
    ]

    def __init__(self, workspace: Workspace, ranked: RankedTheme, session_ids: list[str]) -> None:
        super().__init__()
        self.workspace = workspace
        self.ranked = ranked
        self.session_ids = session_ids

    def compose(self) -> ComposeResult:
        store = self.workspace.store
        notes = discussion.notes_for_theme(store, self.ranked.theme.id, self.session_ids)
        sessions = {s: store.sessions.get(s) for s in {n.session_id for n in notes}}
        people = {(s, p.code): p for s in sessions for p in roster.participants(store, s)}
        body = Text()
        for note in notes:
            person = people.get((note.session_id, note.participant or ""))
            about = [sessions[note.session_id].label] if len(self.session_ids) > 1 else []
            about.append(note.participant or "speaker unknown")
            if person is not None and person.descriptor:
                about[-1] += f" ({person.descriptor})"
            about.append(KIND_LABELS[note.kind])
            body.append_text(one_line(" · ".join(about), "dim"))
            body.append("\n")
            body.append_text(literal(note.text, keep_newlines=True))
            body.append("\n\n")
        if not notes:
            body.append("No note is tagged with this theme yet.", style="italic")
        count = f"{len(notes)} note{'' if len(notes) == 1 else 's'}"
        yield Static(
            Text.assemble(("Notes of ", "bold"), one_line(self.ranked.name, "bold"), f" · {count}"),
            id="theme-notes-title",
        )
        with VerticalScroll(id="theme-notes"):
            yield Static(body)
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.query_one("#theme-notes", VerticalScroll).focus()

    def action_back(self) -> None:
        self.dismiss(None)
