"""Scales of 2 to 9 categories: charts, summaries and exports carry every category."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.core.statements import Category, Scale, parse_statement_set
from facilitator.outputs.export import to_csv
from facilitator.outputs.summary import summary_html, summary_markdown
from facilitator.outputs.terminal_charts import _fill
from facilitator.store import SessionDetails, Store


def scale_of(size: int) -> Scale:
    """`size` categories from agree to disagree, the middle one neutral when there is one."""
    return Scale(
        tuple(
            Category(
                key=f"point_{entry}",
                label=f"Point {entry} label",
                short=f"P{entry}",
                entry=str(entry),
                symbol=f"s{entry}",
                neutral=size % 2 == 1 and entry == size // 2 + 1,
            )
            for entry in range(1, size + 1)
        )
    )


@pytest.mark.parametrize("size", range(2, 10))
def test_every_category_of_a_scale_has_its_own_fill_in_the_diverging_view(size: int) -> None:
    scale = scale_of(size)
    fills = [_fill(scale, index) for index in range(size)]
    assert len(set(fills)) == size


def test_a_nine_point_session_is_summarised_and_exported_with_all_nine(store: Store, tmp_path: Path) -> None:
    scale = scale_of(9)
    statement_set = parse_statement_set(
        {
            "id": "nine",
            "title": "Nine points",
            "scale": [c.to_dict() | {"entry": int(c.entry)} for c in scale],
            "statements": [{"text": "My social worker listens to me"}],
        }
    )
    session = store.sessions.create(
        statement_set, SessionDetails(label="Group 9", cohort="adults", setting="community")
    )
    for category in scale:
        for _ in range(int(category.entry)):
            store.postits.add(session.id, 1, category.key, f"said in {category.key}")
    html = summary_html(store, session)
    markdown = summary_markdown(store, session, tmp_path)
    rows = to_csv(store, session).splitlines()
    for category in scale:
        assert category.label in html and category.label in markdown
        assert sum(category.key in row for row in rows) == int(category.entry)
