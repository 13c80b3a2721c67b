"""Self-contained HTML pages (summary and report): escaping, print styles, chart figures.

Pages load nothing from the network and print on A4. Every piece of recorded text
(comments, labels, statements) goes through `text()`, so HTML in it shows as text.
"""

from __future__ import annotations

import html

from facilitator.core.literal import visible
from facilitator.exercise.charts import Chart, percent_text
from facilitator.outputs.findings import Discussion, Said

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #111; background: #fff;
       max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #0072B2; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
h4 { font-size: 1rem; margin: .8rem 0 .3rem; }
figure { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
/* The chart draws its own title as text; the caption is for screen readers. */
figcaption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
table { border-collapse: collapse; margin: .5rem 0; break-inside: avoid; }
th, td { border: 1px solid #999; padding: .2rem .5rem; text-align: left; vertical-align: top; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
.comment { white-space: pre-wrap; overflow-wrap: anywhere; }
.source { color: #444; font-size: .9em; }
.note { color: #333; font-size: .9em; }
ul.comments { padding-left: 1.2rem; }
ul.comments li { margin: .15rem 0; break-inside: avoid; }
.point { margin: .4rem 0; }
blockquote.quote { margin: .6rem 0 .6rem .2rem; padding: .1rem 0 .1rem .8rem; border-left: 4px solid #0072B2;
                   break-inside: avoid; }
blockquote.quote p { margin: .2rem 0; }
.descriptor { color: #333; }
section.case-study { margin: .8rem 0; padding: .3rem .8rem; border: 1px solid #999; break-inside: avoid; }
section.case-study h4 { margin-top: .3rem; }
.also { color: #444; font-size: .9em; margin: .1rem 0 .5rem; }
section.receipt { break-inside: avoid; }
section.receipt img { width: 45mm; height: auto; image-rendering: pixelated; }
.receipt-text { font-family: "DejaVu Sans Mono", monospace; font-size: .8em; overflow-wrap: anywhere; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  h3, h4 { break-after: avoid; }
  .appendix { break-before: page; }
  figure svg { max-height: 120mm; }
}
"""


def text(value: object) -> str:
    """Recorded text made safe for HTML: markup escaped, control characters made visible."""
    return html.escape(visible(str(value), multiline=True), quote=True)


def page_start(title: str) -> str:
    """The head of a self-contained page (inline styles, no scripts, no links out)."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{text(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    )


PAGE_END = "</body>\n</html>\n"


def counts_table(chart: Chart) -> str:
    """A chart's counts and percentages as a small table (what a screen reader reads)."""
    rows = "".join(
        f'<tr><td>{text(category.label)}</td><td class="number">{count}</td>'
        f'<td class="number">{percent_text(count, chart.n)}</td></tr>'
        for category, count in zip(chart.scale, chart.counts, strict=True)
    )
    return (
        '<table class="counts"><thead><tr><th>Response</th><th class="number">Post-its</th>'
        f'<th class="number">%</th></tr></thead><tbody>{rows}</tbody>'
        f'<tfoot><tr><th>Total (n)</th><th class="number">{chart.n}</th><th></th></tr></tfoot></table>\n'
    )


def chart_figure(chart: Chart, svg_markup: str, *, with_table: bool = True) -> str:
    """A chart as a figure: its exact title as caption, the inline SVG, then its counts."""
    label = text(chart.title)
    svg = svg_markup.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    table = counts_table(chart) if with_table else ""
    return f"<figure>\n<figcaption>{label}</figcaption>\n{svg}\n{table}</figure>\n"


def comment_item(comment: str, source: str = "") -> str:
    """One comment as a list item, with where it came from (a group, a participant code)."""
    where = f' <span class="source">({text(source)})</span>' if source else ""
    return f'<li><span class="comment">{text(comment)}</span>{where}</li>\n'


def _said_item(said: Said, names: dict[str, str], home: str | None) -> str:
    others = [names[k] for k in said.themes if k != home and k in names]
    also = f'<p class="also">Also: {text(", ".join(others))}</p>\n' if others else ""
    body = f'<p class="comment">{text(said.text)}</p>\n'
    if said.kind == "quote":
        who = f'<p class="descriptor">({text(said.descriptor)})</p>\n' if said.descriptor else ""
        return f'<blockquote class="quote">\n{body}{who}{also}</blockquote>\n'
    if said.kind == "case_study":
        return f'<section class="case-study">\n<h4>Case study</h4>\n{body}{also}</section>\n'
    return f'<div class="point">{body}{also}</div>\n'


def discussion_section(discussion: Discussion, *, with_sessions: bool) -> str:
    """The discussion as the report shows it: themes ranked, then what was said under each.

    `with_sessions` adds the number of sessions that raised each theme (a report
    over several sessions; in one session's summary it is always 1).
    """
    parts = ["<h2>Discussion</h2>\n"]
    if discussion.is_empty:
        return parts[0] + '<p class="note">No discussion notes were recorded.</p>\n'
    names = discussion.names
    if discussion.themes:
        parts.append("<p>Themes raised, in order of frequency of occurrence:</p>\n")
        head = '<th class="number">Rank</th><th>Theme</th>'
        head += '<th class="number">Sessions</th>' if with_sessions else ""
        head += '<th class="number">Notes</th>'
        rows = "".join(
            f'<tr><td class="number">{t.rank}</td><td>{text(t.name)}</td>'
            + (f'<td class="number">{t.sessions}</td>' if with_sessions else "")
            + f'<td class="number">{t.notes}</td></tr>'
            for t in discussion.themes
        )
        parts.append(f'<table class="themes"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>\n')
    for theme, said in discussion.by_theme:
        parts.append(f"<h3>{theme.rank}. {text(theme.name)}</h3>\n")
        parts += [_said_item(item, names, theme.key) for item in said]
        if above := discussion.listed_above(theme, len(said)):
            parts.append(f'<p class="note">{text(above)}</p>\n')
    if discussion.untagged:
        parts.append("<h3>Not tagged with a theme</h3>\n")
        parts += [_said_item(item, names, None) for item in discussion.untagged]
    return "".join(parts)
