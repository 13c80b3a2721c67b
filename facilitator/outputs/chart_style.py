"""How exported charts look in print: the palette, the hatching, the sizes and the fonts.

A printed report is often photocopied in black and white, so each category has its
own grey (lightness steps from dark at the strong ends to light in the middle) and
the disagree side is hatched as well. The hues come from the Okabe-Ito palette
(blue for agree, vermillion for disagree), which colour-blind readers tell apart.
The terminal and the wall keep their own colours (`exercise.charts.category_colours`).

Sizes are chosen for an image placed 1:1 at A4 text-column width (16 cm), so no
text is smaller than 9 pt on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from facilitator.core.statements import Scale
from facilitator.exercise.charts import distance

# Bump when the look of a drawn chart changes, so cached files are drawn again.
STYLE_VERSION = 3

COLUMN_WIDTH_IN = 16 / 2.54  # A4 with 2.5 cm margins
FIGURE_WIDTH_IN = COLUMN_WIDTH_IN  # 1:1 on the page (the comparison charts)
# A group's bar chart is drawn narrower, 1:1 where the printed HTML page sets it beside its
# counts table; a Word document places it at column width, larger still.
BAR_WIDTH_IN = 11.5 / 2.54
BAR_HEIGHT_IN = 2.5
SMALLEST_PT = 9.0
TEXT_PT = 10.0
TITLE_PT = 11.0
LABEL_PT = 9.0  # ticks, bar labels, legend
EDGE = "#333333"

# Okabe-Ito blue and vermillion; lightened or darkened to each category's grey.
AGREE_HUE = "#0072B2"
DISAGREE_HUE = "#D55E00"
NEUTRAL_HUE = "#808080"
DARKEST, LIGHTEST = 55.0, 232.0
# The disagree side is hatched; the strongest disagreement cross-hatched.
HATCHES = ("//", "xx", "\\\\", "++")

RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "facilitator",
    # Drawn with DejaVu Sans (shipped with matplotlib, so the layout is the same everywhere);
    # the SVG names the others and ends in the generic family for readers without it.
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans", "Helvetica"],
    "font.size": TEXT_PT,
    "axes.titlesize": TITLE_PT,
    "axes.labelsize": TEXT_PT,
    "xtick.labelsize": LABEL_PT,
    "ytick.labelsize": LABEL_PT,
    "legend.fontsize": LABEL_PT,
    "hatch.linewidth": 0.8,
    "hatch.color": EDGE,
}


@dataclass(frozen=True)
class BarStyle:
    """How one category's bars are filled: a colour and a hatch pattern ("" for plain)."""

    colour: str
    hatch: str


def luma(colour: str) -> float:
    """The grey (0-255) a colour prints as (ITU-R 601, as a greyscale conversion makes it)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def _towards(hue: str, target: float) -> str:
    """`hue` mixed with white or black until it prints as the grey `target`."""
    rgb = [int(hue[i : i + 2], 16) for i in (1, 3, 5)]
    own = luma(hue)
    if target >= own:
        share = (target - own) / (255 - own)
        mixed = [c + share * (255 - c) for c in rgb]
    else:
        mixed = [c * target / own for c in rgb]
    return "#" + "".join(f"{round(c):02X}" for c in mixed)


def print_style(scale: Scale) -> list[BarStyle]:
    """One bar style per category, in scale order, distinct in colour, in grey and by hatching.

    Greys are spread evenly from dark to light: the strongest categories darkest (agree
    before disagree at the same distance), the neutral one lightest.
    """
    distances = [distance(scale, index) for index in range(len(scale))]
    by_lightness = sorted(range(len(scale)), key=lambda i: (-abs(distances[i]), distances[i] > 0))
    steps = max(1, len(scale) - 1)
    grey = {index: DARKEST + rank * (LIGHTEST - DARKEST) / steps for rank, index in enumerate(by_lightness)}
    styles = []
    for index, d in enumerate(distances):
        if d == 0:
            styles.append(BarStyle(_towards(NEUTRAL_HUE, grey[index]), ""))
        elif d < 0:
            styles.append(BarStyle(_towards(AGREE_HUE, grey[index]), ""))
        else:
            hatch = HATCHES[min(int(abs(d) + 0.5), len(HATCHES)) - 1]
            styles.append(BarStyle(_towards(DISAGREE_HUE, grey[index]), hatch))
    return styles
