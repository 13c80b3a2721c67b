"""How quick the discussion screen stays as the notes pile up, against the store alone.

Run by hand: `python benchmarks/discussion_screen.py [--notes 300] [--repeat 20]`.
Driven headless. Two figures, each a ratio against a baseline from the same run:
- Enter in the note box (parse, commit, list refreshed) with many notes on screen,
  against `discussion.add_note` alone (the commit it has to wait for anyway);
- the update at every key press (what Enter would save, warnings, theme list),
  against `anonymity.detect` alone on the same text.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator.actions.data_folder import Workspace
from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.anonymity import Anonymiser, detect
from facilitator.store import SessionDetails
from facilitator.ui.app import make_app
from facilitator.ui.screens.discussion import DiscussionScreen

LINE = "P2: my worker Kevin never came back, {n} months of nothing #listen #3"


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


async def run(notes: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace(Path(folder))
        workspace.create("benchmark passphrase words")  # encrypted, as in the room
        statement_set = workspace.catalogue().get("does-social-work-care")
        store = workspace.store
        details = SessionDetails("Bench", "adults", "community", consultation="Bench")
        session = store.sessions.create(statement_set, details)
        codebook.seed_codebook(store, session, statement_set.themes)
        for code in ("P1", "P2", "P3"):
            roster.add_participant(store, session.id, code, "male")
        themes = statement_set.themes
        for i in range(notes):
            discussion.add_note(store, session.id, f"note {i} said in the room", themes=[themes[i % 11]])

        baseline_add: list[float] = []
        for i in range(repeat):
            started = time.perf_counter()
            discussion.add_note(
                store, session.id, f"baseline {i}", speaker="P2", themes=[themes[0], themes[2]]
            )
            baseline_add.append(time.perf_counter() - started)

        app = make_app(workspace, session.id, blink=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("t")
            screen = app.screen
            assert isinstance(screen, DiscussionScreen)
            enter: list[float] = []
            typing: list[float] = []
            baseline_detect: list[float] = []
            anonymiser = Anonymiser.for_session(store, session.id)
            for i in range(repeat):
                line = LINE.format(n=i)
                started = time.perf_counter()
                screen.box.value = line
                screen._show_draft()
                typing.append(time.perf_counter() - started)
                started = time.perf_counter()
                detect(line, anonymiser)
                baseline_detect.append(time.perf_counter() - started)
                await pilot.pause()
                started = time.perf_counter()
                screen.save()
                enter.append(time.perf_counter() - started)
            on_screen = len(screen.notes)

    print(f"notes on screen: {on_screen}")
    print(
        f"Enter to saved and listed: median {median_ms(enter):.1f} ms; "
        f"add_note alone {median_ms(baseline_add):.1f} ms; "
        f"ratio {statistics.median(enter) / statistics.median(baseline_add):.2f}"
    )
    print(
        f"update per key press: median {median_ms(typing):.2f} ms; "
        f"detect alone {median_ms(baseline_detect):.3f} ms; "
        f"ratio {statistics.median(typing) / statistics.median(baseline_detect):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=300, help="notes already taken")
    parser.add_argument("--repeat", type=int, default=20, help="notes to time")
    args = parser.parse_args()
    asyncio.run(run(args.notes, args.repeat))


if __name__ == "__main__":
    main()
