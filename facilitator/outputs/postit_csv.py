"""Reading a wall transcribed as CSV, or a post-it CSV export, back into post-its.

Two headers are read: a transcription's (`statement,response,comment[,participant]`)
and the export's (`export.CSV_COLUMNS`, of which the columns in
`export.IMPORTED_COLUMNS` are read). Every cell is restored from the export's
spreadsheet neutralisation, so an export reads back exactly.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from facilitator.core.errors import FacilitatorError
from facilitator.outputs.export import CSV_COLUMNS, IMPORTED_COLUMNS, restore_cell
from facilitator.store import NewPostit

IMPORT_COLUMNS = ("statement", "response", "comment", "participant")
IMPORT_FORMATS = "statement,response,comment[,participant], or those of 'facilitator export --format csv'"


def _import_fields(path: Path, columns: list[str]) -> list[str | None]:
    """The post-it field each column fills, None for an export's column that the import ignores.

    A header that names the export's `statement_number` or `response_key` is an
    export's header: its `statement` is the statement's text, and the import
    reads only the columns in `export.IMPORTED_COLUMNS`. Any other header is a
    transcription's, with the columns `IMPORT_COLUMNS`.
    """
    known: tuple[str, ...]
    if any(c in IMPORTED_COLUMNS and c not in IMPORT_COLUMNS for c in columns):
        known, required = CSV_COLUMNS, ("statement_number", "response_key")
        fields = [IMPORTED_COLUMNS.get(c) for c in columns]
    else:
        known, required = IMPORT_COLUMNS, ("statement", "response")
        fields = list(columns)
    unknown = [c for c in columns if c not in known]
    missing = [c for c in required if c not in columns]
    twice = [c for i, c in enumerate(columns) if c in columns[:i]]
    if unknown or missing or twice:
        if unknown:
            problem = f"unknown column {unknown[0]!r}"
        elif missing:
            problem = f"missing column {missing[0]!r}"
        else:
            problem = f"column {twice[0]!r} appears twice"
        raise FacilitatorError(f"{path} line 1: {problem}: columns are {IMPORT_FORMATS}")
    return fields


def read_postit_csv(path: Path) -> tuple[list[NewPostit], list[int]]:
    """Read a transcription CSV, or a post-it CSV export: the post-its and the line each came from.

    Every cell read is restored from the export's spreadsheet neutralisation
    (`export.restore_cell`): one leading apostrophe comes off when = + - @, a
    tab, a carriage return or another apostrophe follows it, and only then. The
    rule is the same for a file typed by hand, so `'quoted'` keeps its
    apostrophe and `''tis` becomes `'tis`.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise FacilitatorError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise FacilitatorError(f"{path} is not UTF-8 text: save it as 'CSV UTF-8'") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    items: list[NewPostit] = []
    lines: list[int] = []
    try:
        columns = [c.strip().casefold() for c in next(reader, [])]
        if not columns:
            raise FacilitatorError(f"{path} is empty: it needs a header line 'statement,response,comment'")
        fields = _import_fields(path, columns)
        for row in reader:
            if len(row) > len(columns):
                raise FacilitatorError(f"{path} line {reader.line_num}: more cells than columns")
            if not any(cell.strip() for cell in row):
                continue
            cells = {field: cell for field, cell in zip(fields, row, strict=False) if field is not None}
            items.append(
                NewPostit(
                    statement_number=restore_cell(cells.get("statement", "").strip()),  # type: ignore[arg-type]  # checked by the store
                    response=restore_cell(cells.get("response", "").strip()),
                    comment=restore_cell(cells.get("comment", "")),
                    participant=restore_cell(cells.get("participant", "").strip()) or None,
                )
            )
            lines.append(reader.line_num)
    except csv.Error as error:
        raise FacilitatorError(f"{path} line {reader.line_num}: {error}") from None
    return items, lines
