"""Purging: the laptop forgets what the office holds, and only that.

A confirmed session's post-its, notes, roster and pseudonym map leave the database
file for good; a stub keeps its label, date and counts; nothing of the purge
travels to the office.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from facilitator.actions import purge as purging
from facilitator.actions.data_folder import Workspace
from facilitator.core.clock import Clock
from facilitator.core.paths import CHART_CACHE, DATABASE_NAME
from facilitator.discussion import notes as discussion
from facilitator.store import NewPostit, Session, SessionDetails, Store
from facilitator.sync import merge as sync_merge
from facilitator.sync.status import CONFIRMED, LOCAL, PURGED, session_statuses
from tests.conftest import Cli
from tests.folders import connect_to, open_folder, readable_bytes
from tests.sync_helpers import SET_ID, confirm, read_back, remember, whole_database

# Words that appear nowhere but in the rows of one session each.
SENT_WORDS = ("Kestrelcomment", "Kestrelnote", "Kestrelreal", "Kestreltheme", "K1234")
KEPT_WORDS = ("Ospreycomment", "Ospreynote", "Ospreyreal")
CONFIRMED_AT = "2026-12-03T10:00:00.000000Z"


def add_session(store: Store, label: str, consultation: str, word: str, code: str) -> Session:
    """A session with post-its (one deleted), a note with a theme, a roster and a pseudonym map."""
    statement_set = Workspace.at(store.path.parent).catalogue().get(SET_ID)
    session = store.sessions.create(
        statement_set,
        SessionDetails(
            label=label,
            cohort="adults",
            setting="prison",
            consultation=consultation,
            date="2026-11-20",
        ),
    )
    store.postits.add(session.id, 1, "agree", f"{word}comment about the probation officer")
    store.postits.add(session.id, 1, "disagree", "")
    store.postits.add(session.id, 2, "agree", f"{word}comment again")
    gone = store.postits.add(session.id, 3, "neutral", f"{word}comment deleted later")
    store.postits.delete(gone.id)
    theme = f" #{word}theme" if word == "Kestrel" else ""
    discussion.add_note(store, session.id, f"{word}note: nobody listened{theme}")
    store.roster.add(session.id, code, "male", "adults")
    store.pseudonyms.add(session.id, f"{word}real", "Sam")
    return session


def make_laptop(data_dir: Path) -> tuple[str, str]:
    """A laptop with two sessions: the first (no consultation: its own themes) confirmed."""
    with open_folder(data_dir) as store:
        remember(store)  # to read its bundles back
        sent = add_session(store, "Adult focus group 1", "", "Kestrel", "K1234")
        # Enough words to fill pages of their own, so that the file can shrink.
        store.postits.add_many(sent.id, [NewPostit(4, "agree", "Kestrelcomment " + "x" * 300)] * 200)
        kept = add_session(store, "Adult focus group 2", "Care 2026", "Osprey", "P7")
        confirm(store, sent.id, CONFIRMED_AT)
        return sent.id, kept.id


def file_bytes(data_dir: Path) -> bytes:
    """The database file and its write-ahead log, every page decrypted (freed space too): the
    raw bytes of an encrypted file never show a word, whether it was purged or not."""
    return readable_bytes(data_dir)


def assert_refused(result: object, fragment: str) -> None:
    assert result.exit_code == 2  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the command line


def test_purge_confirmed_removes_the_text_and_shrinks_the_file(cli: Cli, data_dir: Path) -> None:
    sent, _kept = make_laptop(data_dir)
    before = file_bytes(data_dir)
    assert all(word.encode() in before for word in SENT_WORDS + KEPT_WORDS)
    size = (data_dir / DATABASE_NAME).stat().st_size

    result = cli("purge", "--confirmed")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "purged Adult focus group 1: 203 post-its, 1 note, 1 participant; at the office since 3 Dec 2026"
    )
    assert lines[1].startswith("data file: ") and " before, " in lines[1]
    after = file_bytes(data_dir)
    assert not [word for word in SENT_WORDS if word.encode() in after]
    assert all(word.encode() in after for word in KEPT_WORDS)
    assert (data_dir / DATABASE_NAME).stat().st_size < size
    rows = whole_database(data_dir)
    for table in ("postits", "notes", "participants", "pseudonyms", "themes"):
        assert sent not in {row[1] for row in rows[table]} | {row[2] for row in rows[table]}
    assert rows["note_themes"] == []
    assert "Adult focus group 1" in {row[2] for row in rows["sessions"]}


def test_the_stub_shows_in_the_session_list_with_status_purged(cli: Cli, data_dir: Path) -> None:
    sent, kept = make_laptop(data_dir)
    assert cli("purge", "--confirmed").exit_code == 0

    listed = {row["id"]: row for row in json.loads(cli("session", "list", "--json").stdout)}
    stub = listed[sent]["purged"]
    assert listed[sent]["postits"] == 203
    assert {
        k: stub[k] for k in ("label", "date", "cohort", "setting", "postits", "notes", "participants")
    } == {
        "label": "Adult focus group 1",
        "date": "2026-11-20",
        "cohort": "adults",
        "setting": "prison",
        "postits": 203,
        "notes": 1,
        "participants": 1,
    }
    assert stub["postits_by_statement"] == {"1": 2, "2": 1, "4": 200}
    assert stub["confirmed_at"] == CONFIRMED_AT and "removed_ids" not in stub
    assert "purged" not in listed[kept] and listed[kept]["postits"] == 3
    table = {line.split("\t")[0]: line.split("\t") for line in cli("session", "list").stdout.splitlines()}
    assert table[sent][5:] == ["203", "purged", "✓ at office 2026-12-03"]
    assert table[kept][5:] == ["3", "open", "not sent"]
    with open_folder(data_dir) as store:
        statuses = session_statuses(store)
        assert statuses[sent].status == PURGED and statuses[sent].confirmed_at == CONFIRMED_AT
        assert statuses[kept].status == LOCAL


def test_an_unconfirmed_session_is_refused_and_nothing_changes(cli: Cli, data_dir: Path) -> None:
    sent, kept = make_laptop(data_dir)
    before = whole_database(data_dir)

    assert_refused(cli("purge", kept[:8]), "'Adult focus group 2' is local, not confirmed")
    assert_refused(cli("purge", sent, kept), "'Adult focus group 2' is local")

    assert whole_database(data_dir) == before


def test_force_purges_an_unconfirmed_session_once_its_label_is_typed(
    cli: Cli, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent, kept = make_laptop(data_dir)
    monkeypatch.setattr("facilitator.cli.purge.stdin_is_terminal", lambda: True)
    before = whole_database(data_dir)

    wrong = cli("purge", kept, "--force", input="Adult focus group 1\n")
    assert wrong.exit_code == 2 and "the label typed does not match: nothing purged" in wrong.stderr
    assert whole_database(data_dir) == before

    done = cli("purge", kept, "--force", input="adult focus group  2\n")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("purged Adult focus group 2: 3 post-its, 1 note, 1 participant; removed")
    assert not [word for word in KEPT_WORDS if word.encode() in file_bytes(data_dir)]
    with open_folder(data_dir) as store:
        assert session_statuses(store)[kept].status == PURGED
        assert session_statuses(store)[sent].status == CONFIRMED


def test_force_without_a_terminal_needs_yes(cli: Cli, data_dir: Path) -> None:
    _sent, kept = make_laptop(data_dir)
    before = whole_database(data_dir)
    assert_refused(cli("purge", kept, "--force"), "needs its label typed in a terminal, or --force --yes")
    assert whole_database(data_dir) == before
    assert cli("purge", kept, "--force", "--yes").exit_code == 0
    assert b"Ospreycomment" not in file_bytes(data_dir)


def test_a_purged_session_is_skipped_with_a_message(cli: Cli, data_dir: Path) -> None:
    sent, _kept = make_laptop(data_dir)
    assert cli("purge", sent).exit_code == 0
    again = cli("purge", sent)
    assert again.exit_code == 0
    assert "Adult focus group 1 was purged already: skipped" in again.stderr
    assert cli("purge", "--confirmed").stderr.startswith("nothing purged")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "give the sessions to purge, or --confirmed"),
        (("--confirmed", "abcd1234"), "not both"),
        (("--confirmed", "--force"), "--force is for sessions named one by one"),
        (("--confirmed", "--yes"), "--yes goes with --force"),
        (("nosuch",), "unknown session 'nosuch'"),
        (("--auto", "soon"), "--auto takes a whole number of days"),
        (("--auto", "3.5"), "--auto takes a whole number of days"),
        (("--auto", "99999"), "--auto takes a whole number of days"),
        (("--auto", "30", "--confirmed"), "--auto is given alone"),
        (("--wrong",), "No such option"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    cli: Cli, data_dir: Path, args: tuple[str, ...], fragment: str
) -> None:
    make_laptop(data_dir)
    before = whole_database(data_dir)
    assert_refused(cli("purge", *args), fragment)
    assert whole_database(data_dir) == before


# ---------------------------------------------------------------- nothing travels


def test_a_later_export_carries_nothing_of_the_purged_session(
    cli: Cli, data_dir: Path, tmp_path: Path
) -> None:
    sent, kept = make_laptop(data_dir)
    assert cli("purge", "--confirmed").exit_code == 0
    out = tmp_path / "bundle.fbundle"
    assert cli("sync", "export", "--all", "--plaintext", "--out", str(out)).exit_code == 0

    read = read_back(out)
    tables = {t.table: [dict(zip(t.columns, row, strict=True)) for row in t.rows] for t in read.tables}
    assert [row["label"] for row in tables["sessions"] if row["id"] == sent] == ["Adult focus group 1"]
    for table in ("postits", "notes", "participants", "themes"):
        assert sent not in {row.get("session_id") for row in tables.get(table, [])}, table
        assert kept in {row.get("session_id") for row in tables.get(table, [])} or table == "themes"
    kept_notes = {row["id"] for row in tables["notes"]}
    assert all(row["note_id"] in kept_notes for row in tables.get("note_themes", []))
    assert not [word for word in SENT_WORDS if word.encode() in out.read_bytes()]


def test_purging_stamps_nothing_so_the_next_export_has_nothing_new(data_dir: Path, tmp_path: Path) -> None:
    from facilitator.sync import merge as sync

    sent, _kept = make_laptop(data_dir)
    with open_folder(data_dir) as store:
        sync.export_bundle(store, tmp_path, plaintext=True)
        assert not sync.has_new_changes(store)
        purging.purge(store, [sent])
        assert not sync.has_new_changes(store)


# ---------------------------------------------------------------- the use case


def test_the_text_leaves_the_file_and_its_log_while_the_store_is_open(data_dir: Path) -> None:
    sent, _kept = make_laptop(data_dir)
    with open_folder(data_dir) as store:
        done = purging.purge(store, [sent])
        assert [p.label for p in done.purged] == ["Adult focus group 1"]
        assert done.saved > 0 and done.size_after < done.size_before
        assert not [word for word in SENT_WORDS if word.encode() in file_bytes(data_dir)]
        assert store.sessions.get(sent).label == "Adult focus group 1"


def test_kept_versions_of_purged_rows_go_too(data_dir: Path) -> None:
    sent, kept = make_laptop(data_dir)
    with open_folder(data_dir) as store:
        postit = store.postits.of(sent)[0]
        other = store.postits.of(kept)[0]
        for row in (postit, other):
            version = store.sync.row("postits", row.id)
            assert version is not None
            with store.write() as writer:
                store.sync.record_versions(writer, "postits", list(version), [tuple(version.values())])
        confirm(store, sent, CONFIRMED_AT)
        purging.purge(store, [sent])
        assert store.sync.versions("postits", postit.id) == []
        assert len(store.sync.versions("postits", other.id)) == 1


# ---------------------------------------------------------------- automatic purge


def clock_at(day: str) -> Clock:
    moment = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return Clock(lambda: moment)


def test_the_automatic_purge_is_off_by_default_and_set_from_the_command_line(
    cli: Cli, data_dir: Path
) -> None:
    make_laptop(data_dir)
    assert cli("purge", "--auto").stdout == "automatic purge: off\n"
    assert cli("purge", "--auto", "30").stdout == (
        "automatic purge: confirmed sessions, 30 days after the office confirmed them\n"
    )
    assert cli("purge", "--auto").stdout.startswith("automatic purge: confirmed sessions, 30 days")
    assert cli("purge", "--auto", "off").stdout == "automatic purge: off\n"
    with open_folder(data_dir) as store:
        assert purging.auto_purge_days(store) is None
        assert purging.auto_purge(store).purged == []


@pytest.mark.parametrize("days", ["²", "٣", "1e3", "3.5", " "])
def test_the_automatic_purge_refuses_days_that_are_not_plain_digits(
    cli: Cli, data_dir: Path, days: str
) -> None:
    make_laptop(data_dir)
    assert_refused(cli("purge", f"--auto={days}"), "--auto takes a whole number of days")
    assert cli("purge", "--auto").stdout == "automatic purge: off\n"


def test_the_automatic_purge_takes_only_sessions_confirmed_more_than_n_days_ago(data_dir: Path) -> None:
    sent, kept = make_laptop(data_dir)
    with open_folder(data_dir) as store:
        newer = add_session(store, "Adult focus group 3", "", "Heron", "H1")
        confirm(store, newer.id, "2026-12-20T10:00:00.000000Z")
        purging.set_auto_purge(store, 30)
    # 3 Dec + 30 days = 2 Jan: on 1 Jan nothing is due yet.
    with open_folder(data_dir, clock=clock_at("2027-01-01T12:00:00")) as store:
        assert purging.auto_purge(store).purged == []
    with open_folder(data_dir, clock=clock_at("2027-01-03T12:00:00")) as store:
        done = purging.auto_purge(store)
        assert [p.session_id for p in done.purged] == [sent]
        statuses = session_statuses(store)
        assert statuses[sent].status == PURGED
        assert statuses[newer.id].status == CONFIRMED
        assert statuses[kept].status == LOCAL
    with open_folder(data_dir, clock=clock_at("2030-01-01T12:00:00")) as store:
        done = purging.auto_purge(store)
        assert [p.session_id for p in done.purged] == [newer.id]
        assert session_statuses(store)[kept].status == LOCAL


def test_rows_of_a_purged_session_that_come_back_from_the_office_are_left_out(tmp_path: Path) -> None:
    """The office edits what it holds of a purged session and sends it back: the laptop,
    which forgot the session on purpose, leaves those rows out and merges the rest."""
    from facilitator.sync import merge as sync
    from tests.sync_helpers import new_session, open_store, take

    laptop, office = open_store(tmp_path / "laptop"), open_store(tmp_path / "office")
    with laptop, office:
        session = new_session(laptop, "Sent")
        other = new_session(laptop, "Still here")
        postit = laptop.postits.add(session.id, 1, "agree", "Kestrelcomment")
        note = discussion.add_note(laptop, session.id, "Kestrelnote #care")
        untouched = discussion.add_note(laptop, session.id, "Kestrelnote the office never edits")
        take(office, sync.export_bundle(laptop, tmp_path, plaintext=True).path)
        confirm(laptop, session.id, CONFIRMED_AT)
        purging.purge(laptop, [session.id])

        office.postits.edit(postit.id, "Kestrelcomment, corrected at the office")
        discussion.edit_note(office, note.id, text="Kestrelnote, corrected", themes=["care", "Kestreltheme"])
        office.postits.add(other.id, 2, "disagree", "added at the office")
        result = take(laptop, sync.export_bundle(office, tmp_path, plaintext=True).path)

        assert result.skipped is None
        assert laptop.postits.of(session.id) == [] and laptop.notes.of(session.id) == []
        assert [p.comment for p in laptop.postits.of(other.id)] == ["added at the office"]
        # (A theme of the consultation's codebook is not the session's: it comes back, and may.)
        on_disk = file_bytes(tmp_path / "laptop")
        assert b"Kestrelcomment" not in on_disk and b"Kestrelnote" not in on_disk
        assert session_statuses(laptop)[session.id].status == PURGED

        # The office tags a note it never edited: its bundle carries the tag without the note.
        discussion.tag_note(office, untouched.id, "listening")
        path = sync.export_bundle(office, tmp_path, plaintext=True).path
        sent_rows = {t.table: t.rows for t in read_back(path).tables}
        assert untouched.id not in {row[0] for row in sent_rows["notes"]}
        assert untouched.id in {row[1] for row in sent_rows["note_themes"]} | {
            row[2] for row in sent_rows["note_themes"]
        }
        result = take(laptop, path)
        assert result.skipped is None and result.counts.added == 1  # the new theme, not the tag
        assert laptop.codebook.tags_of_notes([untouched.id]) == []


# ---------------------------------------------------------------- a purged session elsewhere


def test_a_purged_session_takes_no_new_words_and_exports_nothing(
    cli: Cli, data_dir: Path, tmp_path: Path
) -> None:
    sent, _kept = make_laptop(data_dir)
    assert cli("purge", sent).exit_code == 0
    before = whole_database(data_dir)
    fragment = "'Adult focus group 1' was purged from this laptop (at the office since 3 Dec 2026)"
    assert_refused(cli("record", sent, "1", "agree"), fragment)
    (tmp_path / "wall.csv").write_text("statement,response,comment\n1,agree,more\n")
    assert_refused(cli("import-postits", sent, str(tmp_path / "wall.csv")), fragment)
    for fmt in ("json", "csv", "html"):
        assert_refused(cli("export", sent, "--format", fmt, "--out", "-"), f"{fragment}: exporting it")
    assert_refused(cli("receipt", "show", sent), fragment)
    assert_refused(cli("note", "add", sent, "said later"), f"{fragment}: adding to it")
    assert_refused(cli("participant", "add", sent, "P9", "--gender", "male"), fragment)
    assert_refused(cli("pseudonym", "set", sent, "Jo", "Sam"), fragment)
    assert whole_database(data_dir) == before


def test_charts_and_the_report_still_run_with_a_purged_session(
    cli: Cli, data_dir: Path, tmp_path: Path
) -> None:
    sent, _kept = make_laptop(data_dir)
    assert cli("purge", sent).exit_code == 0
    charts = cli("charts", "--out", str(tmp_path / "charts"), "--format", "svg")
    assert charts.exit_code == 0, charts.stderr
    report = cli("report", "--out", str(tmp_path / "report"), "--format", "svg")
    assert report.exit_code == 0, report.stderr
    page = (tmp_path / "report" / "report.html").read_text()
    assert "Ospreycomment" in page and "Kestrelcomment" not in page


def test_a_purge_empties_the_chart_cache(cli: Cli, data_dir: Path, tmp_path: Path) -> None:
    sent, _kept = make_laptop(data_dir)
    assert cli("report", "--out", str(tmp_path / "report"), "--charts", "png").exit_code == 0
    cache = data_dir / CHART_CACHE
    assert any(cache.glob("*.png"))

    assert cli("purge", sent).exit_code == 0

    assert list(cache.iterdir()) == []


def test_a_folder_sync_runs_the_automatic_purge(cli: Cli, data_dir: Path, tmp_path: Path) -> None:
    with open_folder(data_dir) as store:
        old = add_session(store, "Adult focus group 1", "", "Kestrel", "K1234")
        recent = add_session(store, "Adult focus group 2", "Care 2026", "Osprey", "P7")
        confirm(store, old.id, "2020-01-01T00:00:00.000000Z")
        confirm(store, recent.id, Clock().now())
    assert cli("purge", "--auto", "7").exit_code == 0
    stick = tmp_path / "stick"
    stick.mkdir()

    result = cli("sync", "run", str(stick), "--plaintext")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "purged Adult focus group 1 from this laptop (automatic purge): the office keeps its copy"
    )
    with open_folder(data_dir) as store:
        statuses = session_statuses(store)
        assert (statuses[old.id].status, statuses[recent.id].status) == (PURGED, CONFIRMED)


def test_a_file_that_cannot_be_compacted_now_still_loses_the_words(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facilitator.core.errors import FacilitatorError

    sent, _kept = make_laptop(data_dir)

    def busy(_store: Store) -> None:
        raise FacilitatorError("cannot compact the database: database is locked")

    monkeypatch.setattr(Store, "compact", busy)
    with open_folder(data_dir) as store:
        store.db.execute("PRAGMA secure_delete = OFF")  # as some builds of SQLite have it
        done = purging.purge(store, [sent])
        assert [p.session_id for p in done.purged] == [sent]
        assert done.skipped == [
            "warning: cannot compact the database: database is locked; the file shrinks at the next purge"
        ]
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert not [word for word in SENT_WORDS if word.encode() in file_bytes(data_dir)]


def test_an_unknown_session_id_is_refused_by_the_use_case(data_dir: Path) -> None:
    from facilitator.core.errors import NotFound

    make_laptop(data_dir)
    with open_folder(data_dir) as store, pytest.raises(NotFound, match="unknown session"):
        purging.purge(store, ["00000000-0000-4000-8000-000000000000"])


def test_purging_a_session_keeps_its_names_out_of_what_its_consultation_still_sends(tmp_path: Path) -> None:
    """Another session of the consultation mentions a name only the purged session maps: its
    text leaves with that map, so the map stays, the other session stays confirmed, and no
    later bundle (nor an export of everything) carries the real name."""
    from facilitator.sync import merge as sync
    from tests.sync_helpers import new_session, open_store

    def texts(path: Path) -> str:
        return repr([t.rows for t in read_back(path).tables])

    with open_store(tmp_path / "laptop") as laptop:
        remember(laptop)
        first, second = new_session(laptop, "Group 1"), new_session(laptop, "Group 2")
        laptop.pseudonyms.add(first.id, "Darren", "Dave")
        laptop.postits.add(second.id, 1, "agree", "Darren never came back")
        sent = sync.export_bundle(laptop, tmp_path, plaintext=True).path
        assert "Darren" not in texts(sent) and "Dave never came back" in texts(sent)
        confirm(laptop, first.id, CONFIRMED_AT)
        confirm(laptop, second.id, CONFIRMED_AT)

        purging.purge(laptop, [first.id])

        assert session_statuses(laptop)[second.id].status == CONFIRMED
        folder = tmp_path / "stick"
        folder.mkdir()
        sync.sync_folder(laptop, folder, [], plaintext=True)
        laptop.postits.add(second.id, 2, "agree", "a new one")
        sync.sync_folder(laptop, folder, [], plaintext=True)
        out = tmp_path / "all.bundle"
        everything = sync.export_bundle(laptop, out, everything=True, plaintext=True).path
        bundles = [p for p in folder.iterdir() if p.name.endswith(".bundle")] + [everything]
        assert len(bundles) >= 2
        assert not [p.name for p in bundles if "Darren" in texts(p)]


def test_a_purged_session_whose_words_nothing_else_holds_leaves_no_map(data_dir: Path) -> None:
    sent, kept = make_laptop(data_dir)
    with open_folder(data_dir) as store:
        purging.purge(store, [sent])
        assert store.pseudonyms.of(sent) == []
        assert [p.real for p in store.pseudonyms.of(kept)] == ["Ospreyreal"]


def test_a_session_purged_by_force_never_shows_as_held_at_the_office(cli: Cli, data_dir: Path) -> None:
    """Confirmed once, then edited: the office does not hold the edit. Purged by force, it
    shows as removed here, not as at the office, in the list and in its JSON."""
    sent, kept = make_laptop(data_dir)
    with open_folder(data_dir) as store:
        confirm(store, kept, CONFIRMED_AT)
        store.postits.add(kept, 1, "agree", "added after the office confirmed it")
    assert cli("purge", kept, sent, "--force", "--yes").exit_code == 0

    listed = {row["id"]: row for row in json.loads(cli("session", "list", "--json").stdout)}
    assert (listed[kept]["sync_status"], listed[kept]["confirmed_at"]) == ("purged", None)
    assert listed[sent]["confirmed_at"] == CONFIRMED_AT
    table = {line.split("\t")[0]: line.split("\t") for line in cli("session", "list").stdout.splitlines()}
    assert table[kept][6:] == ["purged", "removed here"]
    assert table[sent][6:] == ["purged", "✓ at office 2026-12-03"]
    with open_folder(data_dir) as store:
        assert session_statuses(store)[kept].confirmed_at is None


def test_deleting_a_purged_session_keeps_none_of_its_words_in_the_stub(cli: Cli, data_dir: Path) -> None:
    sent, _kept = make_laptop(data_dir)
    assert cli("purge", sent).exit_code == 0
    assert cli("session", "delete", sent, "--yes").exit_code == 0

    meta = [row for row in whole_database(data_dir)["meta"] if sent in str(row[0])]
    assert meta and not [row for row in meta if "Adult focus group 1" in str(row[1])]
    assert sent not in cli("session", "list").stdout
    with open_folder(data_dir) as store:
        assert session_statuses(store)[sent].status == PURGED  # its rows are still left out of merges


def test_a_purged_session_the_office_deletes_keeps_none_of_its_words_in_the_stub(tmp_path: Path) -> None:
    from facilitator.sync import merge as sync
    from tests.sync_helpers import new_session, open_store, take

    laptop, office = open_store(tmp_path / "laptop"), open_store(tmp_path / "office")
    with laptop, office:
        session = new_session(laptop, "Kestrel group")
        laptop.postits.add(session.id, 1, "agree", "Kestrelcomment")
        take(office, sync.export_bundle(laptop, tmp_path, plaintext=True).path)
        confirm(laptop, session.id, CONFIRMED_AT)
        purging.purge(laptop, [session.id])

        office.sessions.delete(session.id)
        result = take(laptop, sync.export_bundle(office, tmp_path, plaintext=True).path)

        assert result.skipped is None
        assert session_statuses(laptop)[session.id].status == PURGED
    assert b"Kestrel" not in file_bytes(tmp_path / "laptop")


def test_a_purge_while_another_program_reads_the_file_says_the_words_stay_until_it_closes(
    data_dir: Path,
) -> None:
    sent, _kept = make_laptop(data_dir)
    reader = connect_to(data_dir)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM postits").fetchall()  # a second window, reading
        with open_folder(data_dir) as store:
            store.db.execute("PRAGMA busy_timeout = 100")  # not half a minute of waiting for the reader
            done = purging.purge(store, [sent])
        assert [p.session_id for p in done.purged] == [sent]
        (said,) = done.skipped
        assert said.startswith("warning: another program") and "stay in the file until it is closed" in said
    finally:
        reader.rollback()
        reader.close()
    with open_folder(data_dir):
        pass
    assert not [word for word in SENT_WORDS if word.encode() in file_bytes(data_dir)]


def test_a_map_kept_for_another_session_goes_when_that_session_is_purged_too(tmp_path: Path) -> None:
    from facilitator.sync import merge as sync
    from tests.sync_helpers import new_session, open_store

    with open_store(tmp_path / "laptop") as laptop:
        first, second = new_session(laptop, "Group 1"), new_session(laptop, "Group 2")
        laptop.pseudonyms.add(first.id, "Kestrelreal", "Sam")
        laptop.postits.add(second.id, 1, "agree", "Kestrelreal came here too")
        sync.export_bundle(laptop, tmp_path, plaintext=True)
        confirm(laptop, first.id, CONFIRMED_AT)
        confirm(laptop, second.id, CONFIRMED_AT)

        assert purging.purge(laptop, [first.id]).purged
        assert [p.real for p in laptop.pseudonyms.of(first.id)] == ["Kestrelreal"]  # Group 2 needs it
        assert purging.purge(laptop, [second.id]).purged
        assert laptop.pseudonyms.of(first.id) == []
    assert b"Kestrelreal" not in file_bytes(tmp_path / "laptop")


def test_a_confirmed_session_with_an_open_conflict_is_kept_until_someone_reviews_it(
    cli: Cli, data_dir: Path
) -> None:
    """A version that lost a merge here may never have reached the office: a purge would lose it."""
    sent, _kept = make_laptop(data_dir)
    with open_folder(data_dir) as store:
        postit = store.postits.of(sent)[0]
        version = store.sync.row("postits", postit.id)
        assert version is not None
        losing = {
            **version,
            "comment": "Kestrelcomment the words that lost",
            "updated_at": "2026-11-01T00:00:00.000000Z",
        }
        with store.write() as writer:
            store.sync.record_versions(writer, "postits", list(losing), [tuple(losing.values())])
        assert sync_merge.open_conflict_count(store) == 1
    before = whole_database(data_dir)
    assert_refused(cli("purge", sent), "open sync conflict")
    listed = cli("purge", "--confirmed")
    assert listed.exit_code == 0 and "open sync conflict" in listed.stdout + listed.stderr
    assert whole_database(data_dir) == before
    with open_folder(data_dir) as store:
        (conflict,) = sync_merge.conflicts(store)
        sync_merge.resolve_conflict(store, conflict.id, take_other=False)
        confirm(store, sent, CONFIRMED_AT)
    assert cli("purge", sent).exit_code == 0
    listed_now = {s["id"]: s for s in json.loads(cli("session", "list", "--json").stdout)}
    assert listed_now[sent]["sync_status"] == "purged"
