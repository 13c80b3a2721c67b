"""The consultation report: one `report.html` with its chart files, as the report frames it.

It holds the participant totals (from each session's roster when it has one) and
how many asked for a one-to-one interview, Figures 1..N, a cohort comparison per
statement, every comment by statement and response, the discussion's themes in
order of frequency with their notes, quotes and case studies, and "Appendix 1:
Responses to statement exercises" with every group's chart in appendix order.
Every comment and note passes through its own session's pseudonym map
(`Anonymiser.per_session`). The page is written as it is built, and comments are
streamed from the store, so memory does not grow with the number of post-its.
scipy and matplotlib are imported only when needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from facilitator.core.files import open_private, staged_dir
from facilitator.core.statements import Statement
from facilitator.discussion.anonymity import Anonymiser
from facilitator.exercise.charts import Chart, Counts, Selection, appendix_charts, figure_charts
from facilitator.outputs import findings, htmlpage
from facilitator.store import Store

APPENDIX_TITLE = "Appendix 1: Responses to statement exercises"
# Below this many responses in a cohort, p-values come from permutations of the
# responses themselves (exact when there are few arrangements), not from a
# large-sample approximation that small, heavily tied samples do not meet.
SMALL_SAMPLE = 20
RESAMPLES = 9999
SIGNIFICANCE = 0.05

Draw = Callable[[Chart, int, Path, Sequence[str]], tuple[dict[str, Any], bytes | None]]


# ---------------------------------------------------------------- cohort comparison


@dataclass(frozen=True)
class Comparison:
    """A rank test of whether cohorts answered one statement differently."""

    statement: Statement
    cohorts: tuple[tuple[str, int, str], ...]  # label, n, median response
    test: str | None
    statistic: float | None
    p_value: float | None
    method: str
    sentence: str


def _median_label(chart: Chart) -> str:
    if not chart.n:
        return "—"
    half, running = (chart.n + 1) / 2, 0
    for category, count in zip(chart.scale, chart.counts, strict=True):
        running += count
        if running >= half:
            return str(category.label)
    return "—"  # pragma: no cover - the counts add up to n


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _names(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def compare_cohorts(statement: Statement, charts: Sequence[Chart]) -> Comparison:
    """Compare the cohorts' responses to one statement (one chart per cohort).

    Two cohorts: Mann-Whitney U; more: Kruskal-Wallis H. Both use only the order
    of the responses (strongly agree … strongly disagree), which is all they mean.
    Degenerate cases (one cohort, a cohort with no responses, every response the
    same) are said in words instead of tested.
    """
    cohorts = tuple((c.group.label, c.n, _median_label(c)) for c in charts)
    counted = [c for c in charts if c.n]
    empty = [c.group.label for c in charts if not c.n]

    def untested(sentence: str) -> Comparison:
        return Comparison(statement, cohorts, None, None, None, "", sentence)

    if len(charts) < 2:
        only = charts[0].group.label if charts else "none"
        return untested(f"Only one cohort ({only}) answered, so there is nothing to compare.")
    if len(counted) < 2:
        return untested(f"Not compared: {_names(empty)} gave no responses to this statement.")
    note = ""
    if empty:
        note = f" ({_names(empty)} gave no responses and {'is' if len(empty) == 1 else 'are'} left out.)"
    values = {i for c in counted for i, n in enumerate(c.counts) if n}
    if len(values) == 1:
        label = counted[0].scale.categories[values.pop()].label
        return untested(
            f"Every response was '{label}' in every cohort: there is no difference to test.{note}"
        )

    import numpy as np
    from scipy import stats

    samples = [np.repeat(np.arange(1, len(c.counts) + 1), c.counts) for c in counted]
    small = min(len(s) for s in samples) < SMALL_SAMPLE
    arrangements = math.factorial(sum(len(s) for s in samples))
    for s in samples:
        arrangements //= math.factorial(len(s))
    method = "normal approximation"
    if small:
        method = "exact permutation" if arrangements <= RESAMPLES else f"permutation, {RESAMPLES:,} resamples"
    rng = np.random.default_rng(0)
    if len(samples) == 2:
        test = "Mann-Whitney U"
        if small:
            result = stats.mannwhitneyu(
                samples[0], samples[1], method=stats.PermutationMethod(n_resamples=RESAMPLES, rng=rng)
            )
        else:
            result = stats.mannwhitneyu(samples[0], samples[1], method="asymptotic")
        statistic, p = float(result.statistic), float(result.pvalue)
    else:
        test = "Kruskal-Wallis H"
        statistic = float(stats.kruskal(*samples).statistic)
        if small:

            def h(*groups: Any, axis: int) -> Any:
                return stats.kruskal(*groups, axis=axis).statistic

            p = float(
                stats.permutation_test(
                    samples, h, n_resamples=RESAMPLES, alternative="greater", vectorized=True, rng=rng
                ).pvalue
            )
        else:
            p = float(stats.kruskal(*samples).pvalue)
            method = "chi-squared approximation"
    described = _names([f"{c.group.label} (n = {c.n})" for c in counted])
    figures = f"{test} = {statistic:.1f}, {_p_text(p)}, {method}"
    means = sorted((float(s.mean()), c.group.label) for s, c in zip(samples, counted, strict=True))
    if p < SIGNIFICANCE:
        sentence = (
            f"The cohorts answered differently: {described} ({figures}). "
            f"{means[0][1].capitalize()} leaned most towards agreeing, {means[-1][1]} least."
        )
    else:
        caveat = "With samples this small, this" if small else "This"
        sentence = (
            f"No clear difference between {described} ({figures}). {caveat} does not show that they "
            "agree, only that these responses cannot tell them apart."
        )
    return Comparison(statement, cohorts, test, statistic, p, method, sentence + note)


def cohort_comparisons(counts: Counts, selection: Selection) -> list[Comparison]:
    """One comparison per statement, in set order, between the selection's cohorts."""
    cohorts = selection.cohorts()
    return [
        compare_cohorts(statement, [counts.chart(group, statement, selection.scale) for group in cohorts])
        for statement in selection.statements
    ]


# ---------------------------------------------------------------- the page


def _svg_for(chart: Chart, drawn: bytes | None, prefix: str) -> str:
    from facilitator.outputs.chart_files import render, svg_inline

    return svg_inline(drawn if drawn is not None else render(chart, "svg"), prefix)


def _genders(count: findings.Headcount) -> str:
    words = [f"{count.male} male", f"{count.female} female"]
    words += [f"{count.other} other"] if count.other else []
    words += [f"{count.not_given} not recorded"] if count.not_given else []
    return ", ".join(words)


def _sessions_table(selection: Selection, counts: dict[str, findings.Headcount]) -> str:
    group_of = {s.id: g.label for g in selection.groups for s in g.sessions}
    rows = []
    for s in selection.sessions:
        count = counts[s.id]
        people = "—" if not count.recorded else f"{count.total} ({_genders(count)})"
        cells = [group_of[s.id], s.label, s.cohort, s.setting, s.date, people]
        rows.append("<tr>" + "".join(f"<td>{htmlpage.text(c)}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>" for h in ("Chart group", "Session", "Cohort", "Setting", "Date", "Participants")
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>\n"


def _comparison_section(comparisons: Sequence[Comparison]) -> str:
    parts = [
        "<h2>Cohort comparison</h2>\n",
        '<p>The original report did not separate the cohorts in its charts "as there was little '
        'variance in the responses given". Here that is tested for each statement with a rank test '
        "suited to ordered responses and small samples: Mann-Whitney U for two cohorts, Kruskal-Wallis H "
        "for more. A p-value below 0.05 is read as a difference.</p>\n",
    ]
    for c in comparisons:
        parts.append(f"<h3>Statement {c.statement.number}: {htmlpage.text(c.statement.text)}</h3>\n")
        rows = "".join(
            f'<tr><td>{htmlpage.text(label)}</td><td class="number">{n}</td>'
            f"<td>{htmlpage.text(median)}</td></tr>"
            for label, n, median in c.cohorts
        )
        parts.append(
            '<table><thead><tr><th>Cohort</th><th class="number">n</th><th>Median response</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>\n"
        )
        parts.append(f"<p>{htmlpage.text(c.sentence)}</p>\n")
    return "".join(parts)


def _write_comments(
    page: TextIO, store: Store, selection: Selection, anonymisers: dict[str, Anonymiser]
) -> None:
    """Every comment, by statement and response, streamed from the store as it is written.

    Each comment passes through its own session's anonymiser.
    """
    group_of = {s.id: g.label for g in selection.groups for s in g.sessions}
    statements = {s.number: s for s in selection.statements}
    labels = {c.key: c.label for c in selection.scale}
    page.write("<h2>Comments by statement and response</h2>\n")
    current: tuple[int, str] | None = None
    seen_statements: set[int] = set()
    # Within a response, comments follow the appendix: group by group, in the order they met.
    in_appendix_order = [s.id for g in selection.groups for s in g.sessions]
    for postit in store.postits.iter_comments(in_appendix_order, selection.scale.keys):
        here = (postit.statement_number, postit.response_key)
        if here != current:
            if current is not None:
                page.write("</ul>\n")
            if postit.statement_number not in seen_statements:
                seen_statements.add(postit.statement_number)
                statement = statements[postit.statement_number]
                page.write(f"<h3>Statement {statement.number}: {htmlpage.text(statement.text)}</h3>\n")
            page.write(f'<h4>{htmlpage.text(labels[postit.response_key])}</h4>\n<ul class="comments">\n')
            current = here
        anonymise = anonymisers[postit.session_id]
        page.write(htmlpage.comment_item(anonymise(postit.comment), group_of[postit.session_id]))
    if current is None:
        page.write('<p class="note">No comments were recorded.</p>\n')
    else:
        page.write("</ul>\n")


def write_report(
    store: Store,
    selection: Selection,
    out: Path,
    formats: Sequence[str],
    *,
    draw: Draw | None = None,
) -> list[dict[str, Any]]:
    """Write `report.html`, every chart file and `index.json` into `out`; all or nothing.

    `draw` writes one chart's files (default: matplotlib, `chart_files.write_chart`).
    """
    from facilitator.outputs import chart_files

    draw = draw or chart_files.write_chart
    counts = Counts(store, selection.sessions)
    in_appendix_order = [s for g in selection.groups for s in g.sessions]
    anonymisers = Anonymiser.per_session(store, [s.id for s in in_appendix_order])
    heads = {s.id: findings.headcount(store, s) for s in selection.sessions}
    said = findings.sessions_discussion(store, in_appendix_order, anonymisers)
    entries: list[dict[str, Any]] = []
    with staged_dir(out, last=["index.json", "report.html"]) as staging:
        with open_private(staging / "report.html") as page:
            page.write(htmlpage.page_start(selection.title))
            page.write(f"<h1>{htmlpage.text(selection.title)}</h1>\n")
            headcounts = list(heads.values())
            page.write(f"<p>{htmlpage.text(findings.participants_sentence(headcounts))}</p>\n")
            page.write(f"<p>{htmlpage.text(findings.interview_sentence(headcounts))}</p>\n")
            page.write(_sessions_table(selection, heads))
            page.write("<h2>Statement exercise findings</h2>\n")
            for chart in figure_charts(counts, selection):
                entry, svg = draw(chart, 0, staging, formats)
                entries.append(entry)
                page.write(htmlpage.chart_figure(chart, _svg_for(chart, svg, f"f{chart.figure}")))
            page.write(_comparison_section(cohort_comparisons(counts, selection)))
            _write_comments(page, store, selection, anonymisers)
            page.write(htmlpage.discussion_section(said, with_sessions=True))
            page.write(f'<h2 class="appendix">{htmlpage.text(APPENDIX_TITLE)}</h2>\n')
            positions = {id(group): index for index, group in enumerate(selection.groups, start=1)}
            for number, chart in enumerate(appendix_charts(counts, selection), start=1):
                entry, svg = draw(chart, positions[id(chart.group)], staging, formats)
                entries.append(entry)
                page.write(htmlpage.chart_figure(chart, _svg_for(chart, svg, f"a{number}")))
            page.write(htmlpage.PAGE_END)
        chart_files.write_index(staging / "index.json", entries, selection.scale.keys)
    return entries
