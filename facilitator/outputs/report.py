"""The consultation report, as the report frames it: `report.html` or `report.docx` with its chart files.

It holds the participant totals (from each session's roster when it has one) and
how many asked for a one-to-one interview, Figures 1..N, a cohort comparison per
statement, every comment by statement and response, the discussion's themes in
order of frequency with their notes, quotes and case studies, and "Appendix 1:
Responses to statement exercises" with every group's chart in appendix order.
Every comment and note passes through its own session's pseudonym map
(`Anonymiser.per_session`). The report is a `Document` (`report_document`); its
comments are streamed from the store as it is rendered, so memory does not grow
with the number of post-its.
scipy and matplotlib are imported only when needed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from facilitator.core.errors import FacilitatorError
from facilitator.core.example import EXAMPLE_LINE, EXAMPLE_MARK
from facilitator.core.files import open_private, staged_dir
from facilitator.core.statements import Statement
from facilitator.discussion.anonymity import Anonymiser
from facilitator.exercise.charts import (
    Chart,
    Counts,
    Diverging,
    Selection,
    n_text,
    percent_text,
)
from facilitator.outputs import findings
from facilitator.outputs.chart_files import chart_jobs
from facilitator.outputs.document import (
    Block,
    Bullets,
    CaseStudy,
    Comment,
    Comments,
    Cover,
    Document,
    Figure,
    Paragraph,
    Placeholder,
    Quote,
    Section,
    Streamed,
    Table,
)
from facilitator.store import Postit, Store

APPENDIX_TITLE = "Appendix 1: Responses to statement exercises"
# Below this many responses in a cohort, p-values come from permutations of the
# responses themselves (exact when there are few arrangements), not from a
# large-sample approximation that small, heavily tied samples do not meet.
SMALL_SAMPLE = 20
RESAMPLES = 9999
SIGNIFICANCE = 0.05

DOCUMENT_FORMATS = ("html", "docx")


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
    plain: str  # the result in plain English, without figures
    figures: str = ""  # the test's figures, for a footnote ("" when nothing was tested)


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


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    names = _first_up(_names([c.group.label for c in counted]))
    if p < SIGNIFICANCE:
        leaning = (
            f"{means[0][1]} leaned more towards agreeing"
            if len(counted) == 2
            else f"{means[0][1]} leaned most towards agreeing, {means[-1][1]} least"
        )
        plain = f"{names} answered differently: {leaning}."
        caveat = ""
    else:
        plain = f"{names} answered much alike (no clear difference)."
        caveat = (" With samples this small, no" if small else " No") + (
            " clear difference does not show that they agree,"
            " only that these responses cannot tell them apart."
        )
    footnote = f"{figures}; {described}. A p-value below {SIGNIFICANCE} is read as a difference.{caveat}"
    return Comparison(statement, cohorts, test, statistic, p, method, plain + note, footnote)


def cohort_comparisons(counts: Counts, selection: Selection) -> list[Comparison]:
    """One comparison per statement, in set order, between the selection's cohorts."""
    cohorts = selection.cohorts()
    return [
        compare_cohorts(statement, [counts.chart(group, statement, selection.scale) for group in cohorts])
        for statement in selection.statements
    ]


# ---------------------------------------------------------------- the document


def report_date(today: date | None = None) -> str:
    """The cover's date, "2 December 2026": the day the report is written (a draft's date;
    the sessions' own dates are in "Our approach")."""
    day = today or date.today()
    return f"{day.day} {day:%B %Y}"


def counts_table(chart: Chart) -> Table:
    """A chart's counts and percentages, in scale order."""
    rows = tuple(
        (str(category.label), str(count), percent_text(count, chart.n))
        for category, count in zip(chart.scale, chart.counts, strict=True)
    )
    return Table(("Response", "Post-its", "%"), rows, numeric=(1, 2))


def chart_figure(chart: Chart, files: Mapping[str, str], participants: int | None, kind: str) -> Figure:
    """A chart as a figure: its exact title as the caption, its counts as a table."""
    counted = ", ".join(f"{c.label} {n}" for c, n in zip(chart.scale, chart.counts, strict=True))
    return Figure(
        chart.title,
        dict(files),
        f"Bar chart of {chart.title}: {counted}",
        counts_table(chart),
        n_text(chart.n, participants),
        kind,
    )


def comparison_figure(diverging: Diverging, files: Mapping[str, str]) -> Figure:
    """A statement's responses across the groups, as a diverging chart and its table.

    Captioned with its title, the numbered figure it is after Figures 1..N ("Figure 5:
    <statement>, by group"), so every format gives it the number Word's caption field counts to.
    """
    labels = tuple(str(c.label) for c in diverging.scale)
    rows = tuple((row.group.label, *(str(n) for n in row.counts), str(row.n)) for row in diverging.rows)
    return Figure(
        diverging.title,
        dict(files),
        f"Diverging bar chart of {diverging.title}, one bar per group",
        Table(("Group", *labels, "n"), rows, numeric=tuple(range(1, len(labels) + 2))),
        "",
        "comparison",
    )


def participant_bullets(counts: Sequence[findings.Headcount]) -> tuple[str, ...]:
    """Participant totals as the report lists them: by gender, then by cohort."""
    known = [c for c in counts if c.recorded]
    if not known:
        return ("Participant numbers were not recorded.",)
    total, genders, cohorts = findings.participant_totals(known)
    bullets = [f"{total} participants: {genders}", cohorts]
    if missing := [c.session_label for c in counts if not c.recorded]:
        bullets.append("Not recorded for " + ", ".join(missing))
    if difference := findings.roster_difference(counts):
        bullets.append(difference[:1].upper() + difference[1:])
    return tuple(bullets)


def _people(count: findings.Headcount) -> str:
    if not count.recorded:
        return "—"
    words = [f"{count.male} male", f"{count.female} female"]
    words += [f"{count.other} other"] if count.other else []
    words += [f"{count.not_given} not recorded"] if count.not_given else []
    return f"{count.total} ({', '.join(words)})"


METHOD = (
    "Each session began with the statement exercise. The statements hung around the room, each with "
    "the responses beneath it; each participant placed a post-it under the response they chose, and "
    "could write a comment on it. An open discussion, led by the participants, followed, and "
    "note-takers recorded its points and quotes. Quotes are attributed by a descriptor only (such as "
    "gender and cohort), and names have been changed."
)


def approach_section(selection: Selection, heads: Mapping[str, findings.Headcount]) -> Section:
    """Our approach: the method, the sessions, who took part and the statements."""
    group_of = {s.id: g.label for g in selection.groups for s in g.sessions}
    rows = tuple(
        (group_of[s.id], s.label, s.cohort, s.setting, s.date, _people(heads[s.id]))
        for s in selection.sessions
    )
    sessions = Table(("Group", "Session", "Cohort", "Setting", "Date", "Participants"), rows, nowrap=(4,))
    counts = list(heads.values())
    return Section(
        "Our approach",
        1,
        (Paragraph(METHOD),),
        (
            Section("Sessions", 2, (sessions,)),
            Section(
                "Participants",
                2,
                (Bullets(participant_bullets(counts)), Paragraph(findings.interview_sentence(counts))),
            ),
            Section(
                "Statements",
                2,
                (Bullets(tuple(f"Statement {s.number}: {s.text}" for s in selection.statements)),),
            ),
        ),
    )


def _said_blocks(said: findings.Said, names: Mapping[str, str], home: str | None) -> list[Block]:
    others = tuple(names[k] for k in said.themes if k != home and k in names)
    if said.kind == "quote":
        return [Quote(said.text, said.descriptor, others)]
    if said.kind == "case_study":
        return [CaseStudy(said.title, said.text, others)]
    also = [Paragraph("Also: " + ", ".join(others), style="note")] if others else []
    return [Paragraph(said.text), *also]


def discussion_section(
    discussion: findings.Discussion, *, title: str, level: int, with_sessions: bool
) -> Section:
    """The discussion: themes in order of frequency, then under each what was said, in the order given.

    `with_sessions` adds the number of sessions that raised each theme (a report over several).
    """
    if discussion.is_empty:
        return Section(title, level, (Paragraph("No discussion notes were recorded.", style="note"),))
    names = discussion.names
    blocks: list[Block] = []
    if discussion.themes:
        header = ("Rank", "Theme", *(("Sessions",) if with_sessions else ()), "Notes")
        rows = tuple(
            (str(t.rank), t.name, *((str(t.sessions),) if with_sessions else ()), str(t.notes))
            for t in discussion.themes
        )
        numeric = (0, 2, 3) if with_sessions else (0, 2)
        blocks += [
            Paragraph("Themes raised, in order of frequency of occurrence:"),
            Table(header, rows, numeric=numeric),
        ]
    sections = []
    for theme, said in discussion.by_theme:
        items = [block for item in said for block in _said_blocks(item, names, theme.key)]
        if above := discussion.listed_above(theme, len(said)):
            items.append(Paragraph(above, style="note"))
        sections.append(Section(f"{theme.rank}. {theme.name}", level + 1, tuple(items)))
    if discussion.untagged:
        items = [block for item in discussion.untagged for block in _said_blocks(item, names, None)]
        sections.append(Section("Not tagged with a theme", level + 1, tuple(items)))
    return Section(title, level, tuple(blocks), tuple(sections))


def _comment_sections(
    store: Store, selection: Selection, anonymisers: Mapping[str, Anonymiser]
) -> Iterator[Section]:
    """Comments by statement, then response, streamed: each is read when it is rendered."""
    group_of = {s.id: g.label for g in selection.groups for s in g.sessions}
    statements = {s.number: s for s in selection.statements}
    labels = {c.key: str(c.label) for c in selection.scale}
    # Within a response, comments follow the appendix: group by group, in the order they met.
    in_appendix_order = [s.id for g in selection.groups for s in g.sessions]
    stream = store.postits.iter_comments(in_appendix_order, selection.scale.keys)

    def comments(postits: Iterator[Postit]) -> Iterator[Comment]:
        for p in postits:
            yield Comment(anonymisers[p.session_id](p.comment), group_of[p.session_id])

    def responses(postits: Iterator[Postit]) -> Iterator[Section]:
        for key, same in itertools.groupby(postits, key=lambda p: p.response_key):
            yield Section(labels[key], 3, (Comments(comments(same)),))

    for number, same in itertools.groupby(stream, key=lambda p: p.statement_number):
        statement = statements[number]
        yield Section(f"Statement {statement.number}: {statement.text}", 2, (), responses(same))


def report_document(
    store: Store,
    selection: Selection,
    files: Mapping[str, Mapping[str, str]] | None = None,
    *,
    organisation: str = "",
    today: date | None = None,
) -> Document:
    """The report as a document. `files` maps a chart's file stem to its files by format
    (`chart_files.chart_jobs` names the stems); a chart not drawn has no picture."""
    files = files or {}
    counts = Counts(store, selection.sessions)
    in_appendix_order = [s for g in selection.groups for s in g.sessions]
    anonymisers = Anonymiser.per_session(store, [s.id for s in in_appendix_order])
    heads = {s.id: findings.headcount(store, s) for s in selection.sessions}
    figures: list[Block] = []
    comparisons: list[Figure] = []
    appendix: list[Figure] = []
    # The same charts, in the same order, as were drawn: a figure finds its files by its stem.
    for job in chart_jobs(store, selection):
        drawn = files.get(job.stem, {})
        if isinstance(job.chart, Diverging):
            comparisons.append(comparison_figure(job.chart, drawn))
        elif job.chart.figure is not None:
            figures.append(chart_figure(job.chart, drawn, job.participants, "figure"))
            figures.append(Placeholder(f"Write what Figure {job.chart.figure} shows, in a few sentences"))
        else:
            appendix.append(chart_figure(job.chart, drawn, job.participants, "appendix"))
    cohorts = tuple(
        Paragraph(f"Statement {c.statement.number}: {c.plain}", (c.figures,) if c.figures else ())
        for c in cohort_comparisons(counts, selection)
    )
    findings_section = Section(
        "Statement exercise findings",
        1,
        tuple(figures),
        (
            *(
                (
                    Section(
                        "Comparing the groups",
                        2,
                        (
                            Paragraph(
                                "Each chart sets one statement's responses side by side for every group: "
                                "agreeing to the left of the centre, disagreeing to the right."
                            ),
                            *comparisons,
                        ),
                    ),
                )
                if comparisons
                else ()
            ),
            Section("Cohort comparison", 2, cohorts),
        ),
    )
    ids = [s.id for s in in_appendix_order]
    any_comment = next(iter(store.postits.iter_comments(ids, selection.scale.keys)), None) is not None
    comments = Section(
        "Comments by statement and response",
        1,
        () if any_comment else (Paragraph("No comments were recorded.", style="note"),),
        Streamed(lambda: _comment_sections(store, selection, anonymisers)),
    )
    said = findings.sessions_discussion(store, in_appendix_order, anonymisers)
    example = any(s.example for s in selection.sessions)
    return Document(
        f"{EXAMPLE_MARK} {selection.title}" if example else selection.title,
        Cover(
            selection.title,
            organisation or "[Organisation]",
            report_date(today),
            subtitle=EXAMPLE_LINE if example else "",
        ),
        (
            *((Section(EXAMPLE_MARK, 1, (Paragraph(EXAMPLE_LINE),)),) if example else ()),
            Section("Executive summary", 1, (Placeholder("Write the executive summary"),)),
            approach_section(selection, heads),
            findings_section,
            comments,
            discussion_section(said, title="Focus group findings", level=1, with_sessions=True),
            Section("Recommendations", 1, (Placeholder("Write the recommendations"),)),
            Section("Contact", 1, (Placeholder("Write how to reach the organisation"),)),
            Section(APPENDIX_TITLE, 1, tuple(appendix), appendix=True),
        ),
    )


def write_report(
    store: Store,
    selection: Selection,
    out: Path,
    chart_formats: Sequence[str],
    *,
    document_format: str = "html",
    template: Path | None = None,
    organisation: str = "",
    cache: Path | None = None,
) -> list[dict[str, Any]]:
    """Write `report.html` or `report.docx`, every chart file once and `index.json` into `out`;
    all or nothing. Returns the charts' `index.json` entries."""
    from facilitator.outputs import chart_files, render_html

    if document_format not in DOCUMENT_FORMATS:
        raise FacilitatorError(f"document format {document_format!r} must be html or docx")
    formats = tuple(dict.fromkeys([*chart_formats, *(["png"] if document_format == "docx" else [])]))
    name = f"report.{document_format}"
    jobs = chart_files.chart_jobs(store, selection)
    with staged_dir(out, last=["index.json", name]) as staging:
        drawn = chart_files.draw_all(jobs, formats, staging, cache=cache)
        files = {job.stem: names for job, names in zip(jobs, drawn, strict=True)}
        document = report_document(store, selection, files, organisation=organisation)
        if document_format == "docx":
            from facilitator.outputs.render_docx import render_docx

            render_docx(document, staging, staging / name, template=template)
        else:
            svg = render_html.svg_from_folder(staging) if "svg" in formats else None
            with open_private(staging / name) as page:
                for piece in render_html.generate(document, svg=svg):
                    page.write(piece)
        entries = [
            chart_files.index_entry(job.chart, list(names.values()))
            for job, names in zip(jobs, drawn, strict=True)
        ]
        chart_files.write_index(staging / "index.json", entries, selection.scale.keys)
    return entries
