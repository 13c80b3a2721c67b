"""The command line stays light to import.

That no module outside facilitator.ui imports textual is a contract of the layers
(pyproject.toml, checked by tests/test_layers.py): it reads every module's imports,
those inside functions too.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from facilitator.cli import main
from facilitator.cli.core import LAZY_COMMANDS

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("textual", "matplotlib", "pyrage", "qrcode", "scipy", "numpy", "zxingcpp")


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}\nprint(' '.join(sorted({{name.split('.')[0] for name in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(result.stdout.split())


COMMAND_MODULES = sorted(
    f"facilitator.cli.{path.stem}" for path in (ROOT / "facilitator" / "cli").glob("[!_]*.py")
)


def loaded_modules(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(done.stdout.split())


def test_no_command_imports_anything_heavy() -> None:
    loaded = loaded_after_import(", ".join(["facilitator.cli", *COMMAND_MODULES]))
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_way_to_the_first_screen_loads_only_what_it_needs() -> None:
    """Importing the command line loads its core, not the other commands, sync or outputs."""
    loaded = loaded_modules("import sys, facilitator.cli\nprint(' '.join(sorted(sys.modules)))")
    assert "facilitator.cli.core" in loaded
    waiting = {m for m in loaded if m.startswith(("facilitator.sync", "facilitator.outputs"))}
    assert not waiting, sorted(waiting)
    assert not loaded & set(LAZY_COMMANDS), sorted(loaded & set(LAZY_COMMANDS))


def test_the_lazy_commands_are_exactly_those_their_modules_add() -> None:
    for module in COMMAND_MODULES:
        importlib.import_module(module)
    by_module: dict[str, set[str]] = {}
    for name, command in main.commands.items():
        by_module.setdefault(command.callback.__module__ if command.callback else "", set()).add(name)
    for module, names in LAZY_COMMANDS.items():
        assert set(names) == by_module.pop(module), module
    assert set(by_module) == {"facilitator.cli.core"}


def test_a_lazy_command_runs_from_a_fresh_start(tmp_path: Path) -> None:
    """A command of a module not yet imported is found and runs (here: the themes of no session)."""
    done = subprocess.run(
        [sys.executable, "-m", "facilitator", "--data-dir", str(tmp_path), "pool", "list"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
