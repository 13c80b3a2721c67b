"""The app's error boundary: no action crashes the app, and no traceback reaches the screen.

The screen may be on a projector, and a traceback with its local variables would
print a participant's words there. So an error in any handler of the app, its
screens or its widgets becomes one plain line for the facilitator, and an entry in
the data folder's error log that names only the kind of error and where in the
program it happened: never its message, never a local variable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from facilitator.core.errors import FacilitatorError
from facilitator.core.literal import visible

if TYPE_CHECKING:
    from textual.message import Message

UNEXPECTED = "Something went wrong and that was not done; everything saved before is safe."


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
