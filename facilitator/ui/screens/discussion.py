"""The discussion: notes, quotes and case studies typed as people talk.

One line says it all (see `facilitator.ui.note_syntax`):

    P3: they never listened to us #listen #trust

Enter commits the note (it is on disk before the list shows it) and empties the
box; the focus stays in the box, so the next note can be typed at once. What
Enter would save is spelt out under the box at every key press, and so are
likely identifying details (names, prison numbers, phone numbers, dates of
birth, words of the pseudonym map): a warning, never a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from facilitator.actions.data_folder import Workspace
from facilitator.actions.sessions import seed_codebook
from facilitator.core.errors import FacilitatorError
from facilitator.core.example import EXAMPLE_MARK
from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.anonymity import Anonymiser, Finding, detect
from facilitator.discussion.notes import KIND_LABELS, Note
from facilitator.discussion.roster import Participant
from facilitator.store import MAX_COMMENT, Session
from facilitator.ui.boundary import Guarded
from facilitator.ui.identity import warning_text
from facilitator.ui.keys import HELP_WHILE_TYPING, class_bindings, key_bar_bindings
from facilitator.ui.note_syntax import Draft, ThemeChoice, close_to, line_for, matching, parse
from facilitator.ui.text import one_line
from facilitator.ui.widgets.key_bar import KeyBar

NO_NOTES = "No notes yet. Type what is said in the box above; Enter saves it."
KIND_CYCLE = ("note", "quote", "case_study")
GENDER_LETTERS = {"male": "M", "female": "F", "other": "O", "not_given": ""}
PREVIEW_THEME_WIDTH = 26  # a theme's name under the box is cut here; the list beside shows it whole
SYNTAX_HINT = 'P3: who spoke · "…" quote · #words, #2, #+New theme · ^t quote/case · ↓ notes'


def theme_choices(workspace: Workspace, session: Session) -> list[ThemeChoice]:
    """The session's codebook numbered in the order its themes were made (new ones go last)."""
    found = codebook.themes(workspace.store, codebook.Codebook.of(session))
    found.sort(key=lambda t: (t.created_at, t.id))
    return [ThemeChoice(number, t.id, t.name) for number, t in enumerate(found, start=1)]


def short(value: str, width: int, style: str = "") -> Text:
    """User text on one line, cut to `width` cells with an ellipsis."""
    text = one_line(value, style)
    text.truncate(width, overflow="ellipsis")
    return text


def note_prompt(note: Note) -> Text:
    """A note in the list: speaker, the text as written (a quote in quote marks), its themes."""
    text = Text()
    text.append(note.participant or "?", style="bold")
    text.append(" ")
    if note.kind == "quote":
        text.append("“")
        text.append_text(one_line(note.text))
        text.append("”")
    elif note.kind == "case_study":
        if note.title:
            text.append("Case study ", style="italic")
            text.append_text(one_line(note.title, "bold"))
            text.append(": ", style="italic")
        else:
            text.append("Case study: ", style="italic")
        text.append_text(one_line(note.text))
    else:
        text.append_text(one_line(note.text))
    if note.themes:
        text.append("\n  ")
        for index, theme in enumerate(note.themes):
            if index:
                text.append(" · ", style="dim")
            text.append_text(one_line(f"#{theme.name}", "dim"))
    return text


class NoteList(Guarded, OptionList):
    """The session's notes, newest first. ↑ at the top goes back to the note box."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e",
            "screen.edit_note",
            "edit",
            id="notes.edit",
            tooltip="In the notes: edit the note in the box above (Enter works too).",
        ),
        Binding(
            "d,delete",
            "screen.delete_note",
            "delete",
            id="notes.delete",
            tooltip="In the notes: delete the note (u brings it back).",
        ),
        Binding(
            "u",
            "screen.undo_delete",
            "undo",
            id="notes.undo",
            tooltip="In the notes: bring back the last deleted note.",
        ),
        Binding("i", "screen.type", "type", id="notes.type", tooltip="In the notes: back to the note box."),
        Binding(
            "b",
            "screen.move_note(-1)",
            "before",
            id="notes.earlier",
            tooltip="In the notes: move the note one place earlier in the report (before its neighbour).",
        ),
        Binding(
            "a",
            "screen.move_note(1)",
            "after",
            id="notes.later",
            tooltip="In the notes: move the note one place later in the report (after its neighbour).",
        ),
    ]

    @dataclass
    class Top(Message):
        """↑ was pressed on the first note."""

    @dataclass
    class Typed(Message):
        """A character that is no key of the list was typed: it belongs in the note box."""

        character: str

    typing = False  # a character went to the note box: the rest of the burst follows it

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if not character or not character.isprintable() or character.isspace():
            return
        # The list's keys, and the screen's (? for help): everything else is typing.
        bound = [*self.BINDINGS, *self.screen.BINDINGS]
        keys = {k.strip() for b in bound if isinstance(b, Binding) for k in b.key.split(",")}
        if self.typing or event.key not in keys:
            self.typing = True
            event.stop()
            event.prevent_default()
            self.post_message(self.Typed(character))

    def on_focus(self) -> None:
        self.typing = False

    def action_cursor_up(self) -> None:
        if not self.highlighted:
            self.post_message(self.Top())
            return
        super().action_cursor_up()


class DiscussionScreen(Guarded, Screen[None]):
    """Type notes as people talk; Enter saves each one at once."""

    CSS_PATH = "discussion.tcss"
    HELP_TITLE = "Keys of the discussion"
    # The box has the focus nearly all the time, so every key here is one a box does not use.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save_hint", "save", id="discussion.save", show=True, tooltip="Save the note."),
        Binding(
            "ctrl+t",
            "cycle_kind",
            "quote/case",
            id="discussion.kind",
            key_display="^t",
            tooltip="Mark the note as a quote, again as a case study, again as a plain note.",
        ),
        Binding(
            "down",
            "notes",
            "notes",
            id="discussion.notes",
            key_display="↓",
            tooltip="Go down to the notes to edit (e) or delete (d) one.",
        ),
        Binding(
            "ctrl+g",
            "themes",
            "themes",
            id="discussion.themes",
            key_display="^g",
            tooltip="The themes ranked by how often they came up: rename, merge, see their notes.",
        ),
        Binding(
            "ctrl+r",
            "roster",
            "roster",
            id="discussion.roster",
            key_display="^r",
            tooltip="The participants' codes and descriptors.",
        ),
        Binding(
            "ctrl+n",
            "pseudonyms",
            "names map",
            id="discussion.pseudonyms",
            key_display="^n",
            tooltip="The pseudonym map: names replaced on every export.",
        ),
        replace(
            HELP_WHILE_TYPING,
            tooltip="All the keys and the note line: F1, or ? when not typing in the note box.",
        ),
        Binding(
            "escape",
            "back",
            "back",
            id="discussion.back",
            key_display="esc",
            tooltip="Cancel an edit, leave the notes for the box, or (box empty) go back.",
        ),
    ]
    # The note line: what is typed in the box, not keys.
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("P3: …", "who spoke: a roster code, or its number alone (3: …); ?: or nothing for unknown"),
        ('"…', "a verbatim quote (the quote marks are not stored)"),
        ("Darren:: …", "a case study titled Darren (names are changed on export like the text)"),
        ("#listen", "a theme whose name holds those words (the themes on the right narrow as you type)"),
        ("#2", "theme number 2 of the themes on the right"),
        ("#Housing", "words that match no theme make a new theme; #+Housing makes exactly that one"),
        ("Ctrl+U", "empties the box"),
        (
            "",
            "A warning under the box flags likely names, prison numbers, phone numbers and dates "
            "of birth. It never stops a note from being saved.",
        ),
    )

    def __init__(self, workspace: Workspace, session_id: str, *, blink: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.session: Session = workspace.store.sessions.get(session_id)
        self.blink = blink
        self.roster: list[Participant] = []
        self.choices: list[ThemeChoice] = []
        self.anonymiser = Anonymiser({})
        self.notes: list[Note] = []
        self.kind: str | None = None  # chosen with ctrl+t; None: a quote if it starts with a quote mark
        self.editing: Note | None = None
        self.stashed = ""  # what was in the box when an edit began
        # Notes deleted while the screen is open, as they were: the database no longer
        # holds their text, so bringing one back takes it from here.
        self.deleted: list[Note] = []
        self._options: dict[str, tuple[Note, Option]] = {}  # note id: (the note as shown, its entry)

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="discussion-title")
        box = Input(
            placeholder="P3: what was said #theme   (Enter saves; F1 explains)",
            id="note",
            max_length=MAX_COMMENT,
            select_on_focus=False,
        )
        box.cursor_blink = self.blink
        yield box
        yield Static(id="draft")
        yield Static(id="identity")
        with Horizontal(id="discussion-body"):
            yield NoteList(id="notes")
            with VerticalScroll(id="side") as side:
                side.can_focus = False
                yield Static(id="speakers")
                yield Static(id="theme-list")
        yield KeyBar(key_bar_bindings(self))

    def key_bindings(self) -> list[Binding]:
        """The screen's keys, then those of its list of notes (in help and the palette, not the key bar)."""
        return [*class_bindings(type(self)), *(replace(b, show=False) for b in class_bindings(NoteList))]

    def on_mount(self) -> None:
        store = self.workspace.store
        seed_codebook(self.workspace, self.session)
        codebook.align_codebook(store, self.session)
        self.reload()
        self.box.focus()

    def on_screen_resume(self) -> None:
        self.session = self.workspace.store.sessions.get(self.session.id)
        self.reload()

    @property
    def box(self) -> Input:
        return self.query_one("#note", Input)

    @property
    def note_list(self) -> NoteList:
        return self.query_one(NoteList)

    def reload(self) -> None:
        """Read the roster, codebook, pseudonym map and notes again."""
        store = self.workspace.store
        self.roster = roster.participants(store, self.session.id)
        self.choices = theme_choices(self.workspace, self.session)
        self.anonymiser = Anonymiser.for_session(store, self.session.id)
        self._show_notes()
        self._show_draft()

    def _show_notes(self, highlight: str | None = None) -> None:
        self.notes = discussion.notes(self.workspace.store, self.session.id)
        notes = self.query_one(NoteList)
        notes.set_options(self._option(n) for n in reversed(self.notes))
        if not self.notes:
            notes.add_option(Option(Text(NO_NOTES, style="italic"), disabled=True))
        if highlight is not None and self.notes:
            notes.highlighted = notes.get_option_index(highlight)
        title = Text.assemble(
            *((EXAMPLE_MARK, "bold"), " · ") if self.session.example else (),
            ("Discussion", "bold"),
            " · ",
            one_line(self.session.label),
            f" · {len(self.notes)} note{'' if len(self.notes) == 1 else 's'}",
        )
        self.query_one("#discussion-title", Static).update(title)

    def _option(self, note: Note) -> Option:
        """The list's entry for a note, made once per version (a long list stays quick to refresh)."""
        cached = self._options.get(note.id)
        if cached is None or cached[0] != note:  # a renamed theme changes the note's themes too
            cached = (note, Option(note_prompt(note), id=note.id))
            self._options[note.id] = cached
        return cached[1]

    # ------------------------------------------------------------ the note being typed

    def draft(self) -> Draft:
        return parse(self.box.value, [p.code for p in self.roster], self.choices)

    def kind_of(self, draft: Draft) -> str:
        if self.kind is not None:
            return self.kind
        if draft.title:
            return "case_study"
        return "quote" if draft.quoted else "note"

    def findings(self, draft: Draft) -> list[Finding]:
        return detect(draft.text, self.anonymiser)

    @on(Input.Changed, "#note")
    def _typed(self) -> None:
        self._show_draft()

    def _show_draft(self) -> None:
        draft = self.draft()
        self.query_one("#draft", Static).update(self._draft_text(draft))
        findings = self.findings(draft)
        identity = self.query_one("#identity", Static)
        identity.set_class(bool(findings), "-warning")
        identity.update(warning_text(draft.text, findings) if findings else Text(SYNTAX_HINT, style="dim"))
        self._show_side(draft)

    def _draft_text(self, draft: Draft) -> Text:
        """What Enter would save: speaker, kind and themes, on one line."""
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.editing is not None:
            text.append(" editing ", style="bold reverse")
            text.append(" ")
        if draft.speaker_problem:
            text.append(f"✗ {draft.speaker_problem}", style="bold")
        elif draft.speaker:
            text.append(draft.speaker, style="bold")
            person = next((p for p in self.roster if p.code == draft.speaker), None)
            if person is not None and person.descriptor:
                text.append(f" ({person.descriptor})")
        else:
            text.append("speaker unknown", style="dim")
        kind = self.kind_of(draft)
        text.append(" · ")
        text.append(KIND_LABELS[kind], style="bold" if kind != "note" else "")
        for tag in draft.tags:
            text.append(" · ")
            if tag.problem:
                text.append(f"✗ {tag.problem}", style="bold")
            elif tag.theme is not None:
                text.append_text(short(f"#{tag.theme.number} {tag.theme.name}", PREVIEW_THEME_WIDTH))
            elif tag.new_name is not None:
                text.append("new theme ", style="bold")
                text.append_text(short(tag.new_name, PREVIEW_THEME_WIDTH, "bold"))
                if (near := close_to(tag.new_name, self.choices)) is not None:
                    text.append(f" (close to #{near.number}!)", style="bold")
        return text

    def _show_side(self, draft: Draft) -> None:
        speakers = Text("Speakers", style="bold")
        if not self.roster:
            speakers.append("\nno roster (^r): any code, e.g. P1:")
        else:
            speakers.append("\n")
            for index, person in enumerate(self.roster):
                style = "bold reverse" if person.code == draft.speaker else ""
                if index:
                    speakers.append(" ")
                speakers.append_text(one_line(person.code, f"bold {style}"))
                speakers.append(GENDER_LETTERS.get(person.gender, ""), style=f"dim {style}")
        speakers.append(
            "  ?", style="bold reverse" if draft.speaker is None and not draft.speaker_problem else ""
        )
        self.query_one("#speakers", Static).update(speakers)

        chosen = {tag.theme.id for tag in draft.tags if tag.theme is not None}
        shown = self.choices if draft.typing_tag is None else matching(draft.typing_tag, self.choices)
        heading = Text("Themes", style="bold")
        if draft.typing_tag:
            heading.append_text(one_line(f" matching #{draft.typing_tag}"))
        themes = Table.grid(padding=(0, 1))
        themes.add_column(no_wrap=True, justify="right")
        themes.add_column()
        for theme in shown:
            tagged = theme.id in chosen
            themes.add_row(
                Text(f"{'✓' if tagged else ' '}{theme.number}", style="bold"),
                one_line(theme.name, "reverse" if tagged else ""),
            )
        if not shown:
            themes.add_row("", Text("none: Enter makes it a new theme", style="italic"))
        self.query_one("#theme-list", Static).update(Group(heading, themes))

    # ------------------------------------------------------------ saving

    @on(Input.Submitted, "#note")
    def save(self) -> None:
        """Enter: commit the note (or the edit), empty the box, keep typing."""
        draft = self.draft()
        if not draft.text:
            self.notify("Type what was said first; Enter then saves it.", severity="warning")
            return
        if draft.problems:
            self.notify(draft.problems[0], severity="error", markup=False)
            return
        store = self.workspace.store
        kind = self.kind_of(draft)
        try:
            if self.editing is None:
                saved = discussion.add_note(
                    store,
                    self.session.id,
                    draft.text,
                    kind=kind,
                    speaker=draft.speaker,
                    themes=draft.theme_names,
                    title=draft.title,
                )
            else:
                saved = discussion.edit_note(
                    store,
                    self.editing.id,
                    text=draft.text,
                    kind=kind,
                    speaker=draft.speaker,
                    themes=draft.theme_names,
                    title=draft.title,
                )
        except FacilitatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        was_editing = self.editing is not None
        self.editing, self.kind = None, None
        if any(tag.new_name for tag in draft.tags):
            self.choices = theme_choices(self.workspace, self.session)
        self.box.value = self.stashed if was_editing else ""
        self.stashed = ""
        self._show_notes(highlight=saved.id)
        self._show_draft()
        self.box.focus()
        if was_editing:
            self.notify("Note changed.")

    def action_save_hint(self) -> None:
        """Enter outside the box: back to the box (Enter in the box saves)."""
        self.box.focus()

    def action_cycle_kind(self) -> None:
        current = self.kind_of(self.draft())
        self.kind = KIND_CYCLE[(KIND_CYCLE.index(current) + 1) % len(KIND_CYCLE)]
        self._show_draft()

    # ------------------------------------------------------------ the notes

    def action_notes(self) -> None:
        notes = self.note_list
        if not self.notes:
            self.notify("No notes yet.")
            return
        if self.focused is notes:
            # Keys typed fast reach the box before the focus moves: keep going down.
            notes.action_cursor_down()
            return
        notes.focus()
        if notes.highlighted is None:
            notes.highlighted = 0

    def action_type(self) -> None:
        self.box.focus()

    @on(NoteList.Top)
    def _top(self) -> None:
        self.box.focus()

    @on(NoteList.Typed)
    def _typed_on_the_list(self, event: NoteList.Typed) -> None:
        self.box.focus()
        self.box.insert_text_at_cursor(event.character)

    def highlighted_note(self) -> Note | None:
        notes = self.note_list
        if notes.highlighted is None or not self.notes:
            return None
        option = notes.get_option_at_index(notes.highlighted)
        return next((n for n in self.notes if n.id == option.id), None)

    @on(OptionList.OptionSelected, "#notes")
    def _chosen(self) -> None:
        self.action_edit_note()

    def action_edit_note(self) -> None:
        """Put the highlighted note in the box; Enter saves the change, Esc leaves it as it was."""
        note = self.highlighted_note()
        if note is None:
            return
        if self.editing is None:
            self.stashed = self.box.value
        self.editing = note
        self.kind = note.kind
        self.box.value = line_for(note.text, note.participant, note.theme_names, self.choices, note.title)
        self.box.cursor_position = len(self.box.value)
        self.box.focus()
        self._show_draft()

    def action_delete_note(self) -> None:
        note = self.highlighted_note()
        if note is None:
            return
        index = self.note_list.highlighted or 0
        self.deleted.append(discussion.delete_note(self.workspace.store, note.id))
        if self.editing is not None and self.editing.id == note.id:
            self._stop_editing()
        self._show_notes()
        if self.notes:
            self.note_list.highlighted = min(index, len(self.notes) - 1)
        self.notify("Note deleted: u brings it back.")

    def action_move_note(self, step: int) -> None:
        """b / a in the notes: one place earlier or later in the session's order (the report's)."""
        note = self.highlighted_note()
        if note is None:
            return
        try:
            moved = discussion.move_note(self.workspace.store, note.id, step)
        except FacilitatorError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self._show_notes(highlight=moved.id)
        self.notify("Moved earlier." if step < 0 else "Moved later.")

    def action_undo_delete(self) -> None:
        if not self.deleted:
            self.notify("Nothing to bring back.")
            return
        restored = discussion.restore_note(self.workspace.store, self.deleted.pop())
        self._show_notes(highlight=restored.id)
        self.notify("Note brought back.")

    def _stop_editing(self) -> None:
        self.editing, self.kind = None, None
        self.box.value = self.stashed
        self.stashed = ""
        self._show_draft()

    def action_back(self) -> None:
        """Esc: cancel an edit; from the notes, back to the box; with an empty box, leave."""
        if self.editing is not None:
            self._stop_editing()
            self.box.focus()
            self.notify("Edit cancelled: the note is as it was.")
        elif self.focused is not self.box:
            self.box.focus()
        elif self.box.value.strip():
            self.notify("The box still holds a note: Enter saves it, Ctrl+U empties it.", severity="warning")
        else:
            self.dismiss(None)

    # ------------------------------------------------------------ other screens

    def action_themes(self) -> None:
        from facilitator.ui.screens.themes import ThemesScreen

        self.app.push_screen(ThemesScreen(self.workspace, self.session.id, blink=self.blink))

    def action_roster(self) -> None:
        from facilitator.ui.screens.roster import RosterScreen

        self.app.push_screen(RosterScreen(self.workspace, self.session.id, blink=self.blink))

    def action_pseudonyms(self) -> None:
        """The pseudonym map; a name flagged in the box is offered as the next real name."""
        from facilitator.ui.screens.pseudonyms import PseudonymScreen

        draft = self.draft()
        names = [f.excerpt(draft.text) for f in self.findings(draft) if f.kind == "name"]
        if not names and self.notes:  # the box is empty: the note just saved
            latest = self.notes[-1].text
            names = [f.excerpt(latest) for f in detect(latest, self.anonymiser) if f.kind == "name"]
        suggested = names[0] if names else ""
        self.app.push_screen(PseudonymScreen(self.workspace, self.session.id, suggested, blink=self.blink))
