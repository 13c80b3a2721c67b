"""The roster: a session's participants as codes with descriptors, never names."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Label, Static

from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.discussion import roster
from facilitator.discussion.roster import Participant
from facilitator.store import Session
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP, HELP_WHILE_TYPING, key_bar_bindings
from facilitator.ui.text import one_line
from facilitator.ui.widgets.key_bar import KeyBar
from facilitator.ui.widgets.tick_box import TickBox

ROSTER_COLUMNS = ("Code", "Gender", "Cohort", "Age band", "Consent", "Interview")
GENDER_LABELS = {"male": "male", "female": "female", "other": "other", "not_given": "not given"}


def next_code(people: list[Participant]) -> str:
    """The next free code in the P1, P2, … series."""
    taken = {p.code.casefold() for p in people}
    numbers = [int(m.group(1)) for p in people if (m := re.fullmatch(r"[Pp](\d+)", p.code))]
    number = max(numbers, default=0) + 1
    while f"p{number}" in taken:
        number += 1
    return f"P{number}"


def roster_summary(people: list[Participant]) -> str:
    """`6 participants: 4 male, 2 female · 5 consented · 2 want an interview`."""
    counts = [f"{n} {GENDER_LABELS[g]}" for g in roster.GENDERS if (n := sum(p.gender == g for p in people))]
    consented = sum(p.consent for p in people)
    interview = sum(p.wants_interview for p in people)
    return (
        f"{len(people)} participant{'' if len(people) == 1 else 's'}"
        + (f": {', '.join(counts)}" if counts else "")
        + f" · {consented} consented · {interview} want{'s' if interview == 1 else ''} an interview"
    )


def took_part(session: Session) -> str:
    """`10 took part (8 male, 2 female)`: the numbers typed for the session."""
    genders = [f"{n} {name}" for name in ("male", "female") if (n := getattr(session, name)) is not None]
    return f"{session.participants} took part" + (f" ({', '.join(genders)})" if genders else "")


def numbers_note(session: Session, people: list[Participant]) -> str:
    """When the roster and the session's typed numbers differ, both, calmly; "" when they agree.

    A roster often lists only those who spoke: that is normal, and the report keeps the
    session's numbers and says how many are on the roster.
    """
    if session.participants is None or not people:
        return ""
    listed = {
        "participants": len(people),
        "male": sum(p.gender == "male" for p in people),
        "female": sum(p.gender == "female" for p in people),
    }
    typed = {name: getattr(session, name) for name in listed}
    if all(n is None or n == listed[name] for name, n in typed.items()):
        return ""
    on_roster = f"{len(people)} {'is' if len(people) == 1 else 'are'} on this roster"
    return (
        f"Note: the session says {took_part(session)}; {on_roster}. "
        "Fine if the roster lists only those who spoke: the report gives both."
    )


class RosterScreen(Guarded, Screen[None]):
    """The participants; a adds, e (or Enter) edits, d removes."""

    CSS_PATH = "roster.tcss"
    HELP_TITLE = "Keys of the roster"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a", "add", "add", id="roster.add", tooltip="Add a participant (the next code is filled in)."
        ),
        Binding(
            "e", "edit", "edit", id="roster.edit", key_display="e/enter", tooltip="Edit the participant."
        ),
        Binding(
            "d",
            "remove",
            "remove",
            id="roster.remove",
            tooltip="Remove the participant (y confirms); notes keep the code.",
        ),
        Binding(
            "i",
            "flip('wants_interview')",
            "interview",
            id="roster.interview",
            tooltip="Mark (or unmark) that the participant wants a one-to-one interview.",
        ),
        Binding(
            "c",
            "flip('consent')",
            "consent",
            id="roster.consent",
            tooltip="Mark (or unmark) that the participant gave verbal consent.",
        ),
        HELP,
        Binding("escape", "back", "back", id="roster.back", key_display="esc", tooltip="Go back."),
        BLANK,
    ]
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("↑ ↓, or a digit", "choose a participant (3 goes to P3)"),
        ("", "Codes only, never names: a name goes in the pseudonym map."),
    )

    def __init__(self, workspace: Workspace, session_id: str, *, blink: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.session: Session = workspace.store.sessions.get(session_id)
        self.blink = blink
        self.people: list[Participant] = []

    def compose(self) -> ComposeResult:
        yield Static(id="roster-title")
        yield Static(id="roster-summary")
        yield Static(id="roster-numbers")
        table: DataTable[Text] = DataTable(id="roster", cursor_type="row", zebra_stripes=True)
        table.add_columns(*ROSTER_COLUMNS)
        yield table
        yield Static(
            Text(
                "Codes only, never names. 3 goes to P3; i and c flip interview and consent.",
                style="dim",
            ),
            id="roster-note",
        )
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.refresh_roster()
        self.query_one(DataTable).focus()

    def refresh_roster(self, select: str | None = None) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        chosen = self.selected()
        current = select or (chosen.code if chosen else None)
        self.people = roster.participants(self.workspace.store, self.session.id)
        table.clear()
        for person in self.people:
            table.add_row(
                one_line(person.code),
                Text(GENDER_LABELS.get(person.gender, person.gender)),
                one_line(person.cohort),
                one_line(person.age_band or "-"),
                Text("yes" if person.consent else "no"),
                Text("yes" if person.wants_interview else "no"),
                key=person.id,
            )
        codes = [p.code for p in self.people]
        if current in codes:
            table.move_cursor(row=codes.index(current))
        self.query_one("#roster-title", Static).update(
            Text.assemble(("Roster", "bold"), " · ", one_line(self.session.label))
        )
        summary = roster_summary(self.people) if self.people else "No participants yet: press a to add P1."
        self.query_one("#roster-summary", Static).update(summary)
        note = numbers_note(self.session, self.people)
        self.query_one("#roster-numbers", Static).update(note)
        self.query_one("#roster-numbers", Static).display = bool(note)

    def selected(self) -> Participant | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self.people or not 0 <= table.cursor_row < len(self.people):
            return None
        return self.people[table.cursor_row]

    def action_add(self) -> None:
        form = ParticipantForm(self.workspace, self.session, None, next_code(self.people), blink=self.blink)
        self.app.push_screen(form, callback=self._saved)

    @on(DataTable.RowSelected)
    def action_edit(self) -> None:
        person = self.selected()
        if person is None:
            return
        form = ParticipantForm(self.workspace, self.session, person, person.code, blink=self.blink)
        self.app.push_screen(form, callback=self._saved)

    def _saved(self, code: str | None) -> None:
        if code:
            self.refresh_roster(select=code)

    def action_flip(self, field: str) -> None:
        """Keys i and c: flip 'wants an interview' or 'consent' of the selected participant."""
        person = self.selected()
        if person is None:
            return
        if field == "consent":
            roster.edit_participant(
                self.workspace.store, self.session.id, person.code, consent=not person.consent
            )
        else:
            roster.edit_participant(
                self.workspace.store, self.session.id, person.code, wants_interview=not person.wants_interview
            )
        self.refresh_roster(select=person.code)

    def on_key(self, event: events.Key) -> None:
        """A digit goes to the participant with that number (P3 for 3)."""
        if event.character and event.character.isdigit() and isinstance(self.focused, DataTable):
            numbers = [re.sub(r"\D", "", p.code) for p in self.people]
            if event.character in numbers:
                self.query_one(DataTable).move_cursor(row=numbers.index(event.character))
                event.stop()

    def action_remove(self) -> None:
        from facilitator.ui.screens.confirm import ConfirmScreen

        person = self.selected()
        if person is None:
            return
        question = Text.assemble(
            "Remove ", one_line(person.code, "bold"), " from the roster? Notes that name the code keep it."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                roster.remove_participant(self.workspace.store, self.session.id, person.code)
                self.refresh_roster()
                self.notify(f"{person.code} removed.", markup=False)

        self.app.push_screen(ConfirmScreen(question, "Remove"), callback=answered)

    def action_back(self) -> None:
        self.dismiss(None)


class ParticipantForm(Guarded, ModalScreen[str | None]):
    """Add or edit one participant; returns the saved code, or None."""

    CSS_PATH = "roster.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="participant_form.cancel", tooltip="Leave without saving."),
        Binding("ctrl+s", "save", "save", id="participant_form.save", tooltip="Save (Enter in a box too)."),
        HELP_WHILE_TYPING,
    ]

    def __init__(
        self,
        workspace: Workspace,
        session: Session,
        person: Participant | None,
        code: str,
        *,
        blink: bool = True,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.session = session
        self.person = person
        self.code = code
        self.blink = blink

    def _input(self, name: str, value: str, placeholder: str) -> Input:
        box = Input(value=value, placeholder=placeholder, id=name, select_on_focus=False)
        box.cursor_blink = self.blink
        return box

    def compose(self) -> ComposeResult:
        p = self.person
        with Vertical(id="participant-form"):
            yield Static(Text("Edit participant" if p else "New participant", style="bold"))
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Label("Code (never a name)")
                    yield self._input("code", self.code, "e.g. P1")
                with Vertical():
                    yield Label("Gender: m, f, o, n (not given)")
                    yield self._input("gender", GENDER_LABELS[p.gender] if p else "", "m, f, o or n")
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Label("Cohort")
                    yield self._input("cohort", p.cohort if p else self.session.cohort, "e.g. adults")
                with Vertical():
                    yield Label("Age band (optional)")
                    yield self._input("age_band", p.age_band if p else "", "e.g. 18-24, 25+, under 18")
            with Horizontal(classes="form-row"):
                yield TickBox("Verbal consent given", p.consent if p else False, id="consent")
                yield TickBox(
                    "Wants a one-to-one interview", p.wants_interview if p else False, id="interview"
                )
            yield Static(id="participant-error")
            with Horizontal(id="participant-buttons"):
                yield Button("Save (Enter)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#gender", Input).focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        store = self.workspace.store
        gender = self._value("gender").strip().casefold()
        gender = {"n": "not_given", "not given": "not_given"}.get(gender, gender)
        consent = self.query_one("#consent", TickBox).value
        interview = self.query_one("#interview", TickBox).value
        try:
            if self.person is None:
                saved = roster.add_participant(
                    store,
                    self.session.id,
                    self._value("code"),
                    gender,
                    cohort=self._value("cohort"),
                    age_band=self._value("age_band"),
                    consent=consent,
                    wants_interview=interview,
                )
            else:
                saved = roster.edit_participant(
                    store,
                    self.session.id,
                    self.person.code,
                    new_code=self._value("code"),
                    gender=gender,
                    cohort=self._value("cohort"),
                    age_band=self._value("age_band"),
                    consent=consent,
                    wants_interview=interview,
                )
        except FacilitatorError as problem:
            self.query_one("#participant-error", Static).update(Text(str(problem), style="bold"))
            return
        self.dismiss(saved.code)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
