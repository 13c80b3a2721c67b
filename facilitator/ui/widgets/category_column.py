"""One column of the wall: a response category's heading, its count and its cards."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from facilitator.core.statements import Category
from facilitator.store import Postit
from facilitator.ui.boundary import Guarded
from facilitator.ui.palette import text_on
from facilitator.ui.widgets.postit_card import PostitCard


class CardList(Guarded, VerticalScroll, inherit_bindings=False, can_focus=False):
    """The scrolling list of cards; the wall's own keys (arrows) select cards instead of scrolling."""

    DEFAULT_CSS = """
    CardList {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    """


def heading_text(category: Category, colour: str, width: int = 0) -> Text:
    """The entry key and symbol on a colour swatch, then the label on one line.

    A narrow column (7 or 9 on a laptop) shows the short label, cut with … if even
    that is too long: the swatch above still carries the key and the symbol.
    """
    text = Text()
    swatch = f" {category.entry} {category.symbol} ".replace("  ", " ")
    text.append(swatch, style=f"bold {text_on(colour)} on {colour}")
    text.append("\n")
    label = category.label
    if width and len(label) > width:
        label = category.short if len(category.short) <= width else category.short[: max(width - 1, 1)] + "…"
    text.append(label, style="bold")
    return text


def count_text(count: int, width: int = 0) -> str:
    """`2 post-its`, or only `2` in a column too narrow for the word."""
    words = f"{count} post-it{'' if count == 1 else 's'}"
    return words if not width or len(words) <= width else str(count)


class CategoryColumn(Guarded, Vertical):
    """Heading (entry key, symbol, label), the number of post-its, then the cards."""

    DEFAULT_CSS = """
    CategoryColumn {
        width: 1fr;
        height: 1fr;
        padding: 0 1 0 0;
    }
    CategoryColumn > .heading {
        height: auto;
        min-height: 2;
    }
    CategoryColumn > .count {
        height: 1;
        color: $text-muted;
    }
    """

    def __init__(self, category: Category, colour: str) -> None:
        super().__init__(id=f"column-{category.key}")
        self.category = category
        self.colour = colour
        self.count = 0
        self.width_for_count = 0  # known once laid out

    def compose(self) -> ComposeResult:
        yield Static(heading_text(self.category, self.colour), classes="heading")
        yield Static(classes="count")
        yield CardList()

    def on_resize(self, event: events.Resize) -> None:
        heading = self.query_one(".heading", Static)
        # One cell stays free, so that neighbouring headings never touch.
        heading.update(heading_text(self.category, self.colour, event.size.width - 1))
        self.width_for_count = event.size.width - 1
        self.show_count(self.count)

    @property
    def cards(self) -> CardList:
        return self.query_one(CardList)

    def card_widgets(self) -> list[PostitCard]:
        return list(self.cards.query(PostitCard))

    def show_count(self, count: int) -> None:
        self.count = count
        self.query_one(".count", Static).update(count_text(count, self.width_for_count))

    async def show_postits(self, postits: Sequence[Postit]) -> None:
        """Replace the cards with these post-its, in the order they were placed."""
        await self.cards.remove_children()
        await self.cards.mount_all([PostitCard(p) for p in postits])
        self.show_count(len(postits))
