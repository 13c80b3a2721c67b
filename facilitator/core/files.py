"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from facilitator.core.errors import FacilitatorError


def write_atomic(path: Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write the whole file or nothing: a temporary file beside it, then a rename."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise FacilitatorError(f"cannot write {path}: the folder {directory} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    except OSError as error:
        raise FacilitatorError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
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
