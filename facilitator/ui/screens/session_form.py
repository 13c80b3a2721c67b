"""Create or edit a session: the fields of `facilitator session new`, checked as you type."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from facilitator.actions.data_folder import Workspace
from facilitator.actions.sessions import create_session, edit_session
from facilitator.core.errors import FacilitatorError, FieldError
from facilitator.store import SETTINGS, Session, SessionDetails
from facilitator.store.records import MAX_COUNT
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import HELP_WHILE_TYPING

NUMBER_FIELDS = ("participants", "male", "female")
TEXT_FIELDS = ("label", "cohort", "consultation", "location", "date", "facilitators")
NUMBERS_WHY = (
    "How many took part, and how many of them male and female: the report's totals. "
    "Leave a box empty if you don't know."
)
NUMBERS_ASKED = "How many took part? Type the numbers, or leave them empty if you don't know; Ctrl+S saves."
# On a folder with no sessions yet, the sessions screen's offer of the example is behind this form.
EXAMPLE_OFFER = "Just looking? Esc, then l loads an example to practise on."


def known_consultations(sessions: list[Session]) -> tuple[str, list[str]]:
    """The consultation a new session most likely belongs to (that of the session created
    last) and every consultation the sessions name; the example's are never offered."""
    own = [s for s in sessions if not s.example]
    latest = max(own, key=lambda s: s.created_at, default=None)
    titles = sorted({s.consultation for s in own if s.consultation}, key=str.casefold)
    return (latest.consultation if latest else ""), titles


def parse_count(name: str, value: str) -> int | None:
    """An optional whole number typed in a box, or a clear error naming the field."""
    value = value.strip()
    if not value:
        return None
    # isdecimal, not isdigit: "²" is a digit to Python, and int() refuses it; so it does a
    # number too long to be one (thousands of digits).
    if not value.isdecimal() or len(value) > len(str(MAX_COUNT)):
        raise FieldError(name, f"{name.capitalize()}: a whole number from 0 to {MAX_COUNT}, or nothing.")
    return int(value)


class FormSelect(Guarded, Select[str]):
    """A drop-down where Enter goes on through the form once it is chosen (and opens it while
    it is empty, see `SessionFormScreen.action_enter`); Space or arrows open the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,space,up", "show_overlay", "Show menu", show=False),
        Binding("enter", "screen.enter", "next", show=False),
    ]


class SessionFormScreen(Guarded, ModalScreen[str | None]):
    """The session form; returns the id of the session it created or changed, or None."""

    CSS_PATH = "session_form.tcss"
    AUTO_FOCUS = ""  # focused in on_mount, without scrolling the first fields away
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="form.cancel", tooltip="Leave without saving."),
        # Before the box's own Enter: keys typed straight after it go to the next box.
        Binding(
            "enter",
            "enter",
            "next",
            show=False,
            priority=True,
            id="form.next",
            tooltip="Go to the next empty box; from the last one, save.",
        ),
        Binding(
            "ctrl+s",
            "save",
            "save",
            id="form.save",
            tooltip="Save the session. Enter goes to the next empty box, and saves from the last.",
        ),
        HELP_WHILE_TYPING,
    ]

    def __init__(self, workspace: Workspace, session_id: str | None = None, *, blink: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.session = workspace.store.sessions.get(session_id) if session_id else None
        self.blink = blink
        self.ready = False  # boxes report their first values on mount: not the person's typing
        self.numbers_seen = False  # the participant numbers have had the focus

    def _input(self, name: str, value: str, placeholder: str, suggestions: list[str] | None = None) -> Input:
        # The cursor goes to the end of a filled box, so that typing never silently replaces it.
        suggester = SuggestFromList(suggestions, case_sensitive=False) if suggestions else None
        box = Input(value=value, placeholder=placeholder, id=name, select_on_focus=False, suggester=suggester)
        box.cursor_blink = self.blink
        return box

    def compose(self) -> ComposeResult:
        s = self.session
        sessions = self.workspace.store.sessions.all()
        latest, consultations = known_consultations(sessions)
        with Vertical(id="form"):
            yield Static(Text("Edit session" if s else "New session", style="bold"), id="form-title")
            if s is None and not sessions:
                yield Static(EXAMPLE_OFFER, id="form-example")
            with VerticalScroll(id="fields"):
                if s is None:
                    catalogue = self.workspace.catalogue()
                    options = [
                        (f"{ss.title} ({len(ss.statements)} statements)", ss.id)
                        for ss in catalogue.sets.values()
                    ]
                    yield Label("Statement set")
                    yield (
                        FormSelect(options, id="set", allow_blank=False)
                        if options
                        else Static("No statement sets found: add a TOML file to statements/.", id="set")
                    )
                yield Label("Label *")
                yield self._input("label", s.label if s else "", "e.g. Adult focus group 1")
                yield Label("Cohort *")
                yield self._input("cohort", s.cohort if s else "", "e.g. adults, young offenders")
                yield Label("Setting * (Space or Enter to choose)")
                yield FormSelect(
                    [(name, name) for name in SETTINGS],
                    id="setting",
                    prompt="prison or community",
                    value=s.setting if s else Select.NULL,
                )
                # Straight after the required fields: Enter walks through them before it saves.
                yield Static(NUMBERS_WHY, id="numbers-why")
                with Horizontal(id="counts"):
                    for name in NUMBER_FIELDS:
                        with Vertical():
                            yield Label(name.capitalize())
                            value = getattr(s, name) if s else None
                            yield self._input(name, "" if value is None else str(value), "not known")
                yield Label("Date (YYYY-MM-DD)")
                yield self._input("date", s.date if s else date.today().isoformat(), "YYYY-MM-DD")
                yield Label("Consultation (→ takes the one suggested)")
                yield self._input(
                    "consultation", s.consultation if s else latest, "e.g. Youth services 2026", consultations
                )
                yield Label("Location")
                yield self._input("location", s.location if s else "", "optional")
                yield Label("Facilitators' initials (comma between)")
                yield self._input("facilitators", ", ".join(s.facilitators) if s else "", "e.g. AB, CD")
            yield Static(id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        # Focus the label without scrolling to it, so that the form opens at its top:
        # the statement set (the first choice) stays in sight on a small screen.
        self.query_one("#label", Input).focus(scroll_visible=False)
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        self.query_one("#fields", VerticalScroll).scroll_home(animate=False)
        self.ready = True

    def details(self) -> SessionDetails:
        """The form as session details, checked; FacilitatorError names the first bad field."""
        text = {name: self.query_one(f"#{name}", Input).value for name in TEXT_FIELDS}
        setting = self.query_one("#setting", Select).value
        counts = {name: parse_count(name, self.query_one(f"#{name}", Input).value) for name in NUMBER_FIELDS}
        details = SessionDetails(
            label=text["label"],
            cohort=text["cohort"],
            setting=setting if isinstance(setting, str) else "",
            consultation=text["consultation"],
            location=text["location"],
            date=text["date"],
            facilitators=[f for f in text["facilitators"].split(",") if f.strip()],
            **counts,
        )
        return details.validated()

    def check(self) -> SessionDetails | None:
        """Show the first problem under the form (or nothing); the details when all is well."""
        error = self.query_one("#form-error", Static)
        error.remove_class("-ask")
        for marked in self.query(".-invalid"):
            marked.remove_class("-invalid")
        try:
            details = self.details()
        except FacilitatorError as problem:
            error.update(Text(str(problem), style="bold"))
            field = problem.field if isinstance(problem, FieldError) else ""
            if field and self.query(f"#{field}"):
                self.query_one(f"#{field}").add_class("-invalid")
            return None
        error.update("")
        return details

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        if self.ready:
            self.check()

    def fields(self) -> list[Input | Select[str]]:
        """The boxes and drop-downs, in the order Enter walks through them."""
        return [w for w in self.query("#fields Input, #fields Select") if isinstance(w, Input | Select)]

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id in NUMBER_FIELDS:
            self.numbers_seen = True
        if isinstance(event.widget, Input):
            if event.widget.id == "consultation" and self.session is None and event.widget.value:
                # Filled in from the last session: typing a new consultation replaces it whole.
                event.widget.select_all()
            else:
                event.widget.cursor_position = len(event.widget.value)

    def numbers_offered(self) -> bool:
        """Whether the person has been to the participant numbers, or they are filled in."""
        return self.numbers_seen or any(self.query_one(f"#{n}", Input).value.strip() for n in NUMBER_FIELDS)

    async def action_enter(self) -> None:
        """Enter: on to the next empty box or drop-down; from the last one, save."""
        fields = self.fields()
        if self.focused not in fields:
            raise SkipAction()  # a button, or a drop-down's open list: Enter is theirs
        # Enter acts before the box has taken the letters typed just ahead of it (a fast
        # typist, or a paste): let the box take them first, so that the box is judged whole.
        taken = asyncio.Event()
        self.focused.call_later(taken.set)
        await taken.wait()
        if self.focused not in fields:
            return  # the focus went elsewhere meanwhile (a click): that Enter is no longer the box's
        if isinstance(self.focused, Select) and not isinstance(self.focused.value, str):
            self.focused.action_show_overlay()  # nothing chosen yet: Enter opens the list
            return
        if self.check() is None and self.focused.has_class("-invalid"):
            return  # this box is wrong (a required one left empty): say so and stay
        later = fields[fields.index(self.focused) + 1 :]
        for field in later:
            if not (field.value.strip() if isinstance(field, Input) else isinstance(field.value, str)):
                self.set_focus(field)  # at once: the next keys typed go to this box
                if field.id == "participants":
                    self._show_why()
                else:  # in sight even when keys come faster than the form scrolls
                    self.call_after_refresh(self.scroll_to_center, field, animate=False)
                return
        self.action_save()

    def _show_why(self) -> None:
        """Scroll the numbers' reason into sight with them, on a small screen too."""
        why = self.query_one("#numbers-why", Static)
        self.call_after_refresh(why.scroll_visible, top=True, animate=False)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if not self.numbers_offered():
            # Numbers are optional, but a report without them says "not recorded": ask once.
            self.set_focus(self.query_one("#participants", Input))
            self._show_why()
            asked = self.query_one("#form-error", Static)
            asked.update(Text(NUMBERS_ASKED, style="bold"))
            asked.add_class("-ask")  # a question, not an error
            return
        details = self.check()
        if details is None:
            for marked in self.query(".-invalid"):
                marked.focus()  # and scroll to it: the person sees what to fix
                break
            return
        try:
            if self.session is None:
                set_select = self.query_one("#set")
                if not isinstance(set_select, Select) or not isinstance(set_select.value, str):
                    raise FacilitatorError("Choose a statement set.")
                session = create_session(self.workspace, set_select.value, details)
            else:
                session = edit_session(self.workspace, self.session.id, details)
        except FacilitatorError as problem:
            self.query_one("#form-error", Static).update(Text(str(problem), style="bold"))
            return
        self.dismiss(session.id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
