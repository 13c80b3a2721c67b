"""The README gets a person started: its two opening commands, and commands that exist.

A facilitator types what the README shows. So its first two commands are the ones
that install and launch the app and run the suite (`.ci/run` runs the second), and
every `facilitator …` command it shows names a real command with real options.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from facilitator.cli import main

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")

LAUNCH = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/facilitator"
TEST = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' -c constraints.txt"
    " && .venv/bin/python -m pytest"
)


def fenced_blocks(text: str) -> list[str]:
    """The contents of the text's fenced code blocks, in order."""
    return [block.strip("\n") for block in re.findall(r"^ *```[a-z]*\n(.*?)^ *```", text, re.M | re.S)]


def shown_commands(text: str) -> list[str]:
    """Every `facilitator …` command in the text: lines of code blocks, and inline code."""
    commands = []
    for block in fenced_blocks(text):
        commands += [line.split("  #")[0].strip() for line in block.splitlines()]
    without_blocks = re.sub(r"^ *```.*?^ *```", "", text, flags=re.M | re.S)
    commands += [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", without_blocks)]
    return [c for c in commands if re.match(r"facilitator( |$)", c)]


def option_names(command: click.Command) -> set[str]:
    """Every option spelling a command accepts, --help included."""
    names = {"--help"}
    for param in command.params:
        names.update(param.opts + param.secondary_opts)
    return names


def subcommand(group: click.Group, word: str, parent: click.Context) -> click.Command | None:
    """The command that `group WORD` runs, as the group routes it (some route SESSION to a default)."""
    context = click.Context(group, parent=parent, resilient_parsing=True)
    group.parse_args(context, [word])
    # click keeps the routed subcommand's name here (the public name is deprecated in 8.2)
    rest = [*context._protected_args, *context.args]
    return group.get_command(context, rest[0]) if rest else None


def problems_with(shown: str) -> list[str]:
    """What is wrong with one command as shown: an unknown command or option."""
    words = shown.replace("\\|", "|").split()[1:]
    command: click.Command = main
    path = ["facilitator"]
    context = click.Context(main)
    while words and isinstance(command, click.Group):
        if command.invoke_without_command and (words[0].startswith("-") or words[0].isupper()):
            break
        # `theme add|rename`: every alternative must exist; options are checked on the first
        found = [subcommand(command, word, context) for word in words[0].split("|")]
        if not all(found):
            return [f"{shown!r}: {' '.join(path)} has no command {words[0]!r}"]
        command = found[0]  # type: ignore[assignment]
        path.append(command.name or "")
        if words[0].split("|")[0] == command.name:
            words = words[1:]
    options = [option.split("=")[0] for word in words for option in re.findall(r"--[a-z][a-z-]*", word)]
    known = option_names(command)
    return [f"{shown!r}: {' '.join(path)} has no option {o}" for o in options if o not in known]


def test_the_readme_opens_with_the_launch_and_the_test_command() -> None:
    assert fenced_blocks(README)[:2] == [LAUNCH, TEST]


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip("\n").splitlines()[-1] == TEST


def test_every_command_the_readme_shows_exists_with_its_options() -> None:
    shown = shown_commands(README)
    assert len(shown) > 50  # the quick start, the office's set-up and the reference
    problems = [problem for command in shown for problem in problems_with(command)]
    assert problems == []


def test_a_mistyped_command_or_option_is_caught() -> None:
    assert problems_with("facilitator keys trusts CODE") == [
        "'facilitator keys trusts CODE': facilitator keys has no command 'trusts'"
    ]
    assert problems_with("facilitator sync run /media/usb --identiy office.key") == [
        "'facilitator sync run /media/usb --identiy office.key': facilitator sync run has no option --identiy"
    ]
    assert problems_with("facilitator theme add\\|rename SESSION --session X") == [
        "'facilitator theme add\\\\|rename SESSION --session X': "
        "facilitator theme add has no option --session"
    ]


def test_the_readme_shows_commands_as_typed_after_activating() -> None:
    after_the_opening = README.split(TEST, 1)[1]
    assert ".venv/bin/facilitator" not in after_the_opening
    assert ".venv\\Scripts\\facilitator" not in after_the_opening
    for activate in ("source .venv/bin/activate", ".venv\\Scripts\\activate"):
        assert README.count(activate) >= 2  # when installing, and next time


def test_developer_material_is_in_contributing() -> None:
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "[CONTRIBUTING.md](CONTRIBUTING.md)" in README
    assert TEST in contributing
    for developer_word in ("benchmarks/", "import-linter", "snapshot", "constraints.txt"):
        assert developer_word in contributing
        assert developer_word not in README.split(TEST, 1)[1]


def heading_anchor(heading: str) -> str:
    """The anchor a Markdown viewer gives a heading: lower case, dashes, no punctuation."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_inside_the_readme_reaches_a_heading() -> None:
    anchors = {heading_anchor(h) for h in re.findall(r"^#+ (.+)$", README, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", README)
    assert len(links) > 10
    assert [link for link in links if link not in anchors] == []
