"""The error log in the data folder: what went wrong unexpectedly, without what was said.

Only the kind of error and the frames it passed (file, line, function) are
written: the message and the local variables may hold a participant's words.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from facilitator.core.files import make_private_dir
from facilitator.core.paths import LOGS_FOLDER

LOG_NAME = "errors.log"


def log_path(data_dir: Path) -> Path:
    return data_dir / LOGS_FOLDER / LOG_NAME


def log_unexpected(data_dir: Path, error: BaseException) -> Path | None:
    """Append an entry for an unexpected error: when, what kind, and the frames it passed.

    Only file names, line numbers and function names are written (the message and
    the local variables may hold what a participant said). The folder is 0700 and
    the file 0600. Returns the log's path, or None if it could not be written.
    """
    path = log_path(data_dir)
    frames = traceback.extract_tb(error.__traceback__)
    lines = [
        f"{datetime.now(UTC).isoformat(timespec='seconds')} {type(error).__module__}.{type(error).__name__}"
    ]
    lines += [f"  {Path(frame.filename).name}:{frame.lineno} in {frame.name}" for frame in frames]
    try:
        make_private_dir(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as log:
            log.write("\n".join(lines) + "\n")
        os.chmod(path, 0o600)
    except OSError:
        return None
    return path
