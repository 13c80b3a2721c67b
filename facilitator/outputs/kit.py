"""The printable wall kit: a statement set as one self-contained page that prints on A4.

The facilitator's pages come first (the statements, the scale with its entry keys,
the consent script and the privacy reminders), then each statement in large print
on a landscape page, then one card per scale category. Set files come from
anywhere: every value goes through the autoescaping template, its control
characters shown visibly (`render_html.environment`).
"""

from __future__ import annotations

import re

from facilitator.core.statements import StatementSet
from facilitator.outputs.render_html import environment

# The facilitator's pages: the statements and the scale, then the consent script and privacy.
FACILITATOR_PAGES = 2
# Statements this short get the largest print (characters); up to MEDIUM, the next size.
SHORT = 60
MEDIUM = 120


def size(text: str) -> str:
    """The print size of a statement's text: "short", "medium" or "" (the smallest, 48 pt)."""
    if len(text) <= SHORT:
        return "short"
    return "medium" if len(text) <= MEDIUM else ""


def paragraphs(text: str) -> list[str]:
    """A consent script or privacy reminder in its paragraphs (blank lines part them)."""
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def printed_symbol(symbol: str) -> str:
    """A category's symbol as the card prints it: a typed hyphen becomes a minus sign, which
    prints as wide as the plus beside it (a hyphen is a short dash, easy to miss on a wall)."""
    return symbol.replace("-", "\N{MINUS SIGN}")


def page_count(statement_set: StatementSet) -> int:
    """The pages the kit prints on: one per statement and per scale card, and the facilitator's."""
    return len(statement_set.statements) + len(statement_set.scale) + FACILITATOR_PAGES


def kit_html(statement_set: StatementSet) -> str:
    """The wall kit of `statement_set` as one HTML page."""
    template = environment(html=True).get_template("kit.html.j2")
    return template.render(set=statement_set, size=size, paragraphs=paragraphs, printed_symbol=printed_symbol)
