"""Statement sets: the shipped set, sets users add, and files that are wrong."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from facilitator.core import paths
from facilitator.core.errors import FacilitatorError
from facilitator.core.statements import load_catalogue
from tests.conftest import DEFAULT_SET, Cli

REPO = Path(__file__).resolve().parent.parent
GOOD_SET = """
id = "my-set"
title = "My set"

[[scale]]
key = "yes"
label = "Yes"
entry = 1

[[scale]]
key = "no"
label = "No"
entry = 2

[[statements]]
number = 1
text = "Statement one"
"""


def test_the_report_set_has_its_four_statements_in_order_and_five_categories() -> None:
    catalogue = load_catalogue([REPO / "statements"])
    statement_set = catalogue.get(DEFAULT_SET)
    assert [s.text for s in statement_set.statements] == [
        "I expect my social worker to listen to me",
        "I expect my social worker to tell me what to do",
        "My social worker must put my best interests first",
        "Social workers don't understand me",
    ]
    assert [s.number for s in statement_set.statements] == [1, 2, 3, 4]
    assert statement_set.scale.keys == ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree"]
    assert [c.label for c in statement_set.scale] == [
        "Strongly agree",
        "Agree",
        "Not sure",
        "Disagree",
        "Strongly disagree",
    ]
    assert [c.entry for c in statement_set.scale] == ["1", "2", "3", "4", "5"]
    assert [c.key for c in statement_set.scale if c.neutral] == ["neutral"]
    assert catalogue.problems == []


@pytest.mark.parametrize(
    "text", ["strongly_agree", "Strongly agree", "STRONGLY AGREE", "1", "strongly agree"]
)
def test_a_response_can_be_named_by_key_label_or_entry_key(text: str) -> None:
    scale = load_catalogue([REPO / "statements"]).get(DEFAULT_SET).scale
    assert scale.resolve(text).key == "strongly_agree"


def test_an_unknown_response_lists_the_choices() -> None:
    scale = load_catalogue([REPO / "statements"]).get(DEFAULT_SET).scale
    with pytest.raises(FacilitatorError, match="1=strongly_agree"):
        scale.resolve("maybe")


def test_a_set_dropped_into_the_folder_appears_without_another_step(tmp_path: Path, cli: Cli) -> None:
    before = cli("sets")
    assert before.exit_code == 0
    user_dir = cli.data_dir / "statements"
    user_dir.mkdir(parents=True)
    (user_dir / "mine.toml").write_text(GOOD_SET, encoding="utf-8")
    after = cli("sets")
    assert after.exit_code == 0
    assert after.stdout.splitlines() == [*before.stdout.splitlines(), "my-set\tMy set\t1"]


def test_sets_prints_id_title_and_number_of_statements(cli: Cli) -> None:
    result = cli("sets")
    assert result.exit_code == 0
    assert f"{DEFAULT_SET}\tDoes social work care? (User Voice, 2010)\t4" in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('id = "x"\ntitle = "broken\n', "line 2"),
        (GOOD_SET.replace('title = "My set"', ""), "missing 'title'"),
        (GOOD_SET.replace("entry = 2", "entry = 1"), "repeated entry"),
        (GOOD_SET.replace("number = 1", "number = 3"), "statement 1 is numbered 3"),
        (GOOD_SET.replace('key = "no"', 'key = "No way"'), "scale category 2 key"),
        ("\xff\xfe", "cannot read"),
        # A consent script written below the statements would be read as part of the last one.
        (GOOD_SET + '\nconsent = "You may pass."\n', "go above the first [[statements]]"),
    ],
)
def test_an_invalid_file_is_named_with_what_is_wrong_and_the_others_still_load(
    tmp_path: Path, content: str, expected: str
) -> None:
    folder = tmp_path / "sets"
    folder.mkdir()
    shutil.copy(REPO / "statements" / f"{DEFAULT_SET}.toml", folder)
    bad = folder / "bad.toml"
    if content == "\xff\xfe":
        bad.write_bytes(b"\xff\xfe\x00")
    else:
        bad.write_text(content, encoding="utf-8")
    catalogue = load_catalogue([folder])
    assert list(catalogue.sets) == [DEFAULT_SET]
    [problem] = catalogue.problems
    assert problem.path == bad
    assert expected in problem.message
    assert str(bad) in str(problem)


def test_sets_warns_about_a_bad_file_on_stderr_and_still_lists_the_rest(cli: Cli) -> None:
    user_dir = cli.data_dir / "statements"
    user_dir.mkdir(parents=True)
    (user_dir / "broken.toml").write_text("id = \n", encoding="utf-8")
    result = cli("sets")
    assert result.exit_code == 0
    assert DEFAULT_SET in result.stdout
    assert "broken.toml" in result.stderr and "not valid TOML" in result.stderr


def test_a_repeated_set_id_is_reported_not_silently_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "sets"
    folder.mkdir()
    (folder / "a.toml").write_text(GOOD_SET, encoding="utf-8")
    (folder / "b.toml").write_text(GOOD_SET.replace("My set", "Other"), encoding="utf-8")
    catalogue = load_catalogue([folder])
    assert catalogue.get("my-set").title == "My set"
    assert "already used" in catalogue.problems[0].message


def test_an_installed_copy_finds_the_built_in_sets_inside_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = tmp_path / "site-packages" / "facilitator" / "_statements"
    packaged.mkdir(parents=True)
    shutil.copy(REPO / "statements" / f"{DEFAULT_SET}.toml", packaged)
    monkeypatch.setattr(paths, "CLONE_ROOT", tmp_path / "site-packages")
    monkeypatch.setattr(paths, "PACKAGED_STATEMENTS", packaged)
    assert not paths.is_clone()
    data_dir = tmp_path / "user-data"
    catalogue = load_catalogue(paths.statement_dirs(data_dir))
    assert DEFAULT_SET in catalogue.sets
    assert paths.statement_dirs(data_dir)[-1] == data_dir / "statements"


def test_the_wheel_carries_the_built_in_sets_and_the_document_templates(tmp_path: Path) -> None:
    hatchling = pytest.importorskip("hatchling.builders.wheel")
    builder = hatchling.WheelBuilder(str(REPO))
    [wheel] = list(builder.build(directory=str(tmp_path), versions=["standard"]))
    names = zipfile.ZipFile(wheel).namelist()
    assert f"facilitator/_statements/{DEFAULT_SET}.toml" in names
    assert "facilitator/store/__init__.py" in names
    assert "facilitator/example/example.toml" in names  # the example to practise on
    templates = sorted((REPO / "facilitator" / "outputs" / "templates").iterdir())
    assert {t.name for t in templates} >= {
        "document.html.j2",
        "blocks.html.j2",
        "document.md.j2",
        "document.css",
    }
    assert [f"facilitator/outputs/templates/{t.name}" for t in templates if t.is_file()] == sorted(
        n for n in names if n.startswith("facilitator/outputs/templates/")
    )
