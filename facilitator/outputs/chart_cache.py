"""A folder of charts drawn before, so an unchanged report draws nothing again.

Each file is `<sha256>.<fmt>`, the hash over the chart's spec (its data, labels,
title and n), the style version and matplotlib's version. The cache only ever
saves time: a damaged, missing or unreadable entry is drawn again, and a cache
that cannot be written is left alone. The oldest files beyond `LIMIT` are dropped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
from functools import cache
from importlib import metadata
from pathlib import Path

from facilitator.core.errors import FacilitatorError
from facilitator.core.files import make_private_dir, write_private
from facilitator.outputs.chart_spec import Spec
from facilitator.outputs.chart_style import STYLE_VERSION

LIMIT = 400
# The cache's own files: only these are ever dropped, whatever else the folder holds.
CACHED_NAME = re.compile(r"[0-9a-f]{64}\.(?:png|svg)")


@cache
def _matplotlib_version() -> str:
    # From the package metadata: importing matplotlib to ask would cost most of a second.
    try:
        return metadata.version("matplotlib")
    except metadata.PackageNotFoundError:
        return "unknown"


def key(spec: Spec) -> str:
    """The hash that names a chart's cached files."""
    content = {
        "kind": type(spec).__name__,
        "spec": dataclasses.asdict(spec),
        "style": STYLE_VERSION,
        "matplotlib": _matplotlib_version(),
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def looks_whole(data: bytes, fmt: str) -> bool:
    """Whether a cached file is a complete PNG or SVG (a cut-off or scribbled file is not)."""
    if fmt == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    if fmt == "svg":
        return data.startswith(b"<?xml") and data.rstrip().endswith(b"</svg>")
    return False


def read(folder: Path, name: str, fmt: str) -> bytes | None:
    """A cached file's bytes, or None if it is missing, unreadable or damaged."""
    path = folder / f"{name}.{fmt}"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not looks_whole(data, fmt):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest
    return data


def save(folder: Path, name: str, drawn: dict[str, bytes]) -> None:
    """Keep freshly drawn files (0600, in a 0700 folder); a failure to keep them is ignored."""
    try:
        make_private_dir(folder)
        for fmt, data in drawn.items():
            # Renamed into place so a reader never sees half a file; not synced to disk,
            # since a file cut short by a crash is only drawn again.
            part = folder / f".{name}.{fmt}.{os.getpid()}.part"
            write_private(part, data)
            os.replace(part, folder / f"{name}.{fmt}")
    except (OSError, FacilitatorError):
        pass


def prune(folder: Path, limit: int = LIMIT) -> None:
    """Drop the least recently used cached files beyond `limit`; files the cache did not name are left."""
    try:
        files = [
            (entry.stat().st_mtime, entry.path)
            for entry in os.scandir(folder)
            if CACHED_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
        ]
    except OSError:
        return
    if len(files) <= limit:
        return
    files.sort()
    for _mtime, path in files[: len(files) - limit]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def empty(folder: Path) -> None:
    """Drop every cached chart (after a purge: the charts of a purged session go with it)."""
    try:
        entries = [entry.path for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)]
    except OSError:
        return
    for path in entries:
        with contextlib.suppress(OSError):
            os.unlink(path)
