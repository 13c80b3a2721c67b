"""QR receipts: the chain of custody from the room to the office.

When a session closes, the facilitator can show (or print) a receipt: the session
id, the count of post-its per statement per response, and a SHA-256 over the
session's post-its in a canonical form. At the office, `receipt verify` reads the
receipt back (from a photo or PNG of the QR code, or its text) and says whether
the office database holds exactly that session's data.

The receipt is one line of text, e.g.::

    facilitator-receipt/1 session=<uuid> counts=3.5.0.1.0/2.2.2.0.1 postits=21 sha256=<64 hex>

Counts follow the session's frozen statement order and scale order. No comment,
label or name is in it: a receipt photographed in a prison reveals nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store import Session, Store
from facilitator.store.free_text import FREE_TEXT, pseudonymised, session_anonymiser

PREFIX = "facilitator-receipt/1"
PATTERN = re.compile(
    r"^facilitator-receipt/(?P<version>\d+) session=(?P<session>[0-9a-f-]{36}) "
    r"counts=(?P<counts>[0-9./]*) postits=(?P<postits>\d+) sha256=(?P<digest>[0-9a-f]{64})$"
)
IMAGE_STARTS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class Receipt:
    session_id: str
    counts: tuple[tuple[int, ...], ...]
    postits: int
    digest: str

    @property
    def text(self) -> str:
        counts = "/".join(".".join(str(n) for n in row) for row in self.counts)
        return (
            f"{PREFIX} session={self.session_id} counts={counts} postits={self.postits} sha256={self.digest}"
        )


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a receipt against this database."""

    matches: bool
    differences: list[str]
    session_label: str = ""


def postits_digest(store: Store, session_id: str) -> str:
    """SHA-256 over the session's live post-its: one JSON line each, sorted by id.

    Comments count as the office holds them: with the session's pseudonym map applied
    (`facilitator.sync.outgoing`), so that a receipt made on the laptop verifies at the
    office after import. At the office there is no map, and the comments are as stored.
    """
    anonymiser = session_anonymiser(store, session_id)
    lines = sorted(
        json.dumps(
            [
                p.id,
                p.statement_number,
                p.response_key,
                p.participant,
                pseudonymised(p.comment, FREE_TEXT["postits"]["comment"], anonymiser),
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for p in store.postits.of(session_id)
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def make_receipt(store: Store, session: Session) -> Receipt:
    """The receipt of a session as this database holds it now."""
    counts = store.postits.counts([session.id])
    rows = tuple(
        tuple(counts.get(statement.number, {}).get(key, 0) for key in session.scale.keys)
        for statement in session.statements
    )
    return Receipt(session.id, rows, sum(sum(r) for r in rows), postits_digest(store, session.id))


def parse(text: str) -> Receipt:
    """A receipt from its text, or a clear error."""
    text = text.strip()
    match = PATTERN.match(text)
    if match is None:
        if text.startswith("facilitator-receipt/") and not text.startswith(PREFIX + " "):
            raise FacilitatorError(
                "this receipt was made by a newer facilitator: update facilitator to check it"
            )
        raise FacilitatorError(
            "not a facilitator receipt: expected text starting 'facilitator-receipt/1 session='"
        )
    try:
        counts = tuple(
            tuple(int(n) for n in row.split(".")) for row in match["counts"].split("/") if match["counts"]
        )
    except ValueError:
        raise FacilitatorError("the receipt's counts are malformed") from None
    return Receipt(match["session"], counts, int(match["postits"]), match["digest"])


def verify(store: Store, receipt: Receipt) -> Verification:
    """Whether this database holds exactly the session's data the receipt describes, or what differs."""
    try:
        session = store.sessions.get(receipt.session_id)
    except NotFound:
        return Verification(
            False, [f"session {receipt.session_id} is not in this database (not imported yet?)"]
        )
    here = make_receipt(store, session)
    differences = []
    if len(here.counts) != len(receipt.counts) or any(
        len(a) != len(b) for a, b in zip(here.counts, receipt.counts, strict=False)
    ):
        differences.append("the receipt's statements or scale do not match this session's")
    else:
        keys = session.scale.keys
        for statement, (mine, theirs) in enumerate(zip(here.counts, receipt.counts, strict=True), start=1):
            for key, a, b in zip(keys, mine, theirs, strict=True):
                if a != b:
                    differences.append(f"statement {statement} {key}: receipt {b}, here {a}")
    if here.postits != receipt.postits:
        differences.append(f"post-its: receipt {receipt.postits}, here {here.postits}")
    if here.digest != receipt.digest:
        differences.append(
            "the post-its' digest differs"
            + (
                ""
                if len(differences)
                else ": same counts, but a post-it's comment, participant or response differs"
            )
        )
    return Verification(not differences, differences, session.label)


# ---------------------------------------------------------------- QR codes


def _qr(text: str):  # type: ignore[no-untyped-def]
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_terminal(text: str) -> str:
    """The QR code drawn with block characters, for a terminal."""
    out = io.StringIO()
    _qr(text).print_ascii(out=out, invert=True)
    return out.getvalue()


def qr_modules(text: str) -> list[list[bool]]:
    """The QR code's modules row by row (True is dark), with its quiet zone around it."""
    return [[bool(module) for module in row] for row in _qr(text).get_matrix()]


def qr_png(text: str, *, box_size: int = 6) -> bytes:
    """The QR code as PNG bytes."""
    code = _qr(text)
    code.box_size = box_size
    image = code.make_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(text: str) -> str:
    """The QR code as a `data:image/png;base64,...` URI, to embed in an HTML summary."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")


def session_qr_data_uri(store: Store, session: Session) -> str:
    """The session's receipt as a PNG data URI."""
    return qr_data_uri(make_receipt(store, session).text)


def read_image(path: Path) -> str:
    """The receipt text in a QR code image (PNG, JPEG, ...), or a clear error."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            import zxingcpp

            qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
            found = zxingcpp.read_barcodes(image, formats=qr_only)
    except (UnidentifiedImageError, OSError, ValueError):
        raise FacilitatorError(f"cannot read {path} as an image") from None
    texts = [b.text for b in found if b.text.startswith("facilitator-receipt/")]
    if not texts:
        raise FacilitatorError(f"no facilitator receipt QR code found in {path}")
    return str(texts[0])


def receipt_from(argument: str) -> Receipt:
    """A receipt from an image file, a text file, or the receipt text itself."""
    path = Path(argument)
    if not argument.startswith("facilitator-receipt/") and path.is_file():
        try:
            head = path.read_bytes()[:16]
        except OSError as error:
            raise FacilitatorError(f"cannot read {path}: {error.strerror}") from None
        if head.startswith(IMAGE_STARTS):
            return parse(read_image(path))
        try:
            return parse(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise FacilitatorError(f"{path} is neither an image nor a receipt's text") from None
    return parse(argument)
