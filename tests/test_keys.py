"""`keys new`, `keys trust`, `keys show`: the office's identity and code, the laptops' trust."""

from __future__ import annotations

import stat

from click.testing import CliRunner

from facilitator.cli import main


def run(tmp_path, *args):
    return CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), *args])


def test_keys_new_writes_an_owner_only_identity_and_prints_the_office_code(tmp_path):
    out = tmp_path / "office.key"
    result = run(tmp_path, "keys", "new", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    code = result.stdout.strip()
    assert result.stdout.count("\n") == 1
    prefix, _device, recipient, public, fingerprint = code.split(":")
    assert prefix == "facilitator-office"
    assert recipient.startswith("age1") and len(recipient) == 62
    assert len(public) == 43 and len(fingerprint) == 19
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    assert f"# public key: {recipient}" in text and "AGE-SECRET-KEY-1" in text
    assert fingerprint in result.stderr
    assert run(tmp_path, "keys", "show", "--office").stdout.strip() == code


def test_keys_new_never_overwrites(tmp_path):
    out = tmp_path / "office.key"
    out.write_text("precious")
    result = run(tmp_path, "keys", "new", "--out", str(out))
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert out.read_text() == "precious"
    assert list(tmp_path.glob(".office.key*")) == []


def office(tmp_path, *args):
    return CliRunner().invoke(main, ["--data-dir", str(tmp_path / "office"), *args])


def test_keys_trust_checks_and_stores_the_office(tmp_path):
    code = office(tmp_path, "keys", "new", "--out", str(tmp_path / "k")).stdout.strip()
    recipient = code.split(":")[2]
    for bad, says in [
        ("age1notakey", "only the office's encryption key"),
        (recipient, "only the office's encryption key"),
        ((tmp_path / "k").read_text().splitlines()[-1], "private identity"),
        (code[:-1] + ("A" if code[-1] != "A" else "B"), "fingerprint does not match"),
        (code.replace(":", ";"), "not an office code"),
        (code[:60], "not an office code"),
    ]:
        refused = run(tmp_path, "keys", "trust", bad)
        assert refused.exit_code == 2 and says in refused.stderr, (bad, refused.stderr)
        assert refused.stderr.count("\n") == 1
    assert "office\tnone" in run(tmp_path, "keys", "show").stdout
    trusted = run(tmp_path, "keys", "trust", code)
    assert trusted.exit_code == 0, trusted.stderr
    assert code.split(":")[-1] in trusted.stdout  # the fingerprint, to compare with the office's screen
    shown = run(tmp_path, "keys", "show").stdout
    assert f"encrypting to {recipient}" in shown and shown.startswith("device\t")
    assert "role\tlaptop" in shown


def test_an_identity_file_that_is_not_one_is_refused(tmp_path):
    (tmp_path / "bundle.bundle").write_bytes(b"facilitator-bundle 2 age\nxx")
    (tmp_path / "not-a-key").write_text("hello\n")
    result = run(
        tmp_path, "sync", "import", str(tmp_path / "bundle.bundle"), "--identity", str(tmp_path / "not-a-key")
    )
    assert result.exit_code == 2
    assert "not an age identity file" in result.stderr
