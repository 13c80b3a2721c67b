"""Domain modules never import textual; the command line stays light to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in (ROOT / "facilitator").rglob("*.py")
    if "ui" not in path.relative_to(ROOT).parts and path.stem != "__main__"
)
HEAVY = ("textual", "matplotlib", "pyrage", "qrcode", "scipy", "numpy", "zxingcpp")


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}\nprint(' '.join(sorted({{name.split('.')[0] for name in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_module_does_not_import_textual(module: str) -> None:
    assert "textual" not in loaded_after_import(module)


def test_the_command_line_imports_nothing_heavy() -> None:
    loaded = loaded_after_import("facilitator.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_there_are_domain_modules_to_check() -> None:
    expected = {
        "facilitator.store",
        "facilitator.core.statements",
        "facilitator.outputs.export",
        "facilitator.cli",
    }
    assert expected | {"facilitator.cli.sync", "facilitator.sync.merge"} <= set(DOMAIN_MODULES)
    assert not any(".ui" in module for module in DOMAIN_MODULES)
