"""The use cases both front ends call, run directly over a temporary data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.actions import exports, imports, postits, sessions
from facilitator.actions import sync as sync_actions
from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.discussion import codebook
from facilitator.store import Session, SessionDetails, Store
from facilitator.sync import keys
from facilitator.sync import merge as sync
from tests.sync_helpers import bundles_split_from_parents, open_store

SET_ID = "does-social-work-care"
PHONE = "07700 900123"


def details(label: str = "Adult focus group 1", consultation: str = "") -> SessionDetails:
    return SessionDetails(
        label=label, cohort="adults", setting="community", consultation=consultation, date="2010-03-01"
    )


def theme_names(store: Store, session: Session) -> list[str]:
    return [t.name for t in codebook.themes(store, codebook.Codebook.of(session))]


# ---------------------------------------------------------------- sessions


def test_a_new_session_has_its_sets_starter_themes(workspace: Workspace) -> None:
    session = sessions.create_session(workspace, SET_ID, details())
    starter = workspace.catalogue().get(SET_ID).themes
    assert sorted(theme_names(workspace.store, session)) == sorted(starter)
    assert sessions.seed_codebook(workspace, session) == 0  # a codebook in use is never seeded again


def test_an_unknown_statement_set_creates_nothing(workspace: Workspace) -> None:
    with pytest.raises(FacilitatorError):
        sessions.create_session(workspace, "no-such-set", details())
    assert workspace.store.sessions.all() == []


def test_a_session_that_joins_a_consultation_finds_its_codebook_seeded(workspace: Workspace) -> None:
    session = sessions.create_session(workspace, SET_ID, details())
    edited = sessions.edit_session(workspace, session.id, details(consultation="Care 2010"))
    assert edited.consultation == "Care 2010"
    assert len(theme_names(workspace.store, edited)) == len(workspace.catalogue().get(SET_ID).themes)


def test_close_twice_reopen_and_delete(store: Store, session: Session) -> None:
    assert not sessions.close_session(store, session.id).already
    again = sessions.close_session(store, session.id)
    assert again.already and again.session.is_closed
    assert not sessions.reopen_session(store, session.id).is_closed
    sessions.delete_session(store, session.id)
    assert store.sessions.all() == []


# ---------------------------------------------------------------- post-its


def test_record_edit_move_delete_and_restore_a_postit(store: Store, session: Session) -> None:
    recorded = postits.record_postit(store, session, 1, "agree", "as written", "P1")
    assert not recorded.into_closed_session
    postit = recorded.postit
    assert (postit.response_key, postit.comment, postit.participant) == ("agree", "as written", "P1")

    edited = postits.edit_postit(store, postit.id, "corrected")
    assert (edited.before.comment, edited.after.comment) == ("as written", "corrected")

    moved = postits.move_postit(store, postit.id, "5")  # an entry key, as the wall's keys give
    assert (moved.before.response_key, moved.after.response_key) == ("agree", "strongly_disagree")
    assert not postits.move_postit(store, postit.id, "strongly_disagree").changed

    deleted = postits.delete_postit(store, postit.id)
    assert store.postits.of(session.id) == []
    assert postits.restore_postit(store, deleted).comment == "corrected"
    assert [p.id for p in store.postits.of(session.id)] == [postit.id]


def test_a_postit_in_a_closed_session_is_recorded_and_flagged(store: Store, session: Session) -> None:
    closed = sessions.close_session(store, session.id).session
    assert postits.record_postit(store, closed, 2, "neutral").into_closed_session
    assert len(store.postits.of(session.id)) == 1


def test_a_bad_postit_is_refused_and_nothing_is_written(store: Store, session: Session) -> None:
    with pytest.raises(FacilitatorError):
        postits.record_postit(store, session, 99, "agree")
    assert store.postits.of(session.id) == []


# ---------------------------------------------------------------- CSV import


def test_import_a_transcribed_wall_and_notice_a_second_import(
    store: Store, session: Session, tmp_path: Path
) -> None:
    wall = tmp_path / "wall.csv"
    wall.write_text("statement,response,comment\n1,agree,fair\n2,5,\n", encoding="utf-8")
    first = imports.import_postits(store, session, wall)
    assert (first.count, first.repeats) == (2, 0)
    second = imports.import_postits(store, session, wall)
    assert (second.count, second.repeats) == (2, 2)
    assert len(store.postits.of(session.id)) == 4


def test_an_export_csv_reads_back_into_another_session(
    workspace: Workspace, session: Session, tmp_path: Path
) -> None:
    store = workspace.store
    postits.record_postit(store, session, 3, "disagree", "=SUM(A1)", "P2")
    exported = exports.export_session(store, session, "csv", str(tmp_path / "wall.csv"))
    other = sessions.create_session(workspace, SET_ID, details("Adult focus group 2"))
    assert imports.import_postits(store, other, Path(exported.written[0])).count == 1
    (copied,) = store.postits.of(other.id)
    assert (copied.statement_number, copied.response_key, copied.comment, copied.participant) == (
        3,
        "disagree",
        "=SUM(A1)",
        "P2",
    )


def test_one_bad_row_imports_nothing_and_names_its_line(
    store: Store, session: Session, tmp_path: Path
) -> None:
    wall = tmp_path / "wall.csv"
    wall.write_text("statement,response\n1,agree\n2,no such answer\n", encoding="utf-8")
    with pytest.raises(FacilitatorError, match=r"wall.csv line 3: .*nothing imported"):
        imports.import_postits(store, session, wall)
    assert store.postits.of(session.id) == []


# ---------------------------------------------------------------- bundles


def test_bundles_whose_parents_come_in_a_later_bundle_are_retried(tmp_path: Path) -> None:
    children, parents, session_id = bundles_split_from_parents(tmp_path / "laptop", tmp_path / "usb")
    with open_store(tmp_path / "office") as office:
        done = sync_actions.import_bundles(office, [children, parents], allow_plaintext=True)
        assert done.refused == []
        assert [o.path for o in done.outcomes] == [parents, children]  # the post-its after their session
        assert sorted(p.comment for p in office.postits.of(session_id)) == ["said first", "said second"]


def test_a_bundle_whose_parents_never_come_is_refused_alone(tmp_path: Path) -> None:
    children, _parents, _session_id = bundles_split_from_parents(tmp_path / "laptop", tmp_path / "usb")
    junk = tmp_path / "usb" / "0-junk.bundle"
    junk.write_bytes(b"not a bundle")
    with open_store(tmp_path / "office") as office:
        done = sync_actions.import_bundles(office, [junk, children], allow_plaintext=True)
        assert done.imported == []
        assert [type(o.error) for o in done.refused] == [sync.BundleError, sync.MissingParents]
        assert office.sessions.all() == []


def test_the_recipient_is_the_trusted_one_or_at_the_office_its_own(store: Store, tmp_path: Path) -> None:
    identity = tmp_path / "office.key"
    office_key = keys.new_identity(identity)
    identities = keys.load_identities(identity)
    assert sync_actions.needs_recipient(store, plaintext=False)
    assert not sync_actions.needs_recipient(store, plaintext=True)
    assert not sync_actions.needs_recipient(store, plaintext=False, identity_given=True)
    assert sync_actions.recipients_for(store, identities, plaintext=False) == [office_key]
    assert sync_actions.recipients_for(store, identities, plaintext=True) is None
    with open_store(tmp_path / "office") as office:
        code, _previous = sync_actions.make_office(office, tmp_path / "other.key")
    assert sync_actions.trust_office(store, str(code)) == (code, None)
    assert keys.trusted(store) == code.recipient
    assert sync_actions.recipients_for(store, identities, plaintext=False) is None  # the trusted one
    assert not sync_actions.needs_recipient(store, plaintext=False)


def test_export_a_bundle_then_sync_a_folder(store: Store, session: Session, tmp_path: Path) -> None:
    identity = tmp_path / "office.key"
    with open_store(tmp_path / "office") as office:
        code, _previous = sync_actions.make_office(office, identity)
        sync_actions.trust_office(store, str(code))
        sync_actions.enrol_device(office, str(sync_actions.enrolment_code(store)), "Laptop 1")
    postits.record_postit(store, session, 1, "agree")
    made = sync_actions.export_bundle(store, tmp_path)
    assert made.made.encrypted and made.new_rows > 0 and made.sent_again < made.made.rows
    folder = tmp_path / "usb"
    folder.mkdir()
    # Nothing new since, but the office has not confirmed the session: it goes on the stick.
    first = sync_actions.sync_folder(store, folder).done
    assert first.exported is not None and (first.unconfirmed, first.confirmed) == (1, 0)
    postits.record_postit(store, session, 2, "neutral")
    synced = sync_actions.sync_folder(store, folder)
    assert synced.done.exported is not None and synced.done.imported == []
    with open_store(tmp_path / "office") as office:
        taken = sync_actions.sync_folder(office, folder, identity)
        assert [r.counts.added > 0 for r in taken.done.imported] == [True, True]
        assert taken.done.exported is not None and taken.done.exported.encrypted  # to its own key
        assert [p.name for p in taken.done.acknowledgements] == [f"ack-{store.device_id}.facilitator-ack"]
    back = sync_actions.sync_folder(store, folder).done
    assert back.exported is None and (back.newly_confirmed, back.confirmed) == ([session.id], 1)


# ---------------------------------------------------------------- exports


def test_exports_return_the_privacy_findings(store: Store, session: Session, tmp_path: Path) -> None:
    postits.record_postit(store, session, 1, "agree", f"ring me on {PHONE}")
    as_json = exports.export_session(store, session, "json", "-")
    assert as_json.written == [] and as_json.text is not None and PHONE in as_json.text
    assert [f.kind for f in as_json.findings] == ["phone"]
    notes_only = exports.export_session(store, session, "csv", str(tmp_path / "notes.csv"), table="notes")
    assert notes_only.written == [str(tmp_path / "notes.csv")] and notes_only.findings == []
    page = exports.export_session(store, session, "html", "-")
    assert page.text is not None and page.text.startswith("<!DOCTYPE html>")
    with pytest.raises(FacilitatorError, match="Markdown summary needs --out FILE"):
        exports.export_session(store, session, "md", "-")


def test_a_summary_goes_into_the_exports_folder_with_its_findings(
    workspace: Workspace, session: Session
) -> None:
    postits.record_postit(workspace.store, session, 1, "agree", f"ring me on {PHONE}")
    first = exports.export_summary_to_folder(workspace.store, session, "html", workspace.data_dir)
    second = exports.export_summary_to_folder(workspace.store, session, "html", workspace.data_dir)
    assert first.written != second.written and all(Path(p).is_file() for p in first.written + second.written)
    assert [f.line() for f in first.findings] == [
        f"statement 1 post-it: phone '{PHONE}' (looks like a phone number)"
    ]


def test_a_word_summary_goes_into_the_exports_folder_and_a_second_one_gets_a_new_name(
    workspace: Workspace, session: Session
) -> None:
    from docx import Document

    postits.record_postit(workspace.store, session, 1, "agree", f"ring me on {PHONE}")
    first = exports.export_to_folder(workspace.store, session, "docx", workspace.data_dir)
    kept = Path(first.written[0]).read_bytes()
    second = exports.export_to_folder(workspace.store, session, "docx", workspace.data_dir)
    folder = workspace.data_dir / "exports"
    assert [Path(p).name for p in first.written + second.written] == [
        "adult-focus-group-1-2010-03-01.docx",
        "adult-focus-group-1-2010-03-01-2.docx",
    ]
    # The charts are inside the documents: nothing else is written beside them.
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        Path(p).name for p in first.written + second.written
    )
    assert Path(first.written[0]).read_bytes() == kept
    opened = Document(second.written[0])
    assert opened.paragraphs[0].text == "Session summary: Adult focus group 1"
    assert [f.kind for f in second.findings] == ["phone"]


def test_write_the_report_with_its_findings(store: Store, session: Session, tmp_path: Path) -> None:
    postits.record_postit(store, session, 1, "agree", f"ring me on {PHONE}")
    written = exports.write_report(store, tmp_path / "report", ("svg",), session_refs=[session.id])
    assert written.page.is_file() and written.charts > 0
    assert [s.id for s in written.sessions] == [session.id]
    assert [f.kind for f in written.findings] == ["phone"]
