"""The wall: one statement at a time, a column per category, its post-its as cards.

Keys are a contract that facilitators and scripts rely on: `BINDINGS` (narrowed to the
session's scale by `key_bindings`) make the help, the palette and the key bar.
Every post-it is committed by the store before its card appears.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.rule import Rule
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from facilitator.actions.data_folder import Workspace
from facilitator.actions.postits import delete_postit, edit_postit, move_postit, record_postit, restore_postit
from facilitator.core.errors import FacilitatorError
from facilitator.core.example import EXAMPLE_MARK
from facilitator.core.literal import visible
from facilitator.core.statements import Category
from facilitator.store import Postit, Session
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import (
    BLANK,
    ENTRY_KEYS,
    HELP,
    class_bindings,
    for_scale,
    key_bar_bindings,
    scale_entries,
)
from facilitator.ui.palette import category_colours
from facilitator.ui.text import literal
from facilitator.ui.widgets.category_column import CategoryColumn
from facilitator.ui.widgets.comment_line import COMMENT_LINE_KEYS, CommentLine
from facilitator.ui.widgets.distribution import DistributionBar
from facilitator.ui.widgets.key_bar import KeyBar
from facilitator.ui.widgets.postit_card import CommentBox, PostitCard, card_id
from facilitator.ui.widgets.statement_strip import StatementStrip

# The keys that leave participant mode, and that move it on to the next statement.
# Shown to the facilitator (help, the screen before the mode starts), never on the
# participant's screen.
LEAVE_PARTICIPANT_KEYS = ("ctrl+o", "e", "n", "d")
NEXT_PARTICIPANT_KEYS = ("ctrl+o", "n")
LEAVE_KEYS_TEXT = "Ctrl+O, then type e n d"
NEXT_KEYS_TEXT = "Ctrl+O, then n"
LEAVE_PARTICIPANT_TEXT = f"{LEAVE_KEYS_TEXT} ({NEXT_KEYS_TEXT}: the next statement, without leaving)"
CLOSED_TEXT = "This session is closed: reopen it on the sessions screen with c."
CLOSED_SAVED_TEXT = "Closed session: post-it saved. Reopen it with c on the sessions screen."

ADD = Binding.Group("add", compact=True)
# Columns narrower than this (7 or 9 categories at 80 columns) lose their gaps.
NARROW_COLUMN = 12
# Fewer lines than a laptop's 24: the comment line keeps small so that cards stay in sight.
SHORT_WINDOW = 24


def _add(entry: str) -> Binding:
    """The key of one entry; `key_bindings` keeps those of the session's scale and names them."""
    return Binding(
        entry,
        f"category('{entry}')",
        f"add {entry}",
        id=f"wall.add_{entry}",
        tooltip=f"Add a post-it in category {entry}; after m, move the selected card there.",
        group=ADD,
    )


def add_tooltip(category: Category) -> str:
    """The help and palette text of a category's key."""
    symbol = f" ({visible(category.symbol)})" if category.symbol else ""
    return f"Add post-it: {visible(category.label)}{symbol}."


@dataclass(frozen=True)
class UndoStep:
    """How to take back one delete, move or edit."""

    kind: str  # "delete", "move" or "edit"
    postit_id: str
    before: str = ""  # the category key (move) or the comment (edit) before the change
    # A deleted post-it as it was: the database no longer holds its comment, so the undo
    # keeps it here, in memory, for as long as the wall is open.
    deleted: Postit | None = None


class WallScreen(Guarded, Screen[None]):
    """The post-it wall of one session, one statement at a time."""

    CSS_PATH = "wall.tcss"
    HELP_TITLE = "Keys of the wall"
    AUTO_FOCUS = ""  # no card is selected until the facilitator selects one
    # What matters most in the room first: when the key bar has no room, the last keys
    # leave it (`?` and the palette stay, and list every key).
    # Every digit is bound; a digit that is not on the session's scale is refused with a message.
    BINDINGS: ClassVar[list[BindingType]] = [
        *(_add(entry) for entry in ENTRY_KEYS),
        replace(HELP, tooltip="All the keys of the wall (F1 too)."),
        Binding(
            "n,right",
            "next_statement",
            "next",
            id="wall.next",
            key_display="n/→",
            tooltip="Show the next statement.",
        ),
        Binding(
            "p,left",
            "previous_statement",
            "prev",
            id="wall.previous",
            key_display="p/←",
            tooltip="Show the previous statement.",
        ),
        Binding("e", "edit", "edit", id="wall.edit", tooltip="Edit the selected card's comment."),
        Binding("d", "delete", "delete", id="wall.delete", tooltip="Delete the selected card (u undoes)."),
        Binding(
            "u",
            "undo",
            "undo",
            id="wall.undo",
            tooltip="Undo the last delete, move or edit; press again to go further back.",
        ),
        Binding("t", "discussion", "discussion", id="wall.discussion", tooltip="Discussion notes."),
        Binding("h", "home", "sessions", id="wall.home", tooltip="Back to the sessions."),
        Binding(
            "v",
            "participant",
            "participants",
            id="wall.participant",
            tooltip=f"Participants place their own post-it; leave with {LEAVE_PARTICIPANT_TEXT}.",
        ),
        BLANK,
        Binding(
            "c",
            "chart",
            "charts",
            id="wall.chart",
            tooltip="Charts of this statement: this session, pooled groups, cohorts, all sessions.",
        ),
        Binding(
            "x",
            "export",
            "export",
            id="wall.export",
            tooltip="Export this session: summary, Excel or REFI-QDA, into the data folder's exports.",
        ),
        Binding(
            "m",
            "move",
            "move",
            id="wall.move",
            tooltip="Move the selected card: press m, then the number of its new category (Esc cancels).",
        ),
        Binding(
            "l",
            "language",
            "language",
            id="wall.language",
            show=False,
            tooltip="Show the statement in its second language, if the set has one (again for the first).",
        ),
        Binding(
            "tab",
            "column(1)",
            "next column",
            id="wall.next_column",
            show=False,
            tooltip="Jump to the next column with cards, selecting its newest card (↓ goes card by card).",
        ),
        Binding(
            "shift+tab",
            "column(-1)",
            "previous column",
            id="wall.previous_column",
            show=False,
            tooltip="Jump to the previous column that has cards, selecting its newest card.",
        ),
        Binding(
            "down",
            "select(1)",
            "next card",
            id="wall.select_next",
            show=False,
            tooltip="Select the next card, one by one, on into the next column (Tab jumps a column).",
        ),
        Binding(
            "up",
            "select(-1)",
            "previous card",
            id="wall.select_previous",
            show=False,
            tooltip="Select the previous card, one by one (Shift+Tab jumps back a column).",
        ),
        Binding(
            "escape",
            "cancel",
            "cancel",
            id="wall.cancel",
            show=False,
            tooltip="Cancel a move, or clear the selection.",
        ),
    ]
    # The wall's own keys act in the app's turn, in the order they were typed, even when a
    # fast typist is ahead of the screen (help and the blank stay ordinary keys: while a
    # comment is typed, ? and b are letters). While the comment box has the focus they
    # stand aside, so that letters and digits go into the comment.
    BINDINGS = [
        b if not isinstance(b, Binding) or b.action.startswith("app.") else replace(b, priority=True)
        for b in BINDINGS
    ]

    def __init__(
        self, workspace: Workspace, session_id: str, statement: int = 1, *, blink: bool = True
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.session: Session = workspace.store.sessions.get(session_id)
        self.number = max(1, min(statement, len(self.session.statements)))
        self.postits: list[Postit] = []
        self.undo_steps: list[UndoStep] = []
        self.moving: str | None = None
        self.blink = blink
        self.colours = category_colours(self.session.scale)
        self.status = ""  # the feedback on the status line, until the next key
        self._told_closed = False
        self._told_over: set[int] = set()  # statements whose count was said to pass the session's
        self._lock = asyncio.Lock()
        self.second_language = False  # the header shows the statement in its second language

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="statement")
        yield StatementStrip(id="strip")
        with Horizontal(id="columns"):
            for category in self.session.scale:
                yield CategoryColumn(category, self.colours[category.key])
        yield Static(id="status")
        yield DistributionBar(id="distribution")
        yield KeyBar(key_bar_bindings(self))

    def key_bindings(self) -> list[Binding]:
        """The wall's keys: the digits of this session's scale, named after its categories."""
        return for_scale(class_bindings(type(self)), self.session.scale, add_tooltip)

    async def on_mount(self) -> None:
        self.set_class(self.session.is_closed, "-closed")
        async with self._lock:
            await self._load(self.number)
        self.say("")

    def on_screen_resume(self) -> None:
        """Back from another screen (participant mode, charts, help…): the last feedback is stale."""
        if self.status:
            self.say("")

    def on_key(self, event: events.Key) -> None:
        """Any key starts a new action: the last one's feedback goes."""
        self.new_key()

    def new_key(self) -> None:
        """Clear the last feedback. The wall's own keys act before `on_key` sees them: they call this."""
        if self.status:
            self.say("")

    def say(self, message: str, *, warning: bool = False) -> None:
        """One line of feedback above the tallies, replacing the last; the next key clears it.

        A closed session's line, when there is nothing else to say, says that it is closed.
        Errors still go to a notification, which stays until read.
        """
        self.status = message
        line = Text()
        if message:
            line.append(("⚠ " if warning else "") + message, style="bold")
        elif self.session.is_closed:
            line.append("⚠ " + CLOSED_TEXT, style="bold")
        self.query_one("#status", Static).update(Rule(line, align="left", characters="─", style="dim"))

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= 120 and event.size.height >= 40, "-large")
        self.set_class(event.size.width / len(self.session.scale) < NARROW_COLUMN, "-narrow")
        self.set_class(event.size.height < SHORT_WINDOW, "-short")

    def column(self, key: str) -> CategoryColumn:
        return self.query_one(f"#column-{key}", CategoryColumn)

    def cards(self) -> list[PostitCard]:
        """Every card on the wall, column by column (the order arrows and Tab follow)."""
        return [card for column in self.query(CategoryColumn) for card in column.card_widgets()]

    def open_box(self) -> CommentBox | None:
        """The box of the open comment line, if one is open."""
        line = self.comment_line()
        return line.box if line else None

    def comment_line(self) -> CommentLine | None:
        """The open comment line (one being closed no longer counts)."""
        lines = [line for line in self.query(CommentLine) if line.display]
        return lines[0] if lines else None

    def _close_line(self, line: CommentLine) -> None:
        """Hide the comment line at once; it is removed in the background.

        Awaiting the removal here, in the app's turn, would hold up the next keys for
        a tenth of a second: the hidden line no longer counts as open.
        """
        if self.focused is line.box:
            self.set_focus(None)
        line.display = False
        line.remove()
        self.query_one(KeyBar).show(key_bar_bindings(self))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a comment is typed, the wall's keys are letters and digits of the comment."""
        return not (action in WALL_ACTIONS and isinstance(self.focused, CommentBox))

    def _show(self, widget: Widget) -> None:
        """Give `widget` the focus now (before the next key is routed) and scroll it into view."""
        self.set_focus(widget, scroll_visible=False)
        widget.scroll_visible(animate=False)

    async def recover(self) -> None:
        """After an error, show this statement as the database has it now."""
        self.moving = None
        async with self._lock:
            await self._load(self.number)

    async def _load(self, number: int, select: str | None = None) -> None:
        """Show statement `number` from the database; select card `select` if given."""
        if number != self.number and self.status:
            self.say("")  # feedback about the last statement would mislead on this one
        self.number = number
        self.postits = self.workspace.store.postits.of(self.session.id, number)
        for category in self.session.scale:
            await self.column(category.key).show_postits(
                [p for p in self.postits if p.response_key == category.key]
            )
        self._show_header()
        self._show_totals()
        if select:
            self._select(select)

    def _show_header(self) -> None:
        """The statement, in the language chosen with l, its number and the session's label."""
        statement = self.session.statement(self.number)
        header = self.query_one("#statement", Static)
        second = self.second_language and statement.language is not None
        header.update(literal(statement.second if second else statement.text, "bold"))
        title = Text(f"statement {self.number} of {len(self.session.statements)}")
        if second and statement.language is not None:
            title += Text(" · ") + literal(statement.language.name)
        if self.session.is_closed:
            title += Text(" · session closed")
        if self.session.example:
            title = Text(f"{EXAMPLE_MARK} · ") + title
        header.border_title = title
        header.border_subtitle = literal(self.session.label)

    def _show_totals(self) -> None:
        counts = Counter(p.response_key for p in self.postits)
        for category in self.session.scale:
            self.column(category.key).show_count(counts.get(category.key, 0))
        self.query_one(DistributionBar).show(self.session.scale, counts)
        totals = self.workspace.store.postits.statement_totals(self.session.id)
        self.query_one(StatementStrip).show(self.session.statements, totals, self.number)

    def _select(self, postit_id: str) -> None:
        found = self.query(f"#{card_id(postit_id)}")
        if found:
            self._show(found.first())

    def selected(self) -> PostitCard | None:
        """The selected card, or None after telling the facilitator how to select one."""
        if isinstance(self.focused, PostitCard):
            return self.focused
        self.say("Select a card first: Tab or the up and down arrows.", warning=True)
        return None

    def _busy_with_box(self) -> bool:
        box = self.open_box()
        if box is None:
            return False
        self.set_focus(box)
        self.say("Finish the comment first: Enter saves it, Esc abandons it.", warning=True)
        return True

    # ------------------------------------------------------------ adding

    async def action_category(self, entry: str) -> None:
        """A category's entry key: add a post-it in that category (or finish a move)."""
        self.new_key()
        async with self._lock:
            category = self.session.scale.by_entry(entry)
            if category is None:
                keys = scale_entries(self.session.scale)
                self.say(f"No category {entry} on this scale: its keys are {keys}.", warning=True)
                return
            if self.moving:
                await self._finish_move(category.key)
                return
            if self._busy_with_box():
                return
            await self._open_line(CommentBox(category.key, blink=self.blink))

    async def _open_line(self, box: CommentBox) -> None:
        """Open the comment line under the columns, its box taking the keys typed next."""
        category = self.session.scale.get(box.category_key)
        line = CommentLine(box, category, self.colours[category.key])
        await self.mount(line, before=self.query_one("#status"))
        self.set_focus(box)
        self.query_one(KeyBar).show(COMMENT_LINE_KEYS)  # the wall's letters now type the comment

    async def action_save_comment(self) -> None:
        """Enter in the comment line: record the new post-it (or the edit), then show its card."""
        async with self._lock:
            line = self.comment_line()
            if line is None:
                return
            box, store = line.box, self.workspace.store
            try:
                if box.postit_id is None:
                    recorded = record_postit(store, self.session, self.number, box.category_key, box.value)
                    postit = recorded.postit
                    self.postits.append(postit)
                    card = PostitCard(postit)
                    await self.column(box.category_key).cards.mount(card)
                else:
                    change = edit_postit(store, box.postit_id, box.value)
                    before, postit = change.before, change.after
                    if before.comment != postit.comment:
                        self.undo_steps.append(UndoStep("edit", postit.id, before.comment))
                    card = self.query_one(f"#{card_id(postit.id)}", PostitCard)
                    card.show(postit)
                    self.postits = [postit if p.id == postit.id else p for p in self.postits]
            except FacilitatorError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self._close_line(line)
            card.remove_class("-editing")
            self._show(card)
            self._show_totals()
            if box.postit_id is None and self.session.is_closed and not self._told_closed:
                self._told_closed = True
                self.say(CLOSED_SAVED_TEXT, warning=True)
            if box.postit_id is None:
                self._check_count()

    def _check_count(self) -> None:
        """Say once per statement when its post-its outnumber the session's participants (never block)."""
        took_part, count = self.session.participants, len(self.postits)
        if took_part is None or count <= took_part or self.number in self._told_over:
            return
        self._told_over.add(self.number)
        self.say(f"{count} post-its on this statement; the session says {took_part} took part.")

    async def action_abandon_comment(self) -> None:
        """Esc in the comment line: nothing is saved; an edited card stays as it was."""
        async with self._lock:
            line = self.comment_line()
            if line is None:
                return
            self._close_line(line)
            if line.box.postit_id:
                card = self.query_one(f"#{card_id(line.box.postit_id)}", PostitCard)
                card.remove_class("-editing")
                self._show(card)

    # ------------------------------------------------------------ selecting

    def action_select(self, step: int) -> None:
        """Up/down: select the next or previous card, column by column."""
        self.new_key()
        cards = [c for c in self.cards() if c.display]
        if not cards:
            return
        if isinstance(self.focused, PostitCard) and self.focused in cards:
            index = max(0, min(len(cards) - 1, cards.index(self.focused) + step))
        else:
            index = 0 if step > 0 else len(cards) - 1
        self._show(cards[index])

    def action_column(self, step: int) -> None:
        """Tab / Shift+Tab: the newest card (at the bottom) of the next or previous column with cards."""
        self.new_key()
        columns = [c for c in self.query(CategoryColumn) if any(card.display for card in c.card_widgets())]
        if not columns:
            return
        here = [i for i, column in enumerate(columns) if self.focused in column.card_widgets()]
        # Past the last column, round to the first; with nothing selected, the first (or last).
        index = (here[0] + step) % len(columns) if here else (0 if step > 0 else len(columns) - 1)
        self._show([card for card in columns[index].card_widgets() if card.display][-1])

    def action_cancel(self) -> None:
        self.new_key()
        if self.moving:
            self.moving = None
            self.say("Move cancelled.")
        else:
            self.set_focus(None)

    # ------------------------------------------------------------ changing cards

    async def action_edit(self) -> None:
        self.new_key()
        async with self._lock:
            if self._busy_with_box() or (card := self.selected()) is None:
                return
            card.add_class("-editing")
            await self._open_line(
                CommentBox(
                    card.postit.response_key,
                    postit_id=card.postit.id,
                    value=card.postit.comment,
                    blink=self.blink,
                )
            )

    def action_move(self) -> None:
        self.new_key()
        if self._busy_with_box() or (card := self.selected()) is None:
            return
        self.moving = card.postit.id
        self.say(
            f"Move to which category? Press its number, {scale_entries(self.session.scale)} (Esc cancels)."
        )

    async def _finish_move(self, key: str) -> None:
        postit_id, self.moving = self.moving, None
        assert postit_id is not None
        change = move_postit(self.workspace.store, postit_id, key)
        if not change.changed:
            self.say("The card is already in that category.")
            return
        self.undo_steps.append(UndoStep("move", postit_id, change.before.response_key))
        await self._load(self.number, select=postit_id)
        self.say(f"Moved to {self.session.scale.get(key).label}: u moves it back.")

    async def action_delete(self) -> None:
        self.new_key()
        async with self._lock:
            if self._busy_with_box() or (card := self.selected()) is None:
                return
            cards = [c for c in self.cards() if c.display]
            index = cards.index(card)
            neighbour = cards[index + 1] if index + 1 < len(cards) else (cards[index - 1] if index else None)
            deleted = delete_postit(self.workspace.store, card.postit.id)
            self.undo_steps.append(UndoStep("delete", card.postit.id, deleted=deleted))
            self.postits = [p for p in self.postits if p.id != card.postit.id]
            await card.remove()
            if neighbour is not None:
                self._show(neighbour)
            self._show_totals()
            self.say("Post-it deleted: u brings it back.")

    async def action_undo(self) -> None:
        self.new_key()
        async with self._lock:
            if self._busy_with_box():
                return
            if not self.undo_steps:
                self.say("Nothing to undo.")
                return
            step = self.undo_steps.pop()
            store = self.workspace.store
            try:
                if step.deleted is not None:
                    postit = restore_postit(store, step.deleted)
                elif step.kind == "move":
                    postit = move_postit(store, step.postit_id, step.before).after
                else:
                    postit = edit_postit(store, step.postit_id, step.before).after
            except FacilitatorError as error:
                self.notify(f"Cannot undo: {error}", severity="error", markup=False)
                return
            await self._load(postit.statement_number, select=postit.id)
            self.say(f"Undid the {step.kind}.")

    # ------------------------------------------------------------ statements

    async def _go(self, step: int) -> None:
        self.new_key()
        async with self._lock:
            if self._busy_with_box():
                return
            self.moving = None
            target = self.number + step
            if not 1 <= target <= len(self.session.statements):
                self.say("That was the " + ("last" if step > 0 else "first") + " statement.")
                return
            await self._load(target)

    async def action_next_statement(self) -> None:
        await self._go(1)

    async def action_previous_statement(self) -> None:
        await self._go(-1)

    async def reload(self) -> None:
        """Read this statement again (after participants added post-its)."""
        async with self._lock:
            await self._load(self.number)

    # ------------------------------------------------------------ other screens

    def action_chart(self) -> None:
        self.new_key()
        from facilitator.ui.screens.charts import ChartsScreen

        self.app.push_screen(ChartsScreen(self.workspace, self.session.id, self.number))

    def action_export(self, fmt: str = "") -> None:
        self.new_key()
        if self._busy_with_box():
            return
        from facilitator.ui.screens.export_summary import ExportSummaryScreen

        self.app.push_screen(ExportSummaryScreen(self.workspace, self.session.id, fmt or None))

    def action_participant(self) -> None:
        self.new_key()
        if self._busy_with_box():
            return
        from facilitator.ui.screens.participant import ParticipantIntro, ParticipantScreen

        def start(go: bool | None) -> None:
            if go:
                screen = ParticipantScreen(
                    self.workspace,
                    self.session,
                    self.number,
                    LEAVE_PARTICIPANT_KEYS,
                    NEXT_PARTICIPANT_KEYS,
                    blink=self.blink,
                )
                self.app.push_screen(screen, callback=self._back_from_participants)

        self.app.push_screen(ParticipantIntro(LEAVE_KEYS_TEXT, NEXT_KEYS_TEXT), callback=start)

    async def _back_from_participants(self, number: int | None) -> None:
        """Back from participant mode: the statement it ended on, with the post-its just added."""
        async with self._lock:
            await self._load(number or self.number)

    def action_language(self) -> None:
        """Show the statement in the session's other language, or back in the first."""
        self.new_key()
        language = self.session.language
        if language is None:
            self.notify("This session's statements are in one language only.", markup=False)
            return
        self.second_language = not self.second_language
        self._show_header()

    def action_discussion(self) -> None:
        self.new_key()
        if self._busy_with_box():
            return
        from facilitator.ui.screens.discussion import DiscussionScreen

        self.app.push_screen(DiscussionScreen(self.workspace, self.session.id, blink=self.blink))

    def action_home(self) -> None:
        self.new_key()
        if self._busy_with_box():
            return
        self.dismiss(None)


# The wall's own key actions (not help or the blank), which stand aside while a comment is typed.
WALL_ACTIONS = frozenset(
    b.action.partition("(")[0] for b in class_bindings(WallScreen) if not b.action.startswith("app.")
)
