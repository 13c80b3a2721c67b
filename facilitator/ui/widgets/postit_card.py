"""A post-it on the wall, and the box in which its comment is typed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, Static

from facilitator.actions.data_folder import Workspace
from facilitator.discussion.anonymity import Anonymiser, detect
from facilitator.store import MAX_COMMENT, Postit, Session
from facilitator.ui.boundary import Guarded
from facilitator.ui.identity import fitting_warning, short_warning, warning_text
from facilitator.ui.text import literal

# Under the box while nothing is to be warned about: the placeholder goes once typing starts.
KEYS_HINT = "Enter saves · Esc abandons"


def card_text(comment: str) -> Text:
    """What a card shows: the comment exactly as written, or that it is blank."""
    if not comment.strip():
        return Text("(blank)", style="italic")
    return literal(comment, keep_newlines=True)


def card_id(postit_id: str) -> str:
    return f"postit-{postit_id}"


class PostitCard(Guarded, Static, can_focus=True):
    """One post-it: its comment, or a blank card. Focus selects it."""

    DEFAULT_CSS = """
    PostitCard {
        width: 1fr;
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
        background: $boost;
        border-left: outer $foreground 30%;
    }
    PostitCard:focus, PostitCard.-editing {
        background: $accent 30%;
        border-left: outer $accent;
        text-style: bold;
    }
    """

    def __init__(self, postit: Postit) -> None:
        super().__init__(card_text(postit.comment), id=card_id(postit.id), markup=False)
        self.postit = postit

    def show(self, postit: Postit) -> None:
        """Show a changed version of this post-it."""
        self.postit = postit
        self.update(card_text(postit.comment))


class CommentBox(Guarded, Input):
    """The box of the wall's comment line, for a new card or a card being edited.

    Enter saves (an empty comment is fine) and Escape abandons: both are priority keys
    that run the screen's `save_comment` or `abandon_comment` action in the app's own
    turn, so that keys a fast typist sends meanwhile wait, and then go where the saved
    post-it left the focus. The box first takes every key already sent to it.
    """

    DEFAULT_CSS = """
    CommentBox {
        width: 1fr;
        height: 3;
        padding: 0;
        border: tall $accent;
    }
    CommentBox.-identity-warning {
        border: tall $warning;
        border-subtitle-color: $warning;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "save",
            "save",
            id="comment.save",
            priority=True,
            tooltip="Save the post-it with this comment (an empty comment is fine).",
        ),
        Binding(
            "escape",
            "abandon",
            "abandon",
            id="comment.abandon",
            priority=True,
            tooltip="Leave this comment box without saving anything.",
        ),
    ]

    @dataclass
    class IdentityWarning(Message):
        """The full warning about the comment being typed (None: nothing to warn about).

        The box's border has room for a short warning only; the comment line shows this whole.
        """

        box: CommentBox
        text: Text | None
        # The short warning (names highlighted) when the border had no room for it, else None.
        short: Text | None = None

    def __init__(
        self, category_key: str, *, postit_id: str | None = None, value: str = "", blink: bool = True
    ) -> None:
        super().__init__(
            value=value,
            placeholder="comment (optional)",
            max_length=MAX_COMMENT,
            select_on_focus=False,
        )
        self.category_key = category_key
        self.postit_id = postit_id
        self.cursor_blink = blink
        self._anonymiser: Anonymiser | None = None
        self._warned: tuple[str | None, ...] = (None, None)  # the warnings last said, as plain text

    async def action_save(self) -> None:
        await self._settle()
        await self.screen.run_action("save_comment")

    async def action_abandon(self) -> None:
        await self._settle()
        await self.screen.run_action("abandon_comment")

    async def _settle(self) -> None:
        """Wait until this box has taken the keys already sent to it (the last letters typed)."""
        done = asyncio.Event()
        self.call_later(done.set)
        await done.wait()

    async def _on_key(self, event: events.Key) -> None:
        # Backspace is a binding, handled only after the key has travelled up to the app:
        # taken here, it keeps its place among the letters typed around it.
        if event.key == "backspace":
            event.stop()
            event.prevent_default()
            self.action_delete_left()
            return
        await super()._on_key(event)

    # Likely identifying details are warned about under the box while typing; never blocked.

    def on_mount(self) -> None:
        self._anonymiser = _session_anonymiser(self.screen)
        self._warn(self.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self:
            self._warn(event.value)

    def on_resize(self) -> None:
        self._warn(self.value)

    def _warn(self, value: str) -> None:
        findings = detect(value, self._anonymiser)
        self.set_class(bool(findings), "-identity-warning")
        # On the box's border, what fits its width; the whole warning goes to the comment line.
        width = self.size.width - 4
        fitting = fitting_warning(value, findings, width) if findings else None
        self.border_subtitle = fitting or KEYS_HINT
        full = warning_text(value, findings) if findings else None
        short = short_warning(value, findings) if findings else None
        below = short if fitting is not None and short is not None and fitting.plain != short.plain else None
        self.tooltip = full
        said = tuple(t.plain if t else None for t in (full, below))
        if said != self._warned:
            self._warned = said
            self.post_message(self.IdentityWarning(self, full, below))


def _session_anonymiser(screen: object) -> Anonymiser | None:
    """The pseudonym map of the session the screen shows (a screen with `workspace` and `session`)."""
    workspace, session = getattr(screen, "workspace", None), getattr(screen, "session", None)
    if isinstance(workspace, Workspace) and isinstance(session, Session):
        return Anonymiser.for_session(workspace.store, session.id)
    return None
