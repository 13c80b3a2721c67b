"""Import one bundle and pause inside its transaction, so a test can kill the process there.

    python -m tests.pausing_import DATA_DIR BUNDLE MARKER

After the import has merged the first table whose rows it changed, this writes that
table's name to MARKER and sleeps, still inside the open transaction.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from facilitator.actions.data_folder import Workspace
from facilitator.sync import merge as sync


def main(data_dir: Path, bundle: Path, marker: Path) -> None:
    def pause(table: str) -> None:
        marker.write_text(table)
        time.sleep(60)

    workspace = Workspace.at(data_dir)
    try:
        print(sync.import_bundle(workspace.store, bundle, allow_plaintext=True, on_merged=pause).describe())
    finally:
        workspace.close()


if __name__ == "__main__":
    main(*map(Path, sys.argv[1:4]))
