"""Warnings about likely identifying details, as text to show while someone types.

The findings come from `facilitator.discussion.anonymity.detect`; this only words them.
They warn and never block: the note or comment is saved as typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from facilitator.discussion.anonymity import Finding
from facilitator.ui.text import one_line

# Short words for a narrow box (a post-it's comment box on the wall).
SHORT_REASONS = {
    "pseudonym": "in map",
    "prison_number": "prison no.?",
    "phone": "phone?",
    "date": "birth date?",
    "name": "name?",
}


def warning_text(text: str, findings: Sequence[Finding]) -> Text:
    """`⚠ May identify someone: "Darren" a capitalised word that may be a name; …`."""
    out = Text()
    if not findings:
        return out
    out.append("⚠ May identify someone: ", style="bold")
    for index, finding in enumerate(findings):
        if index:
            out.append("; ")
        out.append_text(one_line(finding.excerpt(text), "bold reverse"))
        out.append(f" {finding.reason}")
    return out


def short_warning(text: str, findings: Sequence[Finding]) -> Text:
    """`⚠ Darren name? · A1234BC prison no.?`: what fits under a narrow box (literal text)."""
    out = Text()
    for index, finding in enumerate(findings):
        out.append("⚠ " if not index else " · ")
        out.append_text(one_line(finding.excerpt(text), "bold"))
        out.append(f" {SHORT_REASONS.get(finding.kind, finding.kind)}")
    return out


def fitting_warning(text: str, findings: Sequence[Finding], width: int) -> Text:
    """The short warning if it fits in `width` cells; else only what kinds were found.

    `⚠ Darren name?` when there is room, `⚠ name? ↓` when not: the whole
    warning is then shown in a wider place (the wall's bar under the columns).
    """
    short = short_warning(text, findings)
    if width <= 0 or short.cell_len <= width:
        return short
    kinds = dict.fromkeys(SHORT_REASONS.get(f.kind, f.kind) for f in findings)
    compact = Text("⚠ " + " ".join(kinds) + " ↓")
    return compact if compact.cell_len <= width else Text("⚠ ↓")
