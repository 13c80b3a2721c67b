"""A strip listing every statement with its count, so empty walls stand out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import Static

from facilitator.core.statements import Statement
from facilitator.ui.boundary import Guarded


def strip_text(statements: Sequence[Statement], totals: Mapping[int, int], current: int) -> Text:
    """`Statements: [1: 12]  2: 0 empty  3: 5 ...`: the current one bracketed and reversed."""
    text = Text("Statements: ")
    for statement in statements:
        n = totals.get(statement.number, 0)
        label = f"{statement.number}: {n}" + (" empty" if not n else "")
        if statement.number == current:
            text.append(f"[{label}]", style="reverse bold")
        else:
            text.append(f" {label} ", style="" if n else "italic")
        text.append("  ")
    return text


class StatementStrip(Guarded, Static):
    """Every statement's count; the current statement is bracketed."""

    DEFAULT_CSS = """
    StatementStrip {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def show(self, statements: Sequence[Statement], totals: Mapping[int, int], current: int) -> None:
        self.update(strip_text(statements, totals, current))
