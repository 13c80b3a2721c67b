"""The app's error boundary: no action crashes the app, and no traceback reaches the screen.

The screen may be on a projector, and a traceback with its local variables would
print a participant's words there. So an error in any handler of the app, its
screens or its widgets becomes one plain line for the facilitator, and an entry in
the data folder's error log that names only the kind of error and where in the
program it happened: never its message, never a local variable.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facilitator.core.errors import FacilitatorError
from facilitator.core.literal import visible

if TYPE_CHECKING:
    from textual.message import Message

LOG_FOLDER = "logs"
LOG_NAME = "errors.log"
UNEXPECTED = "Something went wrong and that was not done; everything saved before is safe."


def log_path(data_dir: Path) -> Path:
    return data_dir / LOG_FOLDER / LOG_NAME


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
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as log:
            log.write("\n".join(lines) + "\n")
        os.chmod(path, 0o600)
    except OSError:
        return None
    return path


def message_for(error: BaseException) -> str:
    """The one line a facilitator reads for an error that reached the boundary."""
    if isinstance(error, FacilitatorError):
        # An expected refusal (e.g. a post-it deleted meanwhile by another window):
        # its message is written for people, and is shown as text.
        return visible(str(error))
    return UNEXPECTED


class Guarded:
    """Mixin for the app, its screens and widgets: a handler's error is reported, not fatal.

    Textual stops a widget's message loop after an unhandled error and closes the
    app; this catches the error first and hands it to the app's `report_error`.
    """

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as error:
            app: Any = getattr(self, "app", None)
            report = getattr(app, "report_error", None)
            if report is None:
                raise
            report(error)
