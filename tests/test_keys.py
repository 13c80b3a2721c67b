"""`keys new`, `keys trust`, `keys show`: the office's identity and the laptops' recipient."""

from __future__ import annotations

import stat

from click.testing import CliRunner

from facilitator.cli import main


def run(tmp_path, *args):
    return CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), *args])


def test_keys_new_writes_an_owner_only_identity_and_prints_the_recipient(tmp_path):
    out = tmp_path / "office.key"
    result = run(tmp_path, "keys", "new", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    recipient = result.stdout.strip()
    assert recipient.startswith("age1") and len(recipient) == 62
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    assert f"# public key: {recipient}" in text and "AGE-SECRET-KEY-1" in text


def test_keys_new_never_overwrites(tmp_path):
    out = tmp_path / "office.key"
    out.write_text("precious")
    result = run(tmp_path, "keys", "new", "--out", str(out))
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert out.read_text() == "precious"
    assert list(tmp_path.glob(".office.key*")) == []


def test_keys_trust_checks_and_stores_the_recipient(tmp_path):
    recipient = run(tmp_path, "keys", "new", "--out", str(tmp_path / "k")).stdout.strip()
    bad = run(tmp_path, "keys", "trust", "age1notakey")
    assert bad.exit_code == 2 and "not an age recipient" in bad.stderr
    secret = (tmp_path / "k").read_text().splitlines()[-1]
    leaked = run(tmp_path, "keys", "trust", secret)
    assert leaked.exit_code == 2 and "private identity" in leaked.stderr
    assert "recipient\tnone" in run(tmp_path, "keys", "show").stdout
    assert run(tmp_path, "keys", "trust", recipient).exit_code == 0
    shown = run(tmp_path, "keys", "show").stdout
    assert f"recipient\t{recipient}" in shown and shown.startswith("device\t")


def test_an_identity_file_that_is_not_one_is_refused(tmp_path):
    (tmp_path / "bundle.bundle").write_bytes(b"facilitator-bundle 1 age\nxx")
    (tmp_path / "not-a-key").write_text("hello\n")
    result = run(
        tmp_path, "sync", "import", str(tmp_path / "bundle.bundle"), "--identity", str(tmp_path / "not-a-key")
    )
    assert result.exit_code == 2
    assert "not an age identity file" in result.stderr
