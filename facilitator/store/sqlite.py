"""sqlite-utils, imported without the numpy it would pull in.

sqlite-utils imports numpy (0.2 s of start-up) only to store numpy values, which
this program never does: numpy is hidden while it loads, and can be imported later.
Every module of the store takes `sqlite_utils` from here.
"""

from __future__ import annotations

import sys

_HIDE_NUMPY = "numpy" not in sys.modules
if _HIDE_NUMPY:
    sys.modules["numpy"] = None  # type: ignore[assignment]
try:
    import sqlite_utils
finally:
    if _HIDE_NUMPY:
        del sys.modules["numpy"]

__all__ = ["sqlite_utils"]
