"""What the project and the codebook files share: namespaces, GUIDs, colours, XML and zip writing.

GUIDs are stable: a record keeps its id (a theme), or gets a uuid5 of its id under
a namespace of its kind (a note's selection, a participant's case), so two exports
of the same data carry the same GUIDs and a partner can merge them.

The colour of a code goes by its position in the ranked codebook, through the
Okabe-Ito palette (colour-blind safe) without its black, which would hide the text a
program highlights with it: the seven most frequent themes get seven distinct
colours, and the same data always gets the same colours. Colour never carries
meaning alone: the code's name and its rank (in its description) do.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from facilitator import __version__

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"facilitator {__version__}"
# The root of every GUID this program derives; never change it, or exports stop merging.
_GUIDS = uuid.UUID("3f0c8a52-6d1e-4b7a-9c2f-5e8d1a4b7c60")
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
# Characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab and newlines, U+FFFE, U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A zip entry's stamp: fixed, so that the same data gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def guid(kind: str, *ids: str) -> str:
    """The GUID of a record of `kind` ("selection", "case", …) made from its ids: always the same."""
    return str(uuid.uuid5(uuid.uuid5(_GUIDS, kind), "\n".join(ids)))


def colour(position: int) -> str:
    """The colour of the code at `position` (0 first) in the ranked codebook."""
    return PALETTE[position % len(PALETTE)]


def rank_description(rank: int, sessions: int, notes: int) -> str:
    """A code's description: its rank and what raised it, e.g. "Rank 1: raised in 5 sessions, 6 notes."."""
    return f"Rank {rank}: raised in {_count(sessions, 'session')}, {_count(notes, 'note')}."


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def xml_text(text: str) -> str:
    """Text as XML 1.0 can carry it: a character it cannot (ESC, say) becomes U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def add(parent: Element, tag: str, text: str | None = None, **attributes: str) -> Element:
    """A child element (in its document's namespace), its attributes in the order given, its text XML-safe."""
    from xml.etree.ElementTree import SubElement

    child = SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        child.text = xml_text(text)
    return child


def root(namespace: str, tag: str, **attributes: str) -> Element:
    """The root element of a document in `namespace`: every element below it is in that namespace.

    ElementTree cannot write a default namespace with unqualified attributes (every
    attribute of QDA-XML is unqualified), so the root carries `xmlns` itself.
    """
    from xml.etree.ElementTree import Element

    return Element(tag, {"xmlns": namespace, **{k: xml_text(v) for k, v in attributes.items()}})


def document(top: Element) -> bytes:
    """The whole document as UTF-8 bytes, indented."""
    from xml.etree.ElementTree import indent, tostring

    indent(top, space="  ")
    body = tostring(top, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip of `members` (name -> bytes): entries sorted, stamps and modes fixed, so the same
    members always give the same bytes."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the system writing it
            info.external_attr = 0o600 << 16
            archive.writestr(info, members[name], compresslevel=9)
    return buffer.getvalue()
