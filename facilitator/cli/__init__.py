"""The command line: `facilitator` and its commands.

Commands and their output are a contract that scripts rely on: keep them stable.
Anything wrong exits with code 2 and one line on stderr, and changes nothing.
`core` holds the group and the post-it commands; each other module adds one area's
commands and is imported only when one of its commands runs (see `LAZY_COMMANDS`).
"""

from facilitator.cli.core import main

__all__ = ["main"]
