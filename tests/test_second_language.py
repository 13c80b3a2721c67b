"""A statement set in two languages: the set file, the session that freezes it, and sync."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from facilitator.core.errors import FacilitatorError
from facilitator.core.statements import Language, load_statement_set, parse_statement_set
from facilitator.store import SessionDetails, Store
from facilitator.store.records import check_frozen_scale, check_frozen_statements
from facilitator.sync import merge as sync
from tests.conftest import DEFAULT_SET
from tests.sync_helpers import open_store, take

REPO = Path(__file__).resolve().parent.parent
TWO_LANGUAGES = REPO / "tests" / "fixtures" / "two-languages.toml"
WELSH = Language("cy", "Cymraeg")


def set_with(language: Any) -> dict[str, Any]:
    """A two-statement set with the given `language` table."""
    return {
        "id": "x",
        "title": "X",
        "scale": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}],
        "statements": [{"text": "One"}, {"text": "Two"}],
        "language": language,
    }


def test_a_set_carries_a_second_language_for_its_statements_and_labels() -> None:
    two = load_statement_set(TWO_LANGUAGES)
    assert two.language == WELSH
    assert [(s.text, s.second) for s in two.statements] == [
        (
            "I expect my social worker to listen to me",
            "Rwy'n disgwyl i'm gweithiwr cymdeithasol wrando arna i",
        ),
        ("Social workers don't understand me", "Dydy gweithwyr cymdeithasol ddim yn fy neall i"),
    ]
    assert [c.second_label for c in two.scale] == ["Cytuno", "Ddim yn siŵr", "Anghytuno"]


def test_the_shipped_set_has_one_language() -> None:
    shipped = load_statement_set(REPO / "statements" / f"{DEFAULT_SET}.toml")
    assert shipped.language is None
    assert "[language.cy]" in (REPO / "statements" / f"{DEFAULT_SET}.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ({"cy": {"name": "Cymraeg", "statements": ["Un"]}},
         "language cy has 1 statements, the set has 2: give one for each, in order"),
        ({"cy": {"name": "Cymraeg", "statements": ["Un", "Dau", "Tri"]}}, "has 3 statements, the set has 2"),
        ({"cy": {"name": "Cymraeg", "statements": ["Un", 2]}}, "language cy statement 2 must be text"),
        ({"cy": {"name": "Cymraeg", "statements": ["Un", "  "]}}, "language cy statement 2 is empty"),
        ({"cy": {"name": "Cymraeg", "statements": ["Un", "x" * 301]}}, "(301 characters; 300 at most)"),
        ({"cy": {"statements": ["Un", "Dau"]}}, "language cy is missing 'name'"),
        ({"cy": {"name": "", "statements": ["Un", "Dau"]}}, "language cy's name is empty"),
        ({"Welsh!": {"name": "Cymraeg", "statements": ["Un", "Dau"]}}, "code 'Welsh!' must be like 'cy'"),
        ({"cy": {"name": "Cymraeg", "statements": ["Un", "Dau"]},
          "gd": {"name": "Gàidhlig", "statements": ["Aon", "Dhà"]}}, "a set has one second language, not 2"),
        ({"cy": {"name": "Cymraeg", "statements": ["Un", "Dau"], "labels": {"maybe": "Efallai"}}},
         "labels name categories the scale lacks: maybe"),
        ({"cy": {"name": "Cymraeg", "statements": ["Un", "Dau"], "labels": {"yes": ""}}},
         "language cy label yes is empty"),
        ({"cy": {"name": "Cymraeg", "statements": ["Un", "Dau"], "title": "X"}}, "unknown fields: title"),
        ("cy", "language must be a table"),
    ],
)  # fmt: skip
def test_a_bad_second_language_is_refused_saying_what_is_wrong(language: Any, expected: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_statement_set(set_with(language))
    assert expected in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [("consent", 3, "consent must be text"), ("privacy", "x" * 1501, "privacy is too long")],
)
def test_a_bad_consent_script_or_privacy_reminder_is_refused(name: str, value: object, expected: str) -> None:
    data = set_with({"cy": {"name": "Cymraeg", "statements": ["Un", "Dau"]}}) | {name: value}
    with pytest.raises(ValueError, match=expected):
        parse_statement_set(data)


def create(store: Store, path: Path, label: str = "Grŵp 1") -> str:
    details = SessionDetails(label=label, cohort="adults", setting="community", date="2010-03-04")
    return store.sessions.create(load_statement_set(path), details).id


def test_a_session_freezes_both_languages_and_reads_them_back(tmp_path: Path) -> None:
    with open_store(tmp_path / "laptop") as store:
        session = store.sessions.get(create(store, TWO_LANGUAGES))
        assert session.language == WELSH
        assert session.statement(2).second == "Dydy gweithwyr cymdeithasol ddim yn fy neall i"
        assert session.scale.get("neutral").second_label == "Ddim yn siŵr"
        old = store.sessions.get(create(store, REPO / "statements" / f"{DEFAULT_SET}.toml", "One language"))
        assert old.language is None
        stored = {s.id: s for s in (session, old)}
    # A one-language session is stored exactly as before; a second language rides along in the same JSON.
    assert next(s.to_dict() for s in old.statements) == {
        "number": 1,
        "text": "I expect my social worker to listen to me",
    }
    assert next(s.to_dict() for s in stored[session.id].statements)["second"] == {
        "code": "cy", "name": "Cymraeg", "text": "Rwy'n disgwyl i'm gweithiwr cymdeithasol wrando arna i"
    }  # fmt: skip


def test_the_row_validators_accept_the_frozen_second_language_and_refuse_a_damaged_one() -> None:
    two = load_statement_set(TWO_LANGUAGES)
    statements = json.dumps([s.to_dict() for s in two.statements])
    assert check_frozen_statements(statements) == two.statements
    assert check_frozen_scale(json.dumps(two.scale.to_list())) == two.scale
    damaged = [s.to_dict() for s in two.statements]
    del damaged[1]["second"]["name"]
    with pytest.raises(FacilitatorError, match="statement 2: its second language must have a code, a name"):
        check_frozen_statements(json.dumps(damaged))
    mixed = [s.to_dict() for s in two.statements]
    del mixed[1]["second"]
    with pytest.raises(FacilitatorError, match="the same second language"):
        check_frozen_statements(json.dumps(mixed))
    untidy = [s.to_dict() for s in two.statements]
    untidy[0]["second"]["text"] = "  Rwy'n  "
    with pytest.raises(FacilitatorError, match="not in the form a session stores"):
        check_frozen_statements(json.dumps(untidy))


def test_a_two_language_session_travels_to_the_office_in_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with open_store(tmp_path / "laptop") as laptop, open_store(tmp_path / "office") as office:
        session_id = create(laptop, TWO_LANGUAGES)
        laptop.postits.add(session_id, 2, "agree", "yes")
        path = sync.export_bundle(laptop, tmp_path / "out", plaintext=True).path
        assert path is not None
        take(office, path)
        arrived = office.sessions.get(session_id)
        assert arrived.language == WELSH
        assert arrived.statements == laptop.sessions.get(session_id).statements
        assert arrived.scale == laptop.sessions.get(session_id).scale
