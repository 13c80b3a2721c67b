"""The command line stays light to import.

That no module outside facilitator.ui imports textual is a contract of the layers
(pyproject.toml, checked by tests/test_layers.py): it reads every module's imports,
those inside functions too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("textual", "matplotlib", "pyrage", "qrcode", "scipy", "numpy", "zxingcpp")


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}\nprint(' '.join(sorted({{name.split('.')[0] for name in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(result.stdout.split())


def test_the_command_line_imports_nothing_heavy() -> None:
    loaded = loaded_after_import("facilitator.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_every_command_module_is_loaded_with_the_command_line() -> None:
    """So the check above covers them all, whatever they import at the top."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, facilitator.cli\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout.split()
    commands = {f"facilitator.cli.{path.stem}" for path in (ROOT / "facilitator" / "cli").glob("[!_]*.py")}
    assert commands <= set(loaded)
