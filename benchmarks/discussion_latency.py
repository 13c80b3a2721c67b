"""How fast the discussion is for a note-taker, against baselines measured in the same run.

Run by hand: `python benchmarks/discussion_latency.py [--n 500]`.
- a note with a speaker and two theme tags, to committed, against one post-it (target: <= 3x);
- the warnings for a long note (every key press in the app), against one regex pass
  over the same text (target: well under 5 ms for 2,000 characters);
- the consultation's theme ranking, against a bare SQL GROUP BY over the same tags.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator.core.paths import CLONE_ROOT
from facilitator.core.statements import load_catalogue
from facilitator.discussion import codebook, roster
from facilitator.discussion import notes as discussion
from facilitator.discussion.anonymity import Anonymiser, detect
from facilitator.store import SessionDetails, Store

SENTENCE = (
    "I told my social worker Kevin that I had moved, she never rang back on 07700 900123, "
    "and Darren's placement was the fifth one. They don't listen, they just decide. "
)


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=500, help="notes to time")
    args = parser.parse_args()
    statement_set = load_catalogue([CLONE_ROOT / "statements"]).get("does-social-work-care")
    themes = list(statement_set.themes)

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder))
        sessions = [
            store.sessions.create(
                statement_set,
                SessionDetails(f"Bench {i}", "adults", "prison", consultation="Bench consultation"),
            )
            for i in range(1, 6)
        ]
        codebook.seed_codebook(store, sessions[0], themes)
        for session in sessions:
            for code in ("P1", "P2", "P3"):
                roster.add_participant(store, session.id, code, "male")

        note_times: list[float] = []
        postit_times: list[float] = []
        # Interleave the two so that machine noise falls on both alike.
        for index in range(args.n):
            session = sessions[index % len(sessions)]
            tags = [themes[index % len(themes)], themes[(index * 7) % len(themes)]]
            started = time.perf_counter()
            discussion.add_note(store, session.id, f"note {index}", speaker="P2", themes=tags)
            note_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            store.postits.add(session.id, 1, "agree", f"comment {index}", session=session)
            postit_times.append(time.perf_counter() - started)
        note_median, postit_median = statistics.median(note_times), statistics.median(postit_times)
        print(f"one note (speaker, two themes) to committed, {args.n} each:")
        print(f"  add_note     median {note_median * 1e3:7.3f} ms")
        print(f"  add_postit   median {postit_median * 1e3:7.3f} ms")
        print(f"  ratio        {note_median / postit_median:5.2f}x   (target: <= 3x)")

        text = (SENTENCE * 20)[:2000]
        anonymiser = Anonymiser({"Darren": "Dave", "Sharon": "Sue"})
        detect_median = statistics.median(timed(lambda: detect(text, anonymiser), 200))
        import re

        word = re.compile(r"\w+")
        regex_median = statistics.median(timed(lambda: word.findall(text), 200))
        print(f"\nwarnings for a {len(text):,}-character note (each key press):")
        print(f"  detect       median {detect_median * 1e3:7.3f} ms")
        print(f"  one regex    median {regex_median * 1e3:7.3f} ms")
        print(f"  ratio        {detect_median / regex_median:5.1f}x   (target: detect < 5 ms)")

        consultation_id = sessions[0].consultation_id or ""
        rank_median = statistics.median(
            timed(lambda: codebook.rank_for_consultation(store, consultation_id), 20)
        )
        ids = [s.id for s in sessions]
        marks = ", ".join("?" * len(ids))
        sql = f"""SELECT note_themes.theme_id, COUNT(DISTINCT notes.session_id), COUNT(*)
                  FROM notes JOIN note_themes ON note_themes.note_id = notes.id
                  WHERE notes.session_id IN ({marks}) AND notes.deleted_at IS NULL
                    AND note_themes.deleted_at IS NULL GROUP BY note_themes.theme_id"""
        sql_median = statistics.median(timed(lambda: store.db.execute(sql, ids).fetchall(), 20))
        print(f"\ntheme ranking over {len(sessions)} sessions, {args.n} notes:")
        print(f"  rank_for_consultation  median {rank_median * 1e3:7.3f} ms")
        print(f"  bare GROUP BY          median {sql_median * 1e3:7.3f} ms")
        print(f"  ratio                  {rank_median / sql_median:5.1f}x")
        store.close()


if __name__ == "__main__":
    main()
