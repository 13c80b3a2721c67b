"""The command line: `facilitator` and its commands.

Commands and their output are a contract that scripts rely on: keep them stable.
Anything wrong exits with code 2 and one line on stderr, and changes nothing.
`core` holds the group and the post-it commands; each other module adds one area's commands.
"""

from facilitator.cli import discussion, reports, sync
from facilitator.cli.core import main

__all__ = ["discussion", "main", "reports", "sync"]
