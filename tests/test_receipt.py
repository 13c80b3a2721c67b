"""QR receipts: made when a session closes, checked at the office."""

from __future__ import annotations

from click.testing import CliRunner

from facilitator.cli import main
from facilitator.exercise import receipt
from tests.sync_helpers import new_session, open_store


def run(data_dir, *args):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def make_session(data_dir):
    with open_store(data_dir) as store:
        session = new_session(store)
        first = store.postits.add(session.id, 1, "agree", "good worker")
        store.postits.add(session.id, 1, "strongly_disagree")
        store.postits.add(session.id, 3, "neutral", "not sure", participant="P2")
        store.sessions.close(session.id)
        return session.id, first.id


def test_receipt_png_verify_round_trip_detects_one_changed_postit(tmp_path):
    data = tmp_path / "data"
    session_id, first = make_session(data)
    png = tmp_path / "receipt.png"
    made = run(data, "receipt", session_id, "--png", str(png))
    assert made.exit_code == 0, made.stderr
    assert made.stdout.startswith(
        f"facilitator-receipt/1 session={session_id} counts=0.1.0.0.1/0.0.0.0.0/0.0.1.0.0/"
    )
    assert png.read_bytes().startswith(b"\x89PNG")
    ok = run(data, "receipt", "verify", str(png))
    assert ok.exit_code == 0 and ok.stdout.startswith("ok:")
    with open_store(data) as store:
        store.postits.edit(first, "good worker!")
    changed = run(data, "receipt", "verify", str(png))
    assert changed.exit_code == 1
    assert "same counts, but a post-it's comment" in changed.stdout
    with open_store(data) as store:
        store.postits.move(first, "disagree")
    moved = run(data, "receipt", "verify", made.stdout.splitlines()[0])
    assert moved.exit_code == 1
    assert "statement 1 agree: receipt 1, here 0" in moved.stdout
    assert "statement 1 disagree: receipt 0, here 1" in moved.stdout


def test_receipt_prints_text_and_a_terminal_qr_code(tmp_path):
    session_id, _ = make_session(tmp_path / "data")
    shown = run(tmp_path / "data", "receipt", session_id)
    assert shown.exit_code == 0
    text, *qr = shown.stdout.splitlines()
    assert receipt.parse(text).session_id == session_id
    assert len(qr) > 20 and "█" in qr[0]


def test_a_receipt_for_a_session_not_here(tmp_path):
    session_id, _ = make_session(tmp_path / "laptop")
    text = run(tmp_path / "laptop", "receipt", session_id).stdout.splitlines()[0]
    result = run(tmp_path / "office", "receipt", "verify", text)
    assert result.exit_code == 1
    assert "not in this database" in result.stdout


def test_verify_refuses_what_is_not_a_receipt(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "blank.png").write_bytes(receipt.qr_png("something else"))
    for argument, needle in (
        ("hello", "not a facilitator receipt"),
        (str(tmp_path / "notes.txt"), "not a facilitator receipt"),
        (str(tmp_path / "blank.png"), "no facilitator receipt QR code"),
        ("facilitator-receipt/9 session=x", "newer facilitator"),
    ):
        result = run(tmp_path / "data", "receipt", "verify", argument)
        assert result.exit_code == 2, argument
        assert needle in result.stderr and result.stderr.count("\n") == 1


def test_the_html_summary_can_embed_the_qr_code_as_a_data_uri(tmp_path):
    session_id, _ = make_session(tmp_path / "data")
    with open_store(tmp_path / "data") as store:
        uri = receipt.session_qr_data_uri(store, store.sessions.get(session_id))
    assert uri.startswith("data:image/png;base64,iVBORw0KGgo")
