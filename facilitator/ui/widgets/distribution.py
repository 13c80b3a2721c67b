"""The live distribution bar under the wall: counts and percentages per category."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual.widgets import Static

from facilitator.core.percent import whole_percent
from facilitator.core.statements import Scale
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import scale_entries
from facilitator.ui.palette import category_colours, text_on


def percentages(counts: Mapping[str, int], keys: list[str]) -> dict[str, int]:
    """Whole percentages as everywhere else (`facilitator.core.percent`): equal counts, equal shares.

    They may not add up to exactly 100; all 0 with no post-its.
    """
    total = sum(counts.get(k, 0) for k in keys)
    return {k: whole_percent(counts.get(k, 0), total) for k in keys}


def widths(counts: Mapping[str, int], keys: list[str], width: int) -> dict[str, int]:
    """Cells per category for a bar `width` cells wide (largest remainders)."""
    total = sum(counts.get(k, 0) for k in keys)
    if not total:
        return dict.fromkeys(keys, 0)
    exact = {k: counts.get(k, 0) * width / total for k in keys}
    result = {k: int(v) for k, v in exact.items()}
    for key in sorted(keys, key=lambda k: exact[k] - result[k], reverse=True)[: width - sum(result.values())]:
        result[key] += 1
    return result


class Distribution:
    """A Rich renderable: one stacked bar, then each category's count and percentage."""

    def __init__(self, scale: Scale, counts: Mapping[str, int]) -> None:
        self.scale = scale
        self.counts = dict(counts)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width, 10)
        keys = self.scale.keys
        total = sum(self.counts.get(k, 0) for k in keys)
        if not total:
            entries = scale_entries(self.scale)
            yield Text(f"No post-its on this statement yet: press {entries} to add one.", style="italic")
            return
        colours = category_colours(self.scale)
        cells = widths(self.counts, keys, width)
        percent = percentages(self.counts, keys)
        bar = Text()
        for category in self.scale:
            n = cells[category.key]
            if not n:
                continue
            mark = f"{category.symbol} {self.counts.get(category.key, 0)}"
            if len(mark) > n:
                mark = category.entry if n >= 1 else ""
            colour = colours[category.key]
            bar.append(mark.center(n)[:n], style=f"bold {text_on(colour)} on {colour}")
        yield bar
        yield self._legend(width, total, percent)

    def _legend(self, width: int, total: int, percent: Mapping[str, int]) -> Text:
        """Each category's count and percentage, as wordy as the width allows."""
        styles = [
            ("{entry} {symbol} {label}: {n} ({pct}%)", "   ", "   total {total}"),
            ("{entry} {symbol}: {n} ({pct}%)", "   ", "   total {total}"),
            ("{entry} {symbol}: {n} ({pct}%)", "  ", "  ={total}"),
            ("{entry}: {n} {pct}%", " ", " ={total}"),
            # Nine categories at 80 columns: counts only (the bar above shows the shares).
            ("{entry}: {n}", "  ", "  ={total}"),
        ]
        for piece, separator, ending in styles:
            legend = Text()
            for category in self.scale:
                n = self.counts.get(category.key, 0)
                if legend:
                    legend.append(separator)
                fields = {"entry": category.entry, "symbol": category.symbol, "label": category.label}
                legend.append(
                    piece.format(n=n, pct=percent[category.key], **fields), style="bold" if n else ""
                )
            legend.append(ending.format(total=total))
            if legend.cell_len <= width:
                break
        return legend


class DistributionBar(Guarded, Static):
    """Shows a `Distribution` and redraws it when the counts change."""

    DEFAULT_CSS = """
    DistributionBar {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, scale: Scale, counts: Mapping[str, int]) -> None:
        self.update(Distribution(scale, counts))
