"""The wall's comment line: full width, at a fixed place under the columns.

It says which category the post-it goes in (key, symbol and label, in words as well
as colour), holds the box the comment is typed in, shows the whole comment wrapped
when the box is too narrow for it, and shows the whole identity warning. On a short
window (the wall's `-short`) the comment shows in two lines that scroll, and the warning
in one line of names, under the box only when its border has no room for them.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from facilitator.core.literal import visible
from facilitator.core.statements import Category
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK_ANYWHERE, HELP
from facilitator.ui.palette import text_on
from facilitator.ui.text import literal
from facilitator.ui.widgets.postit_card import CommentBox

# The key bar while the comment line is open: the wall's letters now type the comment.
# The box's own keys (one source of their words), where a click runs the wall's save or abandon.
_SHOWN_AS = {"enter": "Enter", "escape": "Esc"}
COMMENT_LINE_KEYS: list[Binding] = [
    *(
        replace(b, action=f"{b.action}_comment", key_display=_SHOWN_AS.get(b.key, b.key))
        for b in CommentBox.BINDINGS
        if isinstance(b, Binding)
    ),
    replace(HELP, key="f1", key_display="F1"),
    replace(BLANK_ANYWHERE, show=True),
]


def line_title(category: Category, colour: str, *, editing: bool) -> Text:
    """` 3 ? ` on the category's colour, then `Not sure · new post-it` (or `· editing`)."""
    title = Text()
    swatch = f" {category.entry} {visible(category.symbol)} ".replace("  ", " ")
    title.append(swatch, style=f"bold {text_on(colour)} on {colour}")
    title.append(f" {visible(category.label)}", style="bold")
    title.append(" · editing a post-it" if editing else " · new post-it")
    return title


class CommentLine(Guarded, Vertical):
    """The category, the comment box, the whole comment when it is long, and the warning."""

    DEFAULT_CSS = """
    CommentLine {
        height: auto;
        width: 1fr;
        padding: 0 1;
    }
    CommentLine > CommentBox {
        width: 1fr;
        margin: 0;
        border-title-align: left;
        border-subtitle-align: right;
    }
    CommentLine > .preview {
        height: auto;
        max-height: 3;
        scrollbar-size-vertical: 1;
        padding: 0 1;
        background: $boost;
    }
    CommentLine > .preview > Static {
        height: auto;
    }
    CommentLine > .warning, CommentLine > .warning-short {
        display: none;
        height: auto;
        padding: 0 1;
        color: $warning;
    }
    /* On a short window the wall shows this one line instead of the whole warning. */
    CommentLine > .warning-short {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    CommentLine > .warning.-shown {
        display: block;
    }
    """

    def __init__(self, box: CommentBox, category: Category, colour: str) -> None:
        super().__init__()
        self.box = box
        self.category = category
        box.border_title = line_title(category, colour, editing=box.postit_id is not None)

    def compose(self) -> ComposeResult:
        yield self.box
        with VerticalScroll(classes="preview"):  # a container: it scrolls once its height is capped
            yield Static(markup=False)
        yield Static(classes="warning", markup=False)
        yield Static(classes="warning-short", markup=False)

    def on_mount(self) -> None:
        self._show_whole(self.box.value)

    def on_resize(self) -> None:
        self._show_whole(self.box.value)

    @on(Input.Changed, "CommentBox")
    def _changed(self, event: Input.Changed) -> None:
        self._show_whole(event.value)

    @on(CommentBox.IdentityWarning)
    def _warned(self, event: CommentBox.IdentityWarning) -> None:
        event.stop()
        for selector, text in ((".warning", event.text), (".warning-short", event.short)):
            warning = self.query_one(selector, Static)
            warning.update(text or "")
            warning.set_class(text is not None, "-shown")
        self.set_class(event.short is not None, "-warned-below")

    def _show_whole(self, value: str) -> None:
        """Under the box, the whole comment wrapped, once the box can show only its end."""
        preview = self.query_one(".preview", VerticalScroll)
        room = self.box.content_size.width - 1  # the cursor takes a cell
        long = bool(value) and (room <= 0 or Text(visible(value)).cell_len > room)
        preview.display = long
        if long:
            preview.query_one(Static).update(literal(value))
            preview.call_after_refresh(preview.scroll_end, animate=False)  # the end, where typing goes on
