"""Names never leave the laptop: what the office gets holds the changed names only.

A laptop's session mentions "Darren" in its comments, notes, quotes, case studies,
theme names, label, location, facilitators, roster and chart pool, and its map says
Darren -> Dave. The laptop sends an encrypted bundle; the office imports it as a
person does, from the command line. Nothing the office holds, exports or prints
names Darren, and the laptop still has its own words.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from facilitator.discussion import codebook, roster
from facilitator.discussion.anonymity import remove_pseudonym, set_pseudonym
from facilitator.discussion.notes import add_note
from facilitator.exercise import pools, receipt
from facilitator.store import SessionDetails
from facilitator.store.sync_state import META_LAST_EXPORT
from facilitator.sync import merge
from facilitator.sync.keys import load_identities
from facilitator.sync.outgoing import outgoing_rows
from tests.folders import open_folder
from tests.sync_helpers import SET_ID, Place, whole_database

NAME = re.compile("darren", re.IGNORECASE)


class Room:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.office = Place(tmp_path / "office")
        self.laptop = Place(tmp_path / "laptop")
        self.identity = tmp_path / "office.key"
        self.stick = tmp_path / "stick"
        self.stick.mkdir()
        self.session = ""
        self.note = ""

    def send(self) -> Path:
        """Export the laptop's new changes to the stick, encrypted to the office."""
        with self.laptop.store() as store:
            return merge.export_bundle(store, self.stick).path

    def receive(self, path: Path) -> str:
        return self.office.ok("sync", "import", str(path), "--identity", str(self.identity))

    def opened(self, path: Path) -> str:
        """Every table and row of a bundle, decrypted with the office's identity, as text."""
        return json.dumps(self.rows(path), ensure_ascii=False)

    def rows(self, path: Path) -> dict[str, list[dict[str, object]]]:
        """A bundle's rows by table, each as column: value, decrypted with the office's identity."""
        with self.office.store() as office:
            read = merge.read_bundle(office, path, load_identities(self.identity))
        assert read.encrypted
        return {t.table: [dict(zip(t.columns, row, strict=True)) for row in t.rows] for t in read.tables}


@pytest.fixture
def room(tmp_path: Path) -> Room:
    """An office, an enrolled laptop, and a session on it that names Darren everywhere."""
    room = Room(tmp_path)
    code = room.office.ok("keys", "new", "--out", str(room.identity)).strip().splitlines()[0]
    room.laptop.ok("keys", "trust", code)
    room.office.ok("devices", "enrol", room.laptop.ok("keys", "show", "--enrolment").strip(), "--label", "L1")
    from facilitator.actions.data_folder import Workspace

    with room.laptop.store() as store:
        statement_set = Workspace.at(room.laptop.data_dir).catalogue().get(SET_ID)
        details = SessionDetails(
            label="Darren's group",
            cohort="adults",
            setting="prison",
            consultation="Care 2010 near Darren",
            location="Darren wing",
            facilitators=("AB", "Darren"),
        )
        session = store.sessions.create(statement_set, details)
        other = store.sessions.create(
            statement_set,
            SessionDetails(
                label="Second group", cohort="adults", setting="prison", consultation="Care 2010 near Darren"
            ),
        )
        room.session = session.id
        # The same person comes up in the consultation's other group, whose map is empty.
        store.postits.add(other.id, 1, "agree", "Darren came to our group too")
        store.postits.add(session.id, 1, "agree", "Darren said the social worker never listened")
        store.postits.add(session.id, 2, "disagree", "my worker was fine, DARREN'S was not")
        store.postits.add(session.id, 3, "neutral", "no names here")
        roster.add_participant(store, session.id, "P1", "male", cohort="Darren's lot")
        codebook.add_theme(store, session, "Trust in Darren")
        room.note = add_note(store, session.id, "darren: they never came back", kind="quote").id
        add_note(
            store, session.id, "Darren was moved three times", kind="case_study", themes=("Darren moves",)
        )
        add_note(store, session.id, "The group talked about Darren's visits")
        pools.save_pool(store, "Darren and the second group", [session.id, other.id])
        set_pseudonym(store, session.id, "Darren", "Dave")
    return room


def office_outputs(room: Room) -> str:
    """Everything the office shows of the session: CSVs, summaries, report, conflicts, lists."""
    office, session, out = room.office, room.session, room.tmp / "office-out"
    with office.store() as store:
        (title,) = [c.title for c in store.consultations.all()]
    out.mkdir(exist_ok=True)
    said = [
        office.said("export", session, "--format", "csv", "--table", "postits", "--out", "-"),
        office.said("export", session, "--format", "csv", "--table", "notes", "--out", "-"),
        office.said("export", session, "--format", "json", "--out", "-"),
        office.said("export", session, "--format", "md", "--out", str(out / "summary.md")),
        office.said("export", session, "--format", "html", "--out", str(out / "summary.html")),
        office.said("report", "--session", session, "--format", "svg", "--out", str(out / "report")),
        office.said("report", "--consultation", title, "--format", "svg", "--out", str(out / "all")),
        office.said("sync", "conflicts"),
        office.said("session", "list"),
        office.said("themes", session),
        office.said("note", "list", session),
        office.said("pool", "list"),
    ]
    texts = [text for pair in said for text in pair]
    texts += [
        path.read_text(encoding="utf-8")
        for path in sorted(out.rglob("*"))
        if path.suffix in (".md", ".html", ".svg")
    ]
    return "\n".join(texts)


def office_database(room: Room) -> str:
    return json.dumps(whole_database(room.office.data_dir), ensure_ascii=False, default=str)


def test_the_bundle_and_everything_the_office_makes_of_it_hold_the_changed_name_only(room):
    path = room.send()
    opened = room.opened(path)
    assert not NAME.search(opened)
    assert "Dave's group" in opened and "DAVE'S was not" in opened and "dave: they never came back" in opened
    assert "Trust in Dave" in opened and "Dave moves" in opened and "Dave's lot" in opened
    assert "Dave and the second group" in opened and "Dave wing" in opened and "Care 2010 near Dave" in opened
    assert "pseudonyms" not in opened

    room.receive(path)
    assert not NAME.search(office_database(room))
    shown = office_outputs(room)
    assert not NAME.search(shown)
    assert "Dave said the social worker never listened" in shown
    with room.office.store() as office:
        assert "Dave came to our group too" in {
            p.comment for p in office.postits.iter_comments([s.id for s in office.sessions.all()], ["agree"])
        }
    assert "Dave was moved three times" in shown

    with room.laptop.store() as laptop:
        comments = {p.comment for p in laptop.postits.of(room.session)}
        assert "Darren said the social worker never listened" in comments
        assert laptop.sessions.get(room.session).label == "Darren's group"
        assert laptop.sessions.get(room.session).facilitators == ("AB", "Darren")


def test_an_export_of_every_row_is_pseudonymised_too(room):
    room.receive(room.send())
    with room.laptop.store() as store:
        path = merge.export_bundle(store, room.stick, everything=True).path
    assert not NAME.search(room.opened(path))
    assert "Dave" in room.opened(path)


def test_changing_the_map_sends_the_rows_again_and_the_office_takes_the_new_name(room):
    room.receive(room.send())
    with room.laptop.store() as store:
        set_pseudonym(store, room.session, "Darren", "Dan")
    path = room.send()
    opened = room.opened(path)
    assert not NAME.search(opened)
    assert (
        "Dan said the social worker" in opened and "Trust in Dan" in opened and "Dan and the second" in opened
    )
    assert "Dave" not in opened
    imported = room.receive(path)
    assert "conflicted 0" in imported

    held = office_database(room)
    assert not NAME.search(held)
    assert not re.search(r"\bdave\b", held, re.IGNORECASE)
    shown = office_outputs(room)
    assert "Dan said the social worker never listened" in shown and "Dan's group" in shown
    assert "Care 2010 near Dan" in shown
    assert not NAME.search(shown) and "no conflicts" in shown


def test_removing_a_mapping_sends_the_rows_again_with_the_real_word(room):
    """Taking a word out of the map is the facilitator saying it is not a name after all."""
    room.receive(room.send())
    with room.laptop.store() as store:
        remove_pseudonym(store, room.session, "Darren")
    room.receive(room.send())
    with room.office.store() as office:
        assert "Darren said the social worker never listened" in {
            p.comment for p in office.postits.of(room.session)
        }


def test_a_map_change_stamps_again_only_this_laptops_rows_that_mention_the_word(room):
    room.receive(room.send())
    with room.laptop.store() as store:
        set_pseudonym(store, room.session, "Smith", "Jones")
        assert not merge.has_new_changes(store)
        set_pseudonym(store, room.session, "NAMES", "words")
        since = store.meta.get(META_LAST_EXPORT) or ""
        changed = {
            table: list(store.sync.changed_rows(table, ["id"], since))
            for table in store.sync.tables()
            if table != "devices"  # this device's own row always goes
        }
        comments = {p.id: p.comment for p in store.postits.of(room.session)}
    assert {t: [comments.get(str(i)) for i in ids] for t, ids in changed.items() if ids} == {
        "postits": ["no names here"]
    }


def test_conflicts_at_the_office_name_no_one(room):
    room.receive(room.send())
    room.office.ok("note", "edit", room.note, "--text", "dave: they came back once")
    with room.laptop.store() as store:
        from facilitator.discussion.notes import edit_note

        edit_note(store, room.note, text="Darren: they never came back, not once")
    imported = room.receive(room.send())
    assert "conflicted 1" in imported
    listed = room.office.ok("sync", "conflicts")
    assert "dave: they came back once" in listed and "Dave: they never came back, not once" in listed
    assert not NAME.search(listed)


def test_a_receipt_made_on_the_laptop_verifies_at_the_office(room):
    with room.laptop.store() as store:
        made = receipt.make_receipt(store, store.sessions.get(room.session)).text
        assert receipt.verify(store, receipt.parse(made)).matches
    room.receive(room.send())
    checked = room.office.ok("receipt", "verify", made)
    assert checked.startswith('ok: this database holds exactly the data of "Dave\'s group"'), checked


def test_a_receipt_made_before_a_map_change_no_longer_matches_the_comments_the_office_will_hold(room):
    with room.laptop.store() as store:
        before = receipt.make_receipt(store, store.sessions.get(room.session))
        set_pseudonym(store, room.session, "Darren", "Dan")
        after = receipt.make_receipt(store, store.sessions.get(room.session))
    assert before.counts == after.counts and before.digest != after.digest


def test_text_a_changed_name_makes_too_long_is_cut_to_fit_without_the_real_name(room):
    with room.laptop.store() as store:
        long_comment = ("Al " * 3333).strip()  # 9,998 characters: within the limit
        store.postits.add(room.session, 4, "agree", long_comment)
        set_pseudonym(store, room.session, "Al", "Alexander")
        columns = ["id", *[c for c in store.sync.columns("postits") if c != "id"]]
        rows = store.sync.own_rows("postits", columns)
        sent = outgoing_rows(store, "postits", columns, rows)
    at = columns.index("comment")
    cut = next(row[at] for row in sent.values() if str(row[at]).startswith("Alexander Alexander"))
    assert len(cut) <= 10_000 and cut.endswith("Alexander…")
    assert not re.search(r"\bal\b", cut, re.IGNORECASE)
    imported = room.receive(room.send())
    assert "added" in imported


def test_outgoing_rows_changes_nothing_without_a_map(tmp_path):
    from tests.sync_helpers import new_session

    with open_folder(tmp_path / "laptop") as store:
        session = new_session(store, data_dir=tmp_path / "laptop")
        store.postits.add(session.id, 1, "agree", "Darren said so")
        for table in store.sync.tables():
            columns = ["id", *[c for c in store.sync.columns(table) if c != "id"]]
            rows = store.sync.own_rows(table, columns)
            assert outgoing_rows(store, table, columns, rows) == rows


def test_a_map_change_leaves_a_row_another_device_wrote_last_as_it_is(tmp_path):
    """That row is the other device's to send: stamping it here would take it over as an edit."""
    from facilitator.discussion.notes import edit_note
    from tests.sync_helpers import new_session, open_store, take

    with open_store(tmp_path / "laptop") as laptop, open_store(tmp_path / "other") as other:
        session = new_session(laptop, data_dir=tmp_path / "laptop")
        mine = add_note(laptop, session.id, "Darren's first note")
        theirs = add_note(laptop, session.id, "Darren's second note")
        take(other, merge.export_bundle(laptop, tmp_path, plaintext=True).path)
        edit_note(other, theirs.id, text="Darren's second note, edited")
        take(laptop, merge.export_bundle(other, tmp_path, plaintext=True).path)
        before = laptop.sync.row("notes", theirs.id)
        mine_before = laptop.sync.row("notes", mine.id)
        set_pseudonym(laptop, session.id, "Darren", "Dave")
        assert laptop.sync.row("notes", theirs.id) == before
        mine_after = laptop.sync.row("notes", mine.id)
    assert before is not None and before["device_id"] == other.device_id
    assert mine_before is not None and mine_after is not None
    assert mine_after["updated_at"] > mine_before["updated_at"]
    assert {k: v for k, v in mine_after.items() if k != "updated_at"} == {
        k: v for k, v in mine_before.items() if k != "updated_at"
    }


def test_the_office_computes_the_laptops_session_digests_over_the_pseudonymised_rows(room):
    from facilitator.sync.status import session_digests

    def both() -> tuple[dict[str, str], dict[str, str]]:
        with room.laptop.store() as laptop, room.office.store() as office:
            return session_digests(laptop), session_digests(office, laptop.device_id)

    room.receive(room.send())
    here, there = both()
    assert here == there and room.session in here
    with room.laptop.store() as laptop:
        set_pseudonym(laptop, room.session, "Darren", "Dan")
    here, there = both()
    assert here[room.session] != there[room.session]
    room.receive(room.send())
    assert both()[0] == both()[1]


def test_a_name_typed_with_another_apostrophe_or_decomposed_leaves_changed(room):
    """The map says O'Brien and Zoë; the comments were typed with a curly apostrophe and with
    an e and a combining diaeresis. Neither reaches the office, first time or after a map change."""
    zoe_decomposed = "Zoe\u0308"
    with room.laptop.store() as store:
        store.postits.add(room.session, 4, "agree", "O’Brien and O‘BRIEN’S mate")
        store.postits.add(
            room.session, 4, "disagree", f"{zoe_decomposed} was there, {zoe_decomposed.upper()}!"
        )
        set_pseudonym(store, room.session, "O'Brien", "Smith")
        set_pseudonym(store, room.session, "Zoë", "Zed")
    first = room.opened(room.send())
    assert "Smith and SMITH’S mate" in first and "Zed was there, ZED!" in first
    with room.laptop.store() as store:
        set_pseudonym(store, room.session, "O'Brien", "Jones")
        set_pseudonym(store, room.session, "Zoë", "Ann")
    again = room.opened(room.send())  # only what changed since: the map change stamped them again
    assert "Jones and JONES’S mate" in again and "Ann was there, ANN!" in again
    for opened in (first, again):
        assert not re.search("brien|zoe|zoë", unicodedata.normalize("NFC", opened), re.IGNORECASE)


def test_moving_a_session_to_another_consultation_sends_its_text_again_so_the_office_holds_it(tmp_path):
    """Its post-its leave with other maps once it moves: they are stamped again, so the office
    takes them as an update (no conflict) and confirms the session as it is now."""
    from facilitator.store import SessionDetails
    from facilitator.sync.status import session_digests
    from tests.sync_helpers import new_session, open_store, take

    laptop, office = open_store(tmp_path / "laptop"), open_store(tmp_path / "office")
    with laptop, office:
        first, second = new_session(laptop, "Group 1"), new_session(laptop, "Group 2")
        set_pseudonym(laptop, first.id, "Darren", "Dave")
        laptop.postits.add(second.id, 1, "agree", "Darren came here too")
        take(office, merge.export_bundle(laptop, tmp_path, plaintext=True).path)
        assert [p.comment for p in office.postits.of(second.id)] == ["Dave came here too"]

        details = SessionDetails(label="Group 2", cohort="adults", setting="community", consultation="Other")
        laptop.sessions.update(second.id, details)
        result = take(office, merge.export_bundle(laptop, tmp_path, plaintext=True).path)

        assert result.counts.conflicted == 0
        assert session_digests(office, laptop.device_id)[second.id] == session_digests(laptop)[second.id]


def test_deleting_the_session_whose_map_changes_a_name_keeps_it_changed_in_the_others(tmp_path):
    """Group 2's comment names Darren, whom only Group 1's map changes. Group 1 is deleted:
    Group 2 still leaves with Dave, stays confirmed, and its map now holds the word."""
    from facilitator.sync.status import CONFIRMED, session_statuses
    from tests.sync_helpers import confirm, new_session, open_store, read_back, remember

    with open_store(tmp_path / "laptop") as laptop:
        remember(laptop)
        first, second = new_session(laptop, "Group 1"), new_session(laptop, "Group 2")
        set_pseudonym(laptop, first.id, "Darren", "Dave")
        laptop.postits.add(second.id, 1, "agree", "Darren came here too")
        merge.export_bundle(laptop, tmp_path, plaintext=True)
        confirm(laptop, second.id, "2026-12-03T10:00:00.000000Z")

        laptop.sessions.delete(first.id)

        assert session_statuses(laptop)[second.id].status == CONFIRMED
        assert [(p.real, p.changed) for p in laptop.pseudonyms.of(second.id)] == [("Darren", "Dave")]
        stick = tmp_path / "stick"
        stick.mkdir()
        merge.sync_folder(laptop, stick, [], plaintext=True)
        everything = merge.export_bundle(
            laptop, tmp_path / "all.bundle", everything=True, plaintext=True
        ).path
        for path in [*stick.glob("*.bundle"), everything]:
            assert not NAME.search(repr([t.rows for t in read_back(path).tables])), path.name
