"""Thirty post-its typed on the wall come out of `facilitator export` exactly as typed."""

from __future__ import annotations

import json

from click.testing import CliRunner
from textual.widgets import Input

from facilitator.actions.data_folder import Workspace
from facilitator.cli import main
from facilitator.ui.app import make_app
from facilitator.ui.widgets.postit_card import CommentBox

ENTRIES = {"1": "strongly_agree", "2": "agree", "3": "neutral", "4": "disagree", "5": "strongly_disagree"}


def planned() -> list[tuple[int, str, str]]:
    """(statement, entry key, comment) for 30 post-its over the 4 statements."""
    comments = ["", "she listened", "[b]not[/b] really", "<i>never</i>", "ça dépend 👍", "they don't care"]
    return [
        (1 + i % 4, "12345"[(i * 7) % 5], comments[i % len(comments)] + (f" #{i}" if i % 3 else ""))
        for i in range(30)
    ]


async def test_thirty_postits_then_export_matches_what_was_typed(
    workspace: Workspace, session_id: str
) -> None:
    plan = sorted(planned(), key=lambda p: p[0])
    app = make_app(workspace, session_id, blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        current = 1
        for index, (statement, entry, comment) in enumerate(plan):
            while current < statement:
                await pilot.press("n")
                current += 1
            await pilot.press(entry)
            if index < 3 and comment.isascii():
                await pilot.press(*comment)  # a few typed key by key
            else:
                app.screen.query_one(CommentBox, Input).value = comment
            await pilot.press("enter")
    workspace.close()
    result = CliRunner().invoke(
        main, ["--data-dir", "data", "export", session_id, "--format", "json", "--out", "-"]
    )
    assert result.exit_code == 0, result.output
    exported = json.loads(result.stdout)
    got = [
        (statement["number"], postit["response"], postit["comment"])
        for statement in exported["statements"]
        for postit in statement["postits"]
    ]
    assert got == [(s, ENTRIES[e], c) for s, e, c in plan]
    assert sum(statement["total"] for statement in exported["statements"]) == 30
