"""The document model as a Word document (python-docx)."""

from __future__ import annotations

from pathlib import Path

from facilitator.outputs.document import Document


def render_docx(document: Document, folder: Path, out: Path, *, template: Path | None = None) -> None:
    """Write `document` as a .docx file at `out`; chart files are read from `folder`.

    `template` is an organisation's .docx whose styles are used.
    """
    raise NotImplementedError("the Word document is not written yet")
