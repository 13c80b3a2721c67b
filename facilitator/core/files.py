"""Writing files so that a reader never sees half of one, and nobody but the owner reads them.

Every folder the app makes is 0700 and every file it writes 0600, whatever the
umask: a file is created with those modes from the start (never 0644 for a
moment) and chmod-ed explicitly, since a umask can only take bits away. On
Windows chmod can only set read-only, so there the modes are left to the system,
and so are they on a file system that keeps no modes (a FAT USB stick refuses any
chmod): what the app writes there is written all the same.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, TextIO, overload

from facilitator.core.errors import FacilitatorError

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
# Group and other bits: what "readable by others" means here.
SHARED_BITS = 0o077
POSIX = os.name != "nt"


# What chmod says on a file system that keeps no Unix modes (a FAT or exFAT USB stick, some
# network shares): the mode there is the mount's, for every file alike.
_NO_MODES = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


def _set_mode(target: int | Path, mode: int) -> None:
    """chmod a file (by descriptor or path) this account owns; on a file system that keeps
    no modes the file is left as that file system has it, since nothing can change that.

    A file another account owns that refuses the change still raises OSError.
    """
    try:
        if isinstance(target, int):
            os.fchmod(target, mode)
        else:
            os.chmod(target, mode)
    except OSError as error:
        if error.errno not in _NO_MODES:
            raise
        owner = (os.fstat(target) if isinstance(target, int) else os.stat(target)).st_uid
        if owner != os.getuid():
            raise


def make_private_dir(path: Path) -> None:
    """Make the folder `path` and its missing parents, each new one 0700.

    A folder that already exists (one the user named, say) is left as it is.
    Raises OSError as `Path.mkdir` does.
    """
    missing: list[Path] = []
    folder = path
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile by someone else: not ours to change
        if POSIX:
            _set_mode(folder, PRIVATE_FOLDER)


@overload
def open_private(path: Path, *, binary: Literal[False] = False) -> TextIO: ...
@overload
def open_private(path: Path, *, binary: Literal[True]) -> BinaryIO: ...
def open_private(path: Path, *, binary: bool = False) -> TextIO | BinaryIO:
    """Open `path` for writing from the start (created or emptied), readable by its owner only.

    For files written piece by piece; a file written whole is `write_atomic`'s.
    Text is UTF-8. Raises OSError as `open` does.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, PRIVATE_FILE)
    try:
        if POSIX:
            _set_mode(descriptor, PRIVATE_FILE)
        if binary:
            return os.fdopen(descriptor, "wb")
        return os.fdopen(descriptor, "w", encoding="utf-8")
    except BaseException:
        os.close(descriptor)
        raise


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` (created or emptied), readable by its owner only."""
    with open_private(path, binary=True) as file:
        file.write(data)


def create_private(path: Path) -> bool:
    """Create `path` empty and 0600 if it does not exist; True if it was made here.

    So that a program opening it next (SQLite) keeps those modes. Raises OSError.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        if POSIX:
            _set_mode(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)
    return True


def is_folder(path: Path, writing: Path) -> bool:
    """Whether `path` is a folder (or a link to one); FacilitatorError saying that `writing`
    cannot be written when the system cannot even look (a name too long for the disk)."""
    try:
        return path.is_dir()
    except OSError as error:
        raise FacilitatorError(f"cannot write {writing}: {error.strerror}") from None


def write_atomic(path: Path, data: str | bytes, *, mode: int = PRIVATE_FILE) -> None:
    """Write the whole file or nothing: a temporary file beside it, then a rename.

    The file is 0600 (or `mode`) from the start.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = path.parent if str(path.parent) else Path(".")
    if not is_folder(directory, path):
        raise FacilitatorError(f"cannot write {path}: the folder {directory} does not exist")
    if is_folder(path, path):  # a link to a folder too, which the rename would replace with the file
        raise FacilitatorError(f"cannot write {path}: it is a folder, not a file")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    except OSError as error:
        raise FacilitatorError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            if POSIX:
                _set_mode(file.fileno(), mode)
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise FacilitatorError(f"cannot write {path}: {error.strerror}") from None


@contextmanager
def staged_dir(out: Path, *, last: Sequence[str] = ()) -> Iterator[Path]:
    """A temporary folder beside `out` to write many files into; all of them or none arrive.

    On success a new `out` is the renamed folder; an existing `out` receives the files
    one by one, those named in `last` (e.g. an index) after the others. On any error
    the temporary folder is removed and `out` is untouched.
    """
    parent = out.parent if str(out.parent) else Path(".")
    if out.exists() and not out.is_dir():
        raise FacilitatorError(f"cannot write into {out}: it is a file, not a folder")
    if not parent.is_dir():
        raise FacilitatorError(f"cannot write {out}: the folder {parent} does not exist")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=parent))
        if POSIX:
            _set_mode(staging, PRIVATE_FOLDER)  # a new `out` is this folder renamed
    except OSError as error:
        raise FacilitatorError(f"cannot write {out}: {error.strerror}") from None
    try:
        yield staging
        if not out.exists():
            os.rename(staging, out)
            return
        names = sorted(p.name for p in staging.iterdir())
        for name in [n for n in names if n not in last] + [n for n in last if n in names]:
            os.replace(staging / name, out / name)
        staging.rmdir()
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise FacilitatorError(f"cannot write {out}: {error.strerror}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


@dataclass(frozen=True)
class Tightened:
    """What was readable by others in a data folder and is now its owner's only."""

    files: int = 0
    folders: int = 0

    def __bool__(self) -> bool:
        return bool(self.files or self.folders)

    def sentence(self) -> str:
        """What the facilitator is told, calmly: a fresh copy of the app is often readable
        by others, and the counts would only alarm a newcomer."""
        return "Made the data folder private: only you can read it now."


def tighten(data_dir: Path, app_folders: Sequence[str]) -> Tightened:
    """Take the group and other bits off the data folder, the files in it and the app's
    folders in it (`app_folders`, with everything inside them); never widen a mode.

    Symbolic links are never followed. Other folders in the data folder (statement
    sets a person added) are left as they are. Cheap: a few stat calls at start.
    """
    if not POSIX:
        return Tightened()
    files = folders = 0
    if _tighten_one(data_dir, os.stat(data_dir).st_mode):
        folders += 1
    pending: list[tuple[Path, bool]] = [(data_dir, False)]
    while pending:
        folder, whole = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISREG(mode):
                files += _tighten_one(Path(entry.path), mode)
            elif stat.S_ISDIR(mode) and (whole or entry.name in app_folders):
                folders += _tighten_one(Path(entry.path), mode)
                pending.append((Path(entry.path), True))
    return Tightened(files, folders)


def _tighten_one(path: Path, mode: int) -> bool:
    if not mode & SHARED_BITS:
        return False
    try:
        os.chmod(path, stat.S_IMODE(mode) & ~SHARED_BITS)
    except OSError:
        return False
    return True
