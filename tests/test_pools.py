"""Saved chart pools: checked, listed, removed, and used by the charts when no --pool is given."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from facilitator.cli import main
from facilitator.core.clock import Clock
from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.core.statements import load_statement_set
from facilitator.exercise import charts
from facilitator.exercise.pools import consultation_pools, remove_pool, save_pool, saved_pools
from facilitator.store import Session, SessionDetails, Store
from tests.five_sessions import CONSULTATION, POOLED, SET_PATH, build
from tests.folders import open_folder
from tests.test_charts import APPENDIX_TITLES, FIGURE_TITLES, GROUPS


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_folder(tmp_path / "data")


@pytest.fixture
def five(store: Store) -> dict[str, Session]:
    return build(store)


def adults_2_3(five: dict[str, Session]) -> list[str]:
    return [five["Adult focus group 2"].id, five["Adult focus group 3"].id]


def rows(store: Store) -> list[tuple[str, str | None]]:
    return [tuple(r) for r in store.db.execute("SELECT label, deleted_at FROM chart_pools").fetchall()]


def test_a_saved_pool_is_listed_and_charted_where_its_first_session_stood(
    store: Store, five: dict[str, Session]
) -> None:
    pool = save_pool(store, f"  {POOLED} ", adults_2_3(five))

    assert pool.label == POOLED and pool.session_ids == tuple(adults_2_3(five))
    assert pool.consultation_id == five["Adult focus group 2"].consultation_id
    assert saved_pools(store) == [pool] == consultation_pools(store, pool.consultation_id)
    assert consultation_pools(store, None) == []
    selection = charts.select(store, consultation=CONSULTATION)
    assert [g.label for g in selection.groups] == list(GROUPS)
    assert [g.kind for g in selection.groups] == ["session", "pool", "session", "session"]
    screen = charts.screen_selection(store, five["Adult focus group 1"].id)
    assert [g.label for g in screen.screen_groups()][:4] == list(GROUPS)
    # An explicit pool replaces the saved ones; a session chosen without its partner is alone.
    explicit = charts.select(store, pools=[f"Other={five['Adult focus group 1'].id},{adults_2_3(five)[0]}"])
    assert [g.label for g in explicit.groups][:3] == [
        "Other",
        "Young offender focus group 4",
        "Adult focus group 3",
    ]
    alone = charts.select(store, session_refs=[adults_2_3(five)[0]])
    assert [g.label for g in alone.groups] == ["Adult focus group 2"]


def test_removing_a_pool_is_a_tombstone_and_its_sessions_stand_alone_again(
    store: Store, five: dict[str, Session]
) -> None:
    pool = save_pool(store, POOLED, adults_2_3(five))

    assert remove_pool(store, POOLED.upper()) == pool

    assert saved_pools(store) == [] and rows(store)[0][1] is not None
    assert len(charts.select(store, consultation=CONSULTATION).groups) == 5
    with pytest.raises(NotFound, match="unknown pool"):
        remove_pool(store, POOLED)
    again = save_pool(store, POOLED, adults_2_3(five))  # the label and sessions are free again
    assert remove_pool(store, again.id[:8]) == again


def test_pools_are_stamped_by_the_stores_clock_and_device(tmp_path: Path) -> None:
    clock = Clock(lambda: datetime(2010, 5, 1, 9, 30, tzinfo=UTC))
    with open_folder(tmp_path / "data", clock=clock) as store:
        members = adults_2_3(build(store))
        pool = save_pool(store, POOLED, members)
        remove_pool(store, pool.id)

        created, updated, deleted, device = store.db.execute(
            "SELECT created_at, updated_at, deleted_at, device_id FROM chart_pools WHERE id = ?", [pool.id]
        ).fetchone()

    assert created.startswith("2010-05-01T09:30:00") and created < deleted <= updated
    assert device == store.device_id


@pytest.mark.parametrize(
    ("label", "members", "message"),
    [
        ("", ["Adult focus group 2", "Adult focus group 3"], "needs a label"),
        ("One", ["Adult focus group 2"], "at least two sessions"),
        ("Twice", ["Adult focus group 2", "Adult focus group 2"], "each session once"),
        (
            "young offender focus group 5",
            ["Adult focus group 1", "Young offender focus group 4"],
            "label of a session",
        ),
        ("Clash", ["Adult focus group 1", "Adult focus group 2"], "already in the pool"),
        (POOLED.lower(), ["Adult focus group 1", "Young offender focus group 4"], "label of another pool"),
    ],
)
def test_a_bad_pool_is_refused_and_nothing_is_written(
    store: Store, five: dict[str, Session], label: str, members: list[str], message: str
) -> None:
    save_pool(store, POOLED, adults_2_3(five))
    before = rows(store)

    with pytest.raises(FacilitatorError, match=message):
        save_pool(store, label, [five[m].id for m in members])

    assert rows(store) == before


def test_sessions_of_different_consultations_or_statements_cannot_be_pooled(
    store: Store, five: dict[str, Session]
) -> None:
    statement_set = load_statement_set(SET_PATH)
    elsewhere = store.sessions.create(
        statement_set, SessionDetails(label="Elsewhere", cohort="adults", setting="prison", consultation="B")
    )
    other_set = type(statement_set)("other", "Other", statement_set.scale, statement_set.statements[:2])
    other = store.sessions.create(
        other_set, SessionDetails(label="Other", cohort="adults", setting="prison", consultation=CONSULTATION)
    )
    one = five["Adult focus group 1"].id

    with pytest.raises(FacilitatorError, match="one consultation"):
        save_pool(store, "Mixed", [one, elsewhere.id])
    with pytest.raises(FacilitatorError, match="use different statements"):
        save_pool(store, "Mixed", [one, other.id])
    assert rows(store) == []


# ---------------------------------------------------------------- command line


def cli(data: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--data-dir", str(data)])


def test_pool_commands_add_list_and_remove(tmp_path: Path, store: Store, five: dict[str, Session]) -> None:
    data = tmp_path / "data"
    added = cli(data, "pool", "add", "--label", POOLED, *(i[:8] for i in adults_2_3(five)))
    assert added.exit_code == 0, added.output
    pool_id = added.stdout.strip()
    assert [p.id for p in saved_pools(store)] == [pool_id]

    listed = cli(data, "pool", "list", "--consultation", CONSULTATION.upper())
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[1] == (
        f"{pool_id}\t{CONSULTATION}\t{POOLED}\tAdult focus group 2; Adult focus group 3"
    )

    removed = cli(data, "pool", "remove", POOLED)
    assert removed.exit_code == 0 and saved_pools(store) == []
    assert "no pools yet" in cli(data, "pool", "list").stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pool", "add", "--label", "One", "SESSION-1"], "at least two sessions"),
        (["pool", "add", "--label", "X", "nonexistent", "SESSION-1"], "unknown session 'nonexistent'"),
        (["pool", "add", "--label", "Again", "SESSION-1", "SESSION-3"], "already in the pool"),
        (["pool", "list", "--consultation", "Nope"], "unknown consultation 'Nope'"),
        (["pool", "remove", "Nope"], "unknown pool 'Nope'"),
    ],
)
def test_pool_command_errors_are_one_line_and_change_nothing(
    tmp_path: Path, store: Store, five: dict[str, Session], args: list[str], message: str
) -> None:
    save_pool(store, POOLED, adults_2_3(five))
    ids = {f"SESSION-{n}": s.id for n, s in enumerate(five.values())}
    before = rows(store)

    result = cli(tmp_path / "data", *(ids.get(a, a) for a in args))

    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert rows(store) == before


def test_charts_without_pool_option_use_the_saved_pool(
    tmp_path: Path, store: Store, five: dict[str, Session]
) -> None:
    save_pool(store, POOLED, adults_2_3(five))
    out = tmp_path / "charts"

    result = cli(
        tmp_path / "data", "charts", "--out", str(out), "--consultation", CONSULTATION, "--format", "svg"
    )

    assert result.exit_code == 0, result.output
    listed = json.loads((out / "index.json").read_text("utf-8"))["charts"]
    assert [c["title"] for c in listed if c["kind"] == "appendix"] == APPENDIX_TITLES
    assert [c["title"] for c in listed if c["kind"] == "figure"] == FIGURE_TITLES
