"""Reading an organisation's Word template (`--template FILE.docx`) safely.

The file is hostile until proven otherwise: it is checked to be a regular file
(never a folder, pipe or device, which are not waited on), read whole within a
size limit, and checked to be a zip holding a Word document whose entries unpack
to a sane size (no zip bomb), before python-docx sees it. Every refusal is one
line naming the file.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.core.errors import FacilitatorError
from facilitator.core.literal import visible

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

# A template is styles, headers and a logo or two; anything larger is not one.
MAX_BYTES = 50 * 1024 * 1024
DOCUMENT_PART = "word/document.xml"
# What a template may unpack to. The sizes are those the zip declares; Python's zip reader never
# unpacks an entry beyond its declared size (and then fails its checksum), so they can be trusted.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 2000
# Word's XML packs 5 to 20 times; only a made-up entry packs hundreds of times smaller.
MAX_RATIO = 200
RATIO_FROM_BYTES = 1024 * 1024


def _refuse(path: Path, why: str) -> FacilitatorError:
    return FacilitatorError(f"the template {visible(str(path))} {why}")


def read_template(path: Path) -> bytes:
    """The bytes of the Word document at `path`, or FacilitatorError saying why it is not one."""
    if path.suffix.lower() != ".docx":
        raise _refuse(path, "must be a Word document whose name ends in .docx")
    try:
        # O_NONBLOCK: opening a pipe must never wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise _refuse(path, f"cannot be read: {error.strerror or error}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise _refuse(path, "is a folder, not a Word document")
        if not stat.S_ISREG(mode):
            raise _refuse(path, "is not a file (a pipe or a device)")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise _refuse(path, f"cannot be read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_BYTES:
        raise _refuse(path, f"is larger than {MAX_BYTES // (1024 * 1024)} MB: it is not a template")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise _refuse(path, "is not a Word document (it is not a .docx zip file)") from None
    if DOCUMENT_PART not in {entry.filename for entry in entries}:
        raise _refuse(path, "is not a Word document (it holds no word/document.xml)")
    _check_unpacked_size(path, entries)
    return data


def _check_unpacked_size(path: Path, entries: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip that would unpack to far more than a template holds (a zip bomb)."""
    if len(entries) > MAX_ENTRIES:
        raise _refuse(path, f"holds more than {MAX_ENTRIES:,} parts: it is not a template")
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        limit = MAX_UNPACKED_BYTES // (1024 * 1024)
        raise _refuse(path, f"would unpack to more than {limit} MB: it is not a template")
    for entry in entries:
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise _refuse(path, f"holds a part packed too tightly to be real ({visible(entry.filename)})")


def open_template(path: Path) -> WordDocument:
    """The template at `path` as a python-docx Document, its body emptied (styles, page setup,
    headers and footers kept); FacilitatorError if it is not a Word document python-docx reads."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn
    from lxml import etree  # type: ignore[import-untyped]

    data = read_template(path)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        # ValueError: a macro document or a .dotx renamed, whose main part is no document.
        raise _refuse(path, "could not be read as a Word document") from None
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document
