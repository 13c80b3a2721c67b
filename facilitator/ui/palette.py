"""Colours for the response categories: colour-blind-safe (Okabe-Ito), never alone.

Every place that uses these colours also shows the category's number, symbol
or label, so nothing depends on colour.
"""

from __future__ import annotations

from facilitator.core.statements import Scale

# Agree end to disagree end; the neutral category is grey.
_AGREE = ("#0072B2", "#56B4E9")
_DISAGREE = ("#E69F00", "#D55E00")
_NEUTRAL = "#999999"


def category_colours(scale: Scale) -> dict[str, str]:
    """A background colour per category key, agree side blue, disagree side orange."""
    categories = list(scale)
    neutral = [i for i, c in enumerate(categories) if c.neutral]
    middle = neutral[0] if neutral else len(categories) / 2
    colours: dict[str, str] = {}
    for index, category in enumerate(categories):
        if category.neutral:
            colours[category.key] = _NEUTRAL
        elif index < middle:
            side = [i for i in range(len(categories)) if i < middle]
            colours[category.key] = _AGREE[0 if index == side[0] or len(side) == 1 else 1]
        else:
            side = [i for i in range(len(categories)) if i > middle]
            colours[category.key] = _DISAGREE[1 if index == side[-1] and len(side) > 1 else 0]
    return colours


def text_on(background: str) -> str:
    """Black or white, whichever reads better on `background` (#RRGGBB)."""
    red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if (0.299 * red + 0.587 * green + 0.114 * blue) > 140 else "#FFFFFF"
