"""The command line starts fast: encryption, QR and image libraries load only when used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pyrage", "qrcode", "zxingcpp", "PIL", "textual")


def test_cli_and_sync_modules_import_no_heavy_library():
    code = (
        "import sys, facilitator.cli, facilitator.sync.merge, facilitator.sync.keys;"
        "import facilitator.exercise.receipt;"
        "import facilitator.sync.bundle;"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
