"""The printable wall kit of a statement set, written for the command line and the sessions screen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.actions.exports import make_folder_for
from facilitator.core.errors import FacilitatorError
from facilitator.core.statements import StatementSet

if TYPE_CHECKING:
    from facilitator.actions.data_folder import Workspace
    from facilitator.store import Session

KIT_ENDINGS = (".html", ".htm")


def check_kit_path(out: Path) -> None:
    """FacilitatorError unless `out` can take the kit: a web page's name, not a folder."""
    if str(out) == "-":
        raise FacilitatorError(
            "the wall kit is a page to print, not text for the terminal: give --out FILE.html"
        )
    if out.name.lower() in KIT_ENDINGS:  # ".html" alone is a name with no ending to Python
        raise FacilitatorError(f"the wall kit needs a name before {out.name}, e.g. kit.html")
    if out.suffix.lower() not in KIT_ENDINGS:
        raise FacilitatorError(
            f"the wall kit is a web page: give a file name ending in .html, not {out.name!r}"
        )
    from facilitator.core.files import is_folder

    if is_folder(out, out):
        raise FacilitatorError(f"{out} is a folder: give a file name ending in .html")


def write_kit(statement_set: StatementSet, out: Path) -> Path:
    """Write the wall kit of `statement_set` to `out` (an .html file; its folder is made if missing),
    the whole file or nothing."""
    from facilitator.core.files import write_atomic
    from facilitator.outputs.kit import kit_html

    check_kit_path(out)
    page = kit_html(statement_set)
    make_folder_for(out)
    write_atomic(out, page)
    return out


def write_kit_to_folder(statement_set: StatementSet, data_dir: Path) -> Path:
    """Write the wall kit into the data folder's exports folder as "kit-<set>.html", never over
    an earlier file ("kit-<set>-2.html" and so on)."""
    from facilitator.core.paths import EXPORTS_FOLDER

    folder = data_dir / EXPORTS_FOLDER
    out = folder / f"kit-{statement_set.id}.html"
    number = 2
    while out.exists():
        out = folder / f"kit-{statement_set.id}-{number}.html"
        number += 1
    return write_kit(statement_set, out)


def session_set(workspace: Workspace, session: Session) -> StatementSet:
    """A session's statements and scale as it froze them, as a set to print; its consent script
    and privacy reminders come from the set file, if that is still here."""
    frozen = StatementSet(
        id=session.statement_set_id,
        title=session.statement_set_title,
        scale=session.scale,
        statements=session.statements,
    )
    found = workspace.catalogue().sets.get(session.statement_set_id)
    if found is None:
        return frozen
    return replace(frozen, consent=found.consent, privacy=found.privacy)
