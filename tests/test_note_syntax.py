"""The discussion screen's note line: who spoke, what, and which themes, from one typed line."""

from __future__ import annotations

import pytest

from facilitator.ui.note_syntax import ThemeChoice, close_to, line_for, matching, parse

ROSTER = ["P1", "P2", "P3", "P12"]
THEMES = [
    ThemeChoice(1, "t1", "Social workers don't listen"),
    ThemeChoice(2, "t2", "Social workers change too often: no stable relationship"),
    ThemeChoice(3, "t3", "Lack of trust in social workers"),
    ThemeChoice(4, "t4", "Many placements in care"),
]


@pytest.mark.parametrize(
    ("line", "speaker", "text"),
    [
        ("P2: they never came", "P2", "they never came"),
        ("p2: lower case code", "P2", "lower case code"),
        ("2: a number alone", "P2", "a number alone"),
        ("12: two digits", "P12", "two digits"),
        ("?: someone at the back", None, "someone at the back"),
        ("unknown: someone", None, "someone"),
        ("no prefix at all", None, "no prefix at all"),
        ("Honestly: they don't care", None, "Honestly: they don't care"),  # a word, not a code
        ("2:1 against", None, "2:1 against"),  # no space after the colon: not a speaker
    ],
)
def test_speaker_prefix(line: str, speaker: str | None, text: str) -> None:
    draft = parse(line, ROSTER, THEMES)
    assert (draft.speaker, draft.text, draft.speaker_problem) == (speaker, text, None)


def test_speakers_outside_the_roster_are_refused_with_a_reason() -> None:
    assert parse("P9: hello", ROSTER, THEMES).speaker_problem == "P9 is not in the roster (P1, P2, P3, P12)"
    assert parse("7: hello", ROSTER, THEMES).speaker_problem == "no participant numbered 7 in the roster"
    assert parse("P1: hello", ["P1", "Y1"], THEMES).problems == []
    assert parse("1: hello", ["P1", "Y1"], THEMES).speaker_problem == "1 could be P1, Y1: type the code"


def test_without_a_roster_any_code_is_taken_and_a_number_becomes_a_p_code() -> None:
    assert parse("Y7: hi", [], THEMES).speaker == "Y7"
    assert parse("4: hi", [], THEMES).speaker == "P4"


def test_a_leading_quote_mark_makes_a_quote_without_the_marks() -> None:
    draft = parse('P1: "I had nine placements"  #4', ROSTER, THEMES)
    assert (draft.quoted, draft.text, draft.theme_names) == (
        True,
        "I had nine placements",
        ["Many placements in care"],
    )
    assert parse("“curly quotes too”", ROSTER, THEMES).text == "curly quotes too"
    assert not parse("'cause they never came", ROSTER, THEMES).quoted


@pytest.mark.parametrize(
    ("line", "title", "text", "quoted"),
    [
        ("Darren:: moved eleven times", "Darren", "moved eleven times", False),
        ("P1: Darren:: moved", "Darren", "moved", False),
        ('"Darren:: in his words"', "", "Darren:: in his words", True),  # a quote, not a title
        ("Dar\x07ren:: x", "", "Dar\x07ren:: x", False),  # a control character: not a title
        ("std::vector is code", "", "std::vector is code", False),
        ("at 10::30 we met", "", "at 10::30 we met", False),
        ("see http://example.org", "", "see http://example.org", False),
    ],
)
def test_a_title_and_a_double_colon_make_a_titled_case_study(
    line: str, title: str, text: str, quoted: bool
) -> None:
    draft = parse(line, ROSTER, THEMES)
    assert (draft.title, draft.text, draft.quoted) == (title, text, quoted)


@pytest.mark.parametrize(
    ("tags", "names"),
    [
        ("#1", ["Social workers don't listen"]),
        ("#listen", ["Social workers don't listen"]),
        ("#TRUST #placements", ["Lack of trust in social workers", "Many placements in care"]),
        ("#lack of trust in social workers", ["Lack of trust in social workers"]),  # a full name
        ("#3 #trust", ["Lack of trust in social workers"]),  # the same theme once
        ("#housing worries", ["Housing worries"]),  # no match: a new theme, capitalised
        ("#+Work", ["Work"]),  # exactly this name, though 'work' is in other names
        ("#+many placements in care", ["Many placements in care"]),
        ("#listen#trust", ["Social workers don't listen", "Lack of trust in social workers"]),
    ],
)
def test_theme_tags(tags: str, names: list[str]) -> None:
    draft = parse(f"P1: said something {tags}", ROSTER, THEMES)
    assert draft.text == "said something"
    assert draft.theme_names == names
    assert draft.problems == []


def test_unsettled_tags_are_refused_until_chosen() -> None:
    draft = parse("P1: hi #social workers", ROSTER, THEMES)
    assert draft.problems == ["#social workers matches 3 themes: type more, or its number"]
    assert parse("P1: hi #9", ROSTER, THEMES).problems == ["no theme number 9"]
    assert parse("P1: hi #+", ROSTER, THEMES).problems == ["#+ needs a theme name"]


def test_digits_that_are_no_number_are_read_as_words_not_numbers() -> None:
    # "²" is a digit to Python but int() refuses it; so it does thousands of digits.
    for odd in ("²", "1" * 5000):
        assert parse(f"P1: hi #{odd}", ROSTER, THEMES).theme_names == [odd]
        assert parse(f"{odd}: hi", ROSTER, THEMES).speaker is None


def test_a_hash_inside_a_word_is_text_and_the_tag_being_typed_is_known() -> None:
    draft = parse("room C#3 was cold", ROSTER, THEMES)
    assert (draft.text, draft.tags, draft.typing_tag) == ("room C#3 was cold", (), None)
    assert parse("hi #", ROSTER, THEMES).typing_tag == ""
    assert parse("hi #1 #soc", ROSTER, THEMES).typing_tag == "soc"
    assert [t.number for t in matching("soc", THEMES)] == [1, 2, 3]
    assert [t.number for t in matching("", THEMES)] == [1, 2, 3, 4]


def test_a_saved_note_reads_back_as_the_same_line_with_theme_numbers() -> None:
    names = ["Social workers don't listen", "Housing"]
    line = line_for("they never came", "P3", names, THEMES)
    assert line == "P3: they never came #1 #+Housing"  # numbers: a slip cannot make a new theme
    draft = parse(line, ROSTER, THEMES)
    assert (draft.speaker, draft.text, draft.theme_names) == ("P3", "they never came", names)
    assert line_for("no speaker", None, [], THEMES) == "no speaker"


def test_a_new_theme_close_to_an_existing_one_is_pointed_out() -> None:
    assert close_to("Many placements in car", THEMES) == THEMES[3]
    assert close_to("Housing", THEMES) is None
