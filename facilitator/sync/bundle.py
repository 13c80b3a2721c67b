"""The bundle file: a header line, the signature, then a manifest, the rows and a checksum.

A bundle is one file::

    facilitator-bundle 2 age\n                 <- or "plain"; the format version comes first
    signed <device id> <body bytes> <Ed25519 signature>\n   <- who made it, and its signature
    <age ciphertext of the body>                <- or the body itself when plain

and the body is::

    {"format": 2, "device_id": ..., ...}\n   <- the manifest, one JSON line
    <zlib-compressed JSON lines, one per table: {"table", "columns", "rows"}>
    <SHA-256 of everything above, 32 bytes>

The signature covers the header line, the signer and the SHA-256 of the body as it is
in the file (whose length the signature line gives, so a file still being copied is
told from a forged one) (the ciphertext when encrypted). It is checked before anything else, with
the key of a device the reader enrolled; the manifest must name the same device. The
manifest carries the SHA-256 of the compressed payload and the row count of each
table, so a damaged or edited bundle is refused before anything is written.
Nothing here touches the database: `facilitator.sync.merge` does.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any

from facilitator.core.errors import FacilitatorError
from facilitator.store.sync_state import Value as Value  # a column value; defined by the store
from facilitator.sync.signing import (
    SIGNATURE_BYTES,
    Signer,
    decode_key,
    encode_key,
    sign,
    signed_message,
    verify,
)

FORMAT_VERSION = 2
# Format 1 bundles were not signed: they are refused with a message saying so.
UNSIGNED_VERSION = 1
MAGIC = b"facilitator-bundle"
SUFFIX = ".bundle"
DIGEST_SIZE = 32
# Bundle names made here: facilitator-<device id>-<sequence>-<time>.bundle
NAME_PATTERN = re.compile(
    r"^facilitator-(?P<device>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"-(?P<sequence>\d{6,})-\d{8}T\d{6}Z\.bundle$"
)
MAX_MANIFEST = 1 << 20
# Guards against a zip bomb, checked before and while the payload is decompressed.
# A real payload (JSON lines full of random UUIDs) expands about 5.5 times (100,000
# post-its), 18.5 times when every comment repeats one long text; a manifest declaring
# more than MAX_EXPANSION times the compressed size (plus EXPANSION_SLACK, for tiny
# bundles) or more than MAX_PAYLOAD bytes (about ten times 100,000 post-its) is refused.
MAX_EXPANSION = 64
EXPANSION_SLACK = 64 << 10
MAX_PAYLOAD = 256 << 20
# The largest file a bundle can be: its payload at most MAX_PAYLOAD compressed (zlib adds
# a little to what it cannot compress), with room for the header, manifest and age's framing.
MAX_FILE = MAX_PAYLOAD + MAX_PAYLOAD // 64 + (4 << 20)
# Decompressed this much at a time, so that a payload that expands past its declared
# size is refused after one chunk more than it declared, never after it all.
EXPAND_CHUNK = 1 << 20
SCALARS = {str, int, float, type(None)}


class BundleError(FacilitatorError):
    """A bundle that cannot be read: damaged, truncated, foreign or for another key."""


class Untrusted(BundleError):
    """A bundle signed by a device this database has not enrolled (or has revoked)."""


class BundleIncomplete(BundleError):
    """A bundle cut short: perhaps still being copied. Taking it again later may work."""


@dataclass(frozen=True)
class TableRows:
    table: str
    columns: list[str]
    rows: Sequence[Sequence[Value]]


@dataclass(frozen=True)
class Manifest:
    format: int
    device_id: str
    sequence: int
    created_at: str
    complete: bool
    tables: dict[str, int]
    payload_sha256: str
    payload_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "device_id": self.device_id,
            "sequence": self.sequence,
            "created_at": self.created_at,
            "complete": self.complete,
            "tables": self.tables,
            "payload_sha256": self.payload_sha256,
            "payload_bytes": self.payload_bytes,
        }


@dataclass
class Bundle:
    """A bundle read and checked: its manifest, payload and the hashes that identify it.

    The rows are unpacked (and checked) when `tables` is first read, so that a bundle
    already imported is recognised without that work.
    """

    manifest: Manifest
    payload: bytes
    file_sha256: str
    encrypted: bool
    name: str
    signer: str

    @cached_property
    def tables(self) -> list[TableRows]:
        return _tables(self.payload, self.manifest, self.name)


def bundle_name(device_id: str, sequence: int, created_at: str) -> str:
    """The file name of a bundle: device, sequence and UTC time, so names sort by device then order."""
    compact = created_at[:19].replace("-", "").replace(":", "")
    return f"facilitator-{device_id}-{sequence:06d}-{compact}Z{SUFFIX}"


def name_parts(name: str) -> tuple[str, int] | None:
    """The device id and sequence a bundle's file name claims, if it is named the standard way."""
    match = NAME_PATTERN.match(name)
    if match is None:
        return None
    return match["device"], int(match["sequence"])


# ---------------------------------------------------------------- writing


def encode(
    device_id: str,
    sequence: int,
    created_at: str,
    tables: list[TableRows],
    *,
    complete: bool,
    recipients: list[str] | None,
    signer: Signer,
    level: int = 1,
) -> tuple[bytes, Manifest]:
    """The bytes of a bundle holding these rows, signed by `signer` and encrypted to
    `recipients` (None: plaintext)."""
    lines = [
        json.dumps(
            {"table": t.table, "columns": t.columns, "rows": t.rows},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for t in tables
    ]
    raw = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    payload = zlib.compress(raw, level)
    manifest = Manifest(
        format=FORMAT_VERSION,
        device_id=device_id,
        sequence=sequence,
        created_at=created_at,
        complete=complete,
        tables={t.table: len(t.rows) for t in tables},
        payload_sha256=hashlib.sha256(payload).hexdigest(),
        payload_bytes=len(raw),
    )
    return seal(manifest.to_json(), payload, recipients, signer), manifest


def seal(manifest: dict[str, Any], payload: bytes, recipients: list[str] | None, signer: Signer) -> bytes:
    """Assemble a bundle from a manifest and a compressed payload, sign it and (with
    `recipients`) encrypt it. Tests use it to forge bad bundles."""
    head = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
    body = head + payload
    body += hashlib.sha256(body).digest()
    if recipients is None:
        header = MAGIC + f" {FORMAT_VERSION} plain".encode()
    else:
        import pyrage

        try:
            keys = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
        except pyrage.RecipientError as error:
            raise FacilitatorError(f"the trusted recipient is not valid: {error}") from None
        body = pyrage.encrypt(body, keys)
        header = MAGIC + f" {FORMAT_VERSION} age".encode()
    return sign_body(header, body, signer)


def sign_body(header: bytes, body: bytes, signer: Signer) -> bytes:
    """A bundle file from its header line and body, signed by `signer`."""
    message = signed_message(header, signer.device_id, len(body), hashlib.sha256(body).digest())
    signature = encode_key(sign(signer.seed, message))
    line = f"signed {signer.device_id} {len(body)} {signature}\n"
    return header + b"\n" + line.encode("ascii") + body


# ---------------------------------------------------------------- reading


def read_file(path: Path) -> bytes:
    """A bundle file's bytes; one larger than any bundle can be is refused before it is read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise BundleError(
                f"{path.name} is refused: it is {size:,} bytes, more than a bundle can be ({MAX_FILE:,})"
            )
        return path.read_bytes()
    except IsADirectoryError:
        raise BundleError(f"{path} is a folder, not a bundle") from None
    except OSError as error:
        raise BundleError(f"cannot read {path}: {error.strerror}") from None


def peek(data: bytes, name: str) -> tuple[int, bool]:
    """The format version and whether the bundle is encrypted, from its first line."""
    if not data:
        raise BundleError(f"{name} is empty: not a bundle (perhaps still being copied)")
    newline = data.find(b"\n", 0, 64)
    first = data[:newline] if newline >= 0 else data[:64]
    parts = first.split(b" ")
    if not data.startswith(MAGIC + b" ") or len(parts) != 3 or newline < 0:
        if MAGIC.startswith(data[: len(MAGIC)]) and len(data) < 40:
            raise BundleIncomplete(f"{name} is truncated: it ends inside its header")
        raise BundleError(f"{name} is not a facilitator bundle")
    try:
        version = int(parts[1].decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise BundleError(f"{name} is not a facilitator bundle (bad header)") from None
    if version > FORMAT_VERSION:
        raise BundleError(
            f"{name} is bundle format {version}, newer than this facilitator reads "
            f"({FORMAT_VERSION}): update facilitator"
        )
    if version < 1 or parts[2] not in (b"age", b"plain"):
        raise BundleError(f"{name} is not a facilitator bundle (bad header)")
    if version == UNSIGNED_VERSION:
        raise BundleError(
            f"{name} is an unsigned bundle from an older facilitator: refused; update facilitator "
            "on the laptop that made it, and export again"
        )
    return version, parts[2] == b"age"


# The signature line: "signed <device id> <body length> <signature>", at most this long.
MAX_SIGNATURE_LINE = 200
SIGNATURE_LINE = re.compile(rb"^signed ([0-9a-f-]{36}) (0|[1-9][0-9]{0,14}) ([A-Za-z0-9_-]{80,90})$")

KeyOf = Callable[[str], bytes]


@dataclass(frozen=True)
class SignatureLine:
    """What a bundle's signature line says (not yet checked), and where its body starts."""

    signer: str
    length: int
    signature: str
    body_start: int


def signature_line(data: bytes, name: str) -> SignatureLine:
    """A bundle's signature line, read after its header line; BundleError if it has none."""
    start = data.index(b"\n") + 1
    end = data.find(b"\n", start, start + MAX_SIGNATURE_LINE)
    if end < 0:
        if len(data) - start < MAX_SIGNATURE_LINE:
            raise BundleIncomplete(f"{name} is truncated: it ends inside its signature")
        raise BundleError(f"{name} is not signed: refused")
    match = SIGNATURE_LINE.match(data[start:end])
    if match is None:
        raise BundleError(f"{name} is not signed (its signature line is malformed): refused")
    return SignatureLine(match[1].decode("ascii"), int(match[2]), match[3].decode("ascii"), end + 1)


def check_signature(data: bytes, name: str, key_of: KeyOf) -> tuple[str, bytes]:
    """The signer and the body of a bundle whose signature verifies; BundleError otherwise.

    `key_of(device_id)` gives the public key of a device the reader trusts, and raises
    `Untrusted` for any other: nothing of an untrusted bundle is read past its signature.
    """
    peek(data, name)
    return check_signed(data, name, key_of)


def check_signed(data: bytes, name: str, key_of: KeyOf) -> tuple[str, bytes]:
    """The signer and the body of a signed file (a bundle, an acknowledgement) whose signature
    verifies; BundleError otherwise. Its header line must have been checked by the caller."""
    line = signature_line(data, name)
    try:
        public = key_of(line.signer)
    except Untrusted as error:
        raise Untrusted(f"{name} {error}") from None
    body = data[line.body_start :]
    if len(body) < line.length:
        raise BundleIncomplete(
            f"{name} is shorter than its signature says: truncated (perhaps still being copied) "
            "or altered; refused"
        )
    if len(body) > line.length:
        raise BundleError(f"{name} is longer than its signature says: altered; refused")
    header = data[: data.index(b"\n")]
    message = signed_message(header, line.signer, line.length, hashlib.sha256(body).digest())
    signature = decode_key(line.signature, SIGNATURE_BYTES)
    if signature is None or not verify(public, signature, message):
        raise BundleError(
            f"{name} does not match its signature from device {line.signer[:8]}: it was altered, "
            "damaged, or forged; refused"
        )
    return line.signer, body


def decode(data: bytes, name: str, key_of: KeyOf, identities: list[Any] | None = None) -> Bundle:
    """Read and check a bundle's bytes; raise BundleError (one line) for anything wrong.

    The signature is checked first, with `key_of` (see `check_signature`). `identities`
    are pyrage identities for an encrypted bundle.
    """
    signer, body = check_signature(data, name, key_of)
    _version, encrypted = peek(data, name)
    if encrypted:
        body = _decrypt(body, name, identities)
    if len(body) < DIGEST_SIZE + 2:
        raise BundleIncomplete(f"{name} is truncated")
    content, digest = body[:-DIGEST_SIZE], body[-DIGEST_SIZE:]
    if hashlib.sha256(content).digest() != digest:
        raise BundleIncomplete(f"{name} is truncated or damaged: its checksum does not match")
    end = content.find(b"\n", 0, MAX_MANIFEST)
    if end < 0:
        raise BundleError(f"{name} is damaged: no manifest")
    manifest = _manifest(content[:end], name)
    payload = content[end + 1 :]
    if hashlib.sha256(payload).hexdigest() != manifest.payload_sha256:
        raise BundleError(f"{name} is damaged: its payload does not match the SHA-256 in its manifest")
    if manifest.device_id != signer:
        raise BundleError(
            f"{name} is signed by device {signer[:8]} but its manifest names device "
            f"{manifest.device_id[:8]}: refused"
        )
    return Bundle(manifest, payload, hashlib.sha256(data).hexdigest(), encrypted, name, signer)


def _decrypt(body: bytes, name: str, identities: list[Any] | None) -> bytes:
    if not identities:
        raise BundleError(f"{name} is encrypted: pass --identity FILE (the office's key) to read it")
    import pyrage

    try:
        return bytes(pyrage.decrypt(body, identities))
    except pyrage.DecryptError as error:
        text = str(error).casefold()
        if "no matching keys" in text:
            raise BundleError(
                f"{name} was encrypted for another key (or its header is damaged): "
                "this identity cannot open it"
            ) from None
        if "decryption error" in text or "fill whole buffer" in text:
            raise BundleIncomplete(f"{name} is truncated or damaged: it cannot be decrypted") from None
        raise BundleError(f"{name} is damaged: it cannot be decrypted ({_one_line(error)})") from None
    except Exception as error:
        # pyrage raises other kinds for some malformed headers.
        raise BundleError(f"{name} is damaged: it cannot be decrypted ({_one_line(error)})") from None


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]


def _manifest(line: bytes, name: str) -> Manifest:
    try:
        raw = json.loads(line)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BundleError(f"{name} is damaged: its manifest is not JSON") from None
    if not isinstance(raw, dict):
        raise BundleError(f"{name} is damaged: its manifest is not an object")
    version = raw.get("format")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise BundleError(
            f"{name} is bundle format {version}, newer than this facilitator reads "
            f"({FORMAT_VERSION}): update facilitator"
        )
    try:
        tables = raw["tables"]
        manifest = Manifest(
            format=raw["format"],
            device_id=raw["device_id"],
            sequence=raw["sequence"],
            created_at=raw["created_at"],
            complete=raw["complete"],
            tables=tables,
            payload_sha256=raw["payload_sha256"],
            payload_bytes=raw["payload_bytes"],
        )
    except (KeyError, TypeError):
        raise BundleError(f"{name} is damaged: its manifest lacks a field") from None
    ok = (
        manifest.format == FORMAT_VERSION
        and _is_text(manifest.device_id)
        and _is_count(manifest.sequence)
        and _is_text(manifest.created_at)
        and isinstance(manifest.complete, bool)
        and isinstance(tables, dict)
        and all(_is_text(k) and _is_count(v) for k, v in tables.items())
        and _is_text(manifest.payload_sha256)
        and _is_count(manifest.payload_bytes)
    )
    if not ok:
        raise BundleError(f"{name} is damaged: its manifest has a bad field")
    if manifest.payload_bytes > MAX_PAYLOAD:
        raise BundleError(
            f"{name} is refused: its manifest declares a payload of {manifest.payload_bytes} bytes, "
            f"more than the {MAX_PAYLOAD} a bundle may hold"
        )
    return manifest


def _is_text(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 200


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _tables(payload: bytes, manifest: Manifest, name: str) -> list[TableRows]:
    """The payload's tables, decompressed and parsed a line at a time within its declared size."""
    _check_expansion(manifest.payload_bytes, len(payload), name)
    tables: list[TableRows] = []
    seen: set[str] = set()
    for line in _lines(_expand(payload, manifest.payload_bytes, name)):
        try:
            item = json.loads(line)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise BundleError(f"{name} is damaged: a table is not JSON") from None
        table = _table(item, name)
        if table.table in seen:
            raise BundleError(f"{name} is damaged: table {table.table!r} appears twice")
        seen.add(table.table)
        tables.append(table)
    counts = {t.table: len(t.rows) for t in tables}
    if counts != manifest.tables:
        raise BundleError(f"{name} is damaged: its rows do not match the counts in its manifest")
    return tables


def _check_expansion(declared: int, compressed: int, name: str) -> None:
    """Refuse a declared payload size no real bundle of this compressed size could have."""
    if declared > MAX_EXPANSION * compressed + EXPANSION_SLACK:
        raise BundleError(
            f"{name} is refused: its manifest declares a payload of {declared} bytes, more than "
            f"{MAX_EXPANSION} times its {compressed} compressed bytes"
        )


def _expand(payload: bytes, declared: int, name: str) -> Iterator[bytes]:
    """The decompressed payload in chunks; refused as soon as it passes its declared size.

    Damage is refused at the end: a stream that stops short of its end, leaves bytes
    over, or comes out shorter than declared.
    """
    expander = zlib.decompressobj()
    produced = position = 0
    try:
        while not expander.eof:
            data = expander.unconsumed_tail
            if not data and position < len(payload):
                data = payload[position : position + EXPAND_CHUNK]
                position += len(data)
            chunk = expander.decompress(data, EXPAND_CHUNK)
            if not chunk and not data:
                break  # every byte read, and the stream is not finished
            produced += len(chunk)
            if produced > declared:
                raise BundleError(
                    f"{name} is refused: its payload expands past the size its manifest declares"
                )
            yield chunk
    except zlib.error:
        raise BundleError(f"{name} is damaged: its payload cannot be decompressed") from None
    if not expander.eof or expander.unused_data or position < len(payload) or produced != declared:
        raise BundleError(f"{name} is damaged: its payload cannot be decompressed")


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of a stream of chunks, without their newlines; each line is held once, alone."""
    parts: list[bytes] = []
    for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            parts.append(chunk[start:end])
            yield b"".join(parts)
            parts = []
            start = end + 1
        if start < len(chunk):
            parts.append(chunk[start:])
    if parts:
        yield b"".join(parts)


def _table(item: object, name: str) -> TableRows:
    if not isinstance(item, dict) or set(item) != {"table", "columns", "rows"}:
        raise BundleError(f"{name} is damaged: a table entry is malformed")
    table, columns, rows = item["table"], item["columns"], item["rows"]
    if (
        not _is_text(table)
        or not isinstance(columns, list)
        or not all(_is_text(c) for c in columns)
        or len(set(columns)) != len(columns)
        or not isinstance(rows, list)
    ):
        raise BundleError(f"{name} is damaged: a table entry is malformed")
    width = len(columns)
    # Checked a column at a time with C-level iteration: a bundle may hold 100,000 rows.
    if set(map(type, rows)) - {list} or set(map(len, rows)) - {width}:
        raise BundleError(f"{name} is damaged: a row of {table!r} has the wrong number of values")
    if set(map(type, chain.from_iterable(rows))) - SCALARS:
        raise BundleError(f"{name} is damaged: a row of {table!r} holds a value of a bad kind")
    return TableRows(table, columns, rows)
