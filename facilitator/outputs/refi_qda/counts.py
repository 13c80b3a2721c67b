"""The statement exercise's counts as plain text, for the project's note.

Per statement, per chart group (each session or saved pool, each cohort when
there are several, then every session), the count and percentage of every
category and n. The numbers come from `facilitator.exercise.charts`, the counts
the report's charts and appendix show, and the percentages follow the report's
one rule (`percent_text`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from facilitator.core.errors import FacilitatorError
from facilitator.exercise.charts import (
    ALL,
    ALL_SESSIONS,
    ChartGroup,
    Counts,
    Selection,
    appendix_groups,
    check_same_statements,
    percent_text,
)
from facilitator.exercise.pools import pools_for
from facilitator.store import Session, Store

HEADING = "Statement exercise: the post-its placed in each category, per statement and chart group"
EXPLAINED = (
    "Each line is one chart group: its label, n (the post-its placed), then every category "
    "with its count and its percentage of n, each rounded on its own, as in the report."
)


def _blocks(sessions: Sequence[Session]) -> list[list[Session]]:
    """The sessions, in blocks that share their statements and scale (one block, usually)."""
    blocks: list[list[Session]] = []
    for session in sessions:
        for block in blocks:
            try:
                check_same_statements([block[0], session])
            except FacilitatorError:
                continue
            block.append(session)
            break
        else:
            blocks.append([session])
    return blocks


def _groups(selection: Selection) -> list[ChartGroup]:
    """The selection's chart groups, each set of sessions once (one session is not shown twice)."""
    seen: set[tuple[str, ...]] = set()
    groups = []
    for group in selection.screen_groups():
        if group.session_ids not in seen:
            seen.add(group.session_ids)
            groups.append(group)
    return groups


def counts_text(store: Store, sessions: Sequence[Session], title: str, label: Callable[[str], str]) -> str:
    """The counts of `sessions` as text; `title` names every session pooled (names changed
    already), `label` changes the names in the other groups' labels."""
    lines = [HEADING, EXPLAINED]
    blocks = _blocks(sessions)
    for block in blocks:
        pools = pools_for(store, block)
        everyone = title if len(blocks) == 1 else f"{ALL_SESSIONS} of {block[0].statement_set_title}"
        selection = Selection(tuple(block), appendix_groups(block, pools), everyone)
        counts = Counts(store, block)
        lines.append("")
        if len(blocks) > 1:
            lines.append(f"Statements of {block[0].statement_set_title}:")
        scale = selection.scale
        lines.append("Categories: " + "; ".join(c.label for c in scale))
        for statement in selection.statements:
            lines.extend(["", f"Statement {statement.number}: {statement.text}"])
            for group in _groups(selection):
                chart = counts.chart(group, statement, scale)
                cells = [
                    f"{category.label} {count} ({percent_text(count, chart.n)})"
                    for category, count in zip(scale, chart.counts, strict=True)
                ]
                shown = group.label if group.kind == ALL else label(group.label)
                lines.append(f"  {shown} (n = {chart.n}): " + "; ".join(cells))
    return "\n".join(lines) + "\n"
