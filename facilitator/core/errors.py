"""The one error type a user ever sees: a clear, one-line message."""


class FacilitatorError(Exception):
    """Bad input or an impossible request, told to the user in one line.

    The command line prints it on stderr and exits with code 2; the app shows it
    as a notification. Raising it must leave the data unchanged.
    """

    exit_code = 2


class NotFound(FacilitatorError):
    """A session, statement, post-it or set that does not exist."""


class ItemError(FacilitatorError):
    """One item of a batch is bad; `index` is its 0-based position in the batch."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(f"item {index + 1}: {reason}")
        self.index = index
        self.reason = reason


class FieldError(FacilitatorError):
    """One field of a form is wrong; `field` names it, so that a form can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
