"""The layers hold: `lint-imports` keeps every contract in pyproject.toml.

core < store < exercise | discussion < outputs | sync < actions < ui < cli: a package
imports only the layers below it, packages of one layer never import each other,
only facilitator.ui imports textual, and no two modules of one package import each
other in a cycle. Imports inside functions and under TYPE_CHECKING count.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The `lint-imports` command, run by this interpreter whatever the folder it is installed in.
LINT_IMPORTS = "import sys\nfrom importlinter.cli import lint_imports_command as run\nsys.exit(run())"


def contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert config["root_package"] == "facilitator"
    return {contract["id"]: contract for contract in config["contracts"]}


def test_the_contracts_are_kept() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, f"lint-imports found broken contracts:\n{done.stdout}\n{done.stderr}"
    assert "0 broken" in done.stdout


def test_the_contracts_are_the_layers_of_the_program() -> None:
    found = contracts()

    assert found["layers"]["type"] == "layers"
    assert found["layers"]["layers"] == [
        "facilitator.cli",
        "facilitator.ui",
        "facilitator.actions",
        "facilitator.outputs | facilitator.sync",
        "facilitator.exercise | facilitator.discussion",
        "facilitator.store",
        "facilitator.core",
    ]
    # Every package of the program sits in a layer.
    packages = {path.parent.name for path in (ROOT / "facilitator").glob("*/__init__.py")}
    layered = {
        name.strip().removeprefix("facilitator.")
        for layer in found["layers"]["layers"]
        for name in layer.split("|")
    }
    assert packages == layered
    assert found["acyclic"]["type"] == "acyclic_siblings"
    assert found["acyclic"]["ancestors"] == ["facilitator"]


def test_only_the_screens_import_textual() -> None:
    """The whole program is checked, and the screens alone are let off."""
    textual = contracts()["textual-in-ui-only"]

    assert textual["type"] == "forbidden"
    assert textual["source_modules"] == ["facilitator"]
    assert textual["forbidden_modules"] == ["textual"]
    assert textual["ignore_imports"] == ["facilitator.ui.** -> textual"]
