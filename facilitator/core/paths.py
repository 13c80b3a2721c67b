"""Where data and statement sets live.

A clone keeps its data in `sessions/` of the clone; an installed copy uses the
user's data folder. `--data-dir` or `FACILITATOR_DATA_DIR` override both.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "FACILITATOR_DATA_DIR"
DATABASE_NAME = "facilitator.db"
# The data key of an encrypted database, wrapped by the passphrase and by the office (escrow).
KEY_FILE_NAME = "facilitator.key"
# The folders the app makes in the data folder: bundles (the sync screen's default),
# exported summaries, the error log, and charts drawn before. They and all they hold are
# the owner's only.
BUNDLES_FOLDER = "bundles"
EXPORTS_FOLDER = "exports"
LOGS_FOLDER = "logs"
CACHE_FOLDER = "cache"
# Charts drawn before, by a hash of their data and style: a re-run of an unchanged report draws nothing.
CHART_CACHE = Path(CACHE_FOLDER) / "charts"
PRIVATE_FOLDERS = (BUNDLES_FOLDER, EXPORTS_FOLDER, LOGS_FOLDER, CACHE_FOLDER)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# In a clone (or an editable install) the project root holds statements/ and sessions/.
CLONE_ROOT = PACKAGE_DIR.parent
# A wheel carries the built-in statement sets inside the package.
PACKAGED_STATEMENTS = PACKAGE_DIR / "_statements"


def is_clone() -> bool:
    """True when running from a checkout of the project rather than an installed wheel."""
    return (CLONE_ROOT / "pyproject.toml").is_file() and (CLONE_ROOT / "statements").is_dir()


def default_data_dir() -> Path:
    """The data folder used when nothing overrides it."""
    if is_clone():
        return CLONE_ROOT / "sessions"
    from platformdirs import user_data_dir

    return Path(user_data_dir("facilitator", appauthor=False))


def resolve_data_dir(option: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: the option, then the environment, then the default."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return default_data_dir()


def builtin_statement_dirs() -> list[Path]:
    """Folders holding the statement sets shipped with the program."""
    if is_clone():
        return [CLONE_ROOT / "statements"]
    return [PACKAGED_STATEMENTS] if PACKAGED_STATEMENTS.is_dir() else []


def statement_dirs(data_dir: Path) -> list[Path]:
    """Every folder searched for statement sets, built-in ones first.

    Users add a set by dropping a TOML file into the clone's `statements/`, or,
    for an installed copy, into `statements/` inside the data folder.
    """
    dirs = builtin_statement_dirs()
    user_dir = data_dir / "statements"
    if user_dir not in dirs:
        dirs.append(user_dir)
    return dirs
