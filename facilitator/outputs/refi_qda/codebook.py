"""A consultation's codebook alone, as a REFI-QDA codebook (.qdc), and reading one made elsewhere.

Written: the consultation's themes in rank order (sessions that raised each, then
notes, then name), each a codable code with its rank in its description, its
theme's id as GUID and its colour by position (see `common`). Theme names pass
through every session's pseudonym map at once, as the report's do.

Read: a file from outside is hostile. It is refused, in one line and before
anything is added, when it is over MAX_BYTES, is a zip file (a Word document, an
Excel workbook, a .qdpx project: said in those words, not a parser's), is not XML
at all (plain text, empty, binary), is XML broken part way (the line is named),
declares a DTD or
entities (defusedxml refuses them, and so external references and entity bombs),
has a root other than CodeBook in the codebook namespace (or the project
namespace, which some programs write), or holds a code without a usable name.
Codes nested under others are read flat, parents before their children, in the
order of the file; code folders (isCodable="false") are read as themes too, since
a codebook of themes has no folders. Names are read in composed form (NFC), and
a name given twice (ignoring case and spacing) is read once. A name of nothing
but spaces and invisible characters (a zero-width space) is no name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from facilitator.core.errors import FacilitatorError
from facilitator.core.literal import UNSAFE
from facilitator.discussion import codebook
from facilitator.discussion.anonymity import Anonymiser
from facilitator.outputs.findings import theme_key
from facilitator.outputs.refi_qda.common import (
    CODEBOOK_NAMESPACE,
    ORIGIN,
    PROJECT_NAMESPACE,
    add,
    colour,
    document,
    rank_description,
    root,
)
from facilitator.store import Consultation, Store

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

NS = CODEBOOK_NAMESPACE
MAX_BYTES = 10 * 1024 * 1024
# More codes than any codebook of themes holds; each is looked up among those there.
MAX_CODES = 1000
# How much of a name or tag from the file an error message quotes.
QUOTED = 60
# How every zip file starts: a Word document, an Excel workbook and a .qdpx project are zips.
ZIP_SIGNATURE = b"PK\x03\x04"
# Byte-order marks, and the encodings they announce, that may stand before an XML file's first "<".
BYTE_ORDER_MARKS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
NOT_A_CODEBOOK = "not a REFI-QDA codebook (.qdc)"


def codebook_bytes(store: Store, consultation: Consultation) -> bytes:
    """The .qdc of a consultation's codebook, in rank order; refused when it has no theme."""
    ranked = codebook.rank_for_consultation(store, consultation.id)
    if not ranked:
        raise FacilitatorError(f"consultation {consultation.title!r} has no themes yet: nothing to export")
    names = Anonymiser.for_sessions(store, [s.id for s in store.sessions.all(consultation.id)])
    top = root(NS, "CodeBook", origin=ORIGIN)
    codes = add(top, "Codes")
    for position, item in enumerate(ranked):
        name = names(item.name)
        code = add(codes, "Code", guid=item.theme.id, name=name, isCodable="true", color=colour(position))
        add(code, "Description", rank_description(item.rank, item.sessions, item.notes))
    return document(top)


def read_codebook(data: bytes, file: str = "the file") -> list[str]:
    """The theme names of a REFI-QDA codebook, checked, in the file's order; FacilitatorError if
    malformed, naming `file` (as the user gave it) when it is some other kind of file."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    # What kind of file it is first: a large Word document or project is that, not a large codebook.
    if data.startswith(ZIP_SIGNATURE):
        raise FacilitatorError(f"{file} {zip_kind(data)}")
    if not starts_like_xml(data):
        raise FacilitatorError(f"{file} is {NOT_A_CODEBOOK}: it is not an XML file")
    if len(data) > MAX_BYTES:
        raise FacilitatorError(f"the codebook file is too large ({MAX_BYTES // (1024 * 1024)} MB at most)")
    try:
        top = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise FacilitatorError(
            "the codebook file declares a DTD or entities, which a REFI-QDA codebook never needs: refused"
        ) from None
    except ParseError as error:
        line = error.position[0]
        reason = str(error).rpartition(": line ")[0] or str(error)
        raise FacilitatorError(f"the codebook file is broken at line {line}: {reason}") from None
    except (LookupError, ValueError):
        # The XML declaration names an encoding the parser cannot read (unknown, or multi-byte).
        raise FacilitatorError(
            "the codebook file is in an encoding this program cannot read: save it as UTF-8"
        ) from None
    namespace = _namespace(top, file)
    codes = top.find(f"{{{namespace}}}Codes")
    if codes is None:
        raise FacilitatorError("the codebook file has no <Codes>: is it a REFI-QDA codebook (.qdc)?")
    found = list(codes.iter(f"{{{namespace}}}Code"))
    if not found:
        raise FacilitatorError("the codebook file holds no codes")
    if len(found) > MAX_CODES:
        raise FacilitatorError(f"the codebook file holds {len(found)} codes ({MAX_CODES} at most)")
    names: dict[str, str] = {}
    for number, code in enumerate(found, start=1):
        name = _name(code, number)
        names.setdefault(theme_key(name), name)
    return list(names.values())


def starts_like_xml(data: bytes) -> bool:
    """Whether the file begins as XML does: with "<", after any byte-order mark and spacing."""
    head = data[:1024]
    for mark, encoding in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return head[len(mark) :].decode(encoding, errors="ignore").lstrip().startswith("<")
    # UTF-16 without a mark has a zero byte beside each "<".
    return head.lstrip(b" \t\r\n\x00").startswith(b"<")


def zip_kind(data: bytes) -> str:
    """What a zip file is, said to a person: a REFI-QDA project, a Word document, an Excel
    workbook, or a zip file of some kind (then a guess), and that it is not a codebook."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {name.casefold() for name in archive.namelist()}
    except Exception:
        # A zip cut short or damaged fails in many ways (BadZipFile, NotImplementedError, …):
        # it is a zip of some kind all the same, and no codebook.
        names = set()
    if "project.qde" in names:
        return (
            "is a REFI-QDA project (.qdpx), not a codebook: export its codebook from your QDA program as .qdc"
        )
    if "word/document.xml" in names:
        return f"is a Word document, {NOT_A_CODEBOOK}"
    if "xl/workbook.xml" in names:
        return f"is an Excel workbook, {NOT_A_CODEBOOK}"
    return f"is a zip file (a Word document or a REFI-QDA project?), {NOT_A_CODEBOOK}"


def _namespace(top: Element, file: str) -> str:
    """The namespace of a CodeBook root, or FacilitatorError naming what the root is instead."""
    for namespace in (CODEBOOK_NAMESPACE, PROJECT_NAMESPACE):
        if top.tag == f"{{{namespace}}}CodeBook":
            return namespace
    tag = top.tag.rpartition("}")[2] if top.tag.startswith("{") else top.tag
    where = top.tag[1:].partition("}")[0] if top.tag.startswith("{") else "no namespace"
    raise FacilitatorError(
        f"{file} is {NOT_A_CODEBOOK}: its root is <{tag[:QUOTED]}> ({where[:QUOTED]}), "
        f"not <CodeBook> ({CODEBOOK_NAMESPACE})"
    )


def _name(code: Element, number: int) -> str:
    """Code `number`'s name, checked as a theme name is, or FacilitatorError saying which code."""
    import unicodedata

    name = code.get("name")
    # Another program may write "é" as e and a combining accent: one form, to meet the "é" typed here.
    name = None if name is None else unicodedata.normalize("NFC", name)
    if name is None or all(c.isspace() or unicodedata.category(c) == "Cf" for c in name):
        raise FacilitatorError(f"code {number} of the codebook file has no name")
    control = UNSAFE.search(name.replace("\t", " ").replace("\n", " ").replace("\r", " "))
    if control is not None:
        found = f"a control character (U+{ord(control.group()):04X})"
        raise FacilitatorError(f"code {number} of the codebook file has {found} in its name")
    try:
        return codebook.check_name(name)
    except FacilitatorError as error:
        raise FacilitatorError(f"code {number} of the codebook file: {error}") from None
