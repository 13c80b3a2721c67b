"""A post-it on the wall, and the one-line box in which its comment is typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, Static

from facilitator.actions.data_folder import Workspace
from facilitator.discussion.anonymity import Anonymiser, detect
from facilitator.store import MAX_COMMENT, Postit, Session
from facilitator.ui.boundary import Guarded
from facilitator.ui.identity import fitting_warning, warning_text
from facilitator.ui.text import literal


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
    PostitCard:focus {
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
    """The one-line comment box of a new card, or of a card being edited.

    Enter saves (an empty comment is fine): the screen handles `Input.Submitted`.
    Escape abandons: it posts `CommentBox.Abandoned`.
    """

    DEFAULT_CSS = """
    CommentBox {
        width: 1fr;
        height: 3;
        padding: 0;
        margin-bottom: 1;
        border: tall $accent;
    }
    CommentBox.-identity-warning {
        border: tall $warning;
        border-subtitle-color: $warning;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "abandon",
            "Abandon",
            id="comment.abandon",
            tooltip="Leave this comment box without saving anything.",
        ),
    ]

    @dataclass
    class Abandoned(Message):
        box: CommentBox

    @dataclass
    class IdentityWarning(Message):
        """The full warning about the comment being typed (None: nothing to warn about).

        The box is narrow on the wall, so the screen shows this text somewhere wide.
        """

        box: CommentBox
        text: Text | None

    def __init__(
        self, category_key: str, *, postit_id: str | None = None, value: str = "", blink: bool = True
    ) -> None:
        super().__init__(
            value=value,
            placeholder="comment (optional), Enter saves, Esc abandons",
            max_length=MAX_COMMENT,
            select_on_focus=False,
        )
        self.category_key = category_key
        self.postit_id = postit_id
        self.cursor_blink = blink
        self._anonymiser: Anonymiser | None = None
        self._warned: Text | None = None

    def action_abandon(self) -> None:
        self.post_message(self.Abandoned(self))

    # Likely identifying details are warned about under the box while typing; never blocked.

    def on_mount(self) -> None:
        self._anonymiser = _session_anonymiser(self.screen)
        self._warn(self.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self:
            self._warn(event.value)

    def on_resize(self) -> None:
        self._warn(self.value)

    def on_unmount(self) -> None:
        if self._warned is not None:
            self.screen.post_message(self.IdentityWarning(self, None))

    def _warn(self, value: str) -> None:
        findings = detect(value, self._anonymiser)
        self.set_class(bool(findings), "-identity-warning")
        # Under the box, what fits its width; the whole warning goes to the screen.
        self.border_subtitle = fitting_warning(value, findings, self.size.width - 4) if findings else None
        full = warning_text(value, findings) if findings else None
        self.tooltip = full
        if (full.plain if full else None) != (self._warned.plain if self._warned else None):
            self._warned = full
            self.post_message(self.IdentityWarning(self, full))


def _session_anonymiser(screen: object) -> Anonymiser | None:
    """The pseudonym map of the session the screen shows (a screen with `workspace` and `session`)."""
    workspace, session = getattr(screen, "workspace", None), getattr(screen, "session", None)
    if isinstance(workspace, Workspace) and isinstance(session, Session):
        return Anonymiser.for_session(workspace.store, session.id)
    return None
