"""The document model as one HTML page, through a Jinja2 template with autoescaping.

Every value a template shows is plain text: autoescaping turns markup in it into
text, and control characters are shown visibly first (`core.literal.visible`).
The only markup taken as it is, is a chart's SVG (see `_svg`). jinja2 is imported
inside the functions (start-up time).
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facilitator.core.literal import visible
from facilitator.outputs.document import Comments, Document, Footnotes, Section

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"


def environment(*, html: bool) -> jinja2.Environment:
    """The Jinja2 environment for the package's templates: autoescaped for HTML, not for Markdown."""
    import jinja2
    from markupsafe import Markup

    def shown(value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, Markup):
            return visible(value, multiline=True)
        return value

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=html,
        finalize=shown if html else None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def kind(block: object) -> str:
    """A block's kind for the templates: its class name ("Paragraph", "Figure", …)."""
    return type(block).__name__


def svg_from_folder(folder: Path) -> Callable[[str], bytes]:
    """Read chart SVG files, by name, from the folder the document is written into."""
    return lambda name: (folder / name).read_bytes()


def _svg_inliner(read: Callable[[str], bytes]) -> Callable[[str], Any]:
    from markupsafe import Markup

    from facilitator.outputs.chart_files import svg_inline

    numbers = itertools.count(1)

    def svg(name: str) -> Markup:
        # Safe to take as markup: this is matplotlib's own SVG of a chart we drew (its text
        # escaped by matplotlib, its metadata removed, its ids prefixed to stay unique on
        # the page), never a file or text that came from outside.
        return Markup(svg_inline(read(name), f"c{next(numbers)}"))

    return svg


def generate(document: Document, *, svg: Callable[[str], bytes] | None = None) -> Iterator[str]:
    """The page in pieces, as it is rendered (a streamed document is never held whole).

    `svg` reads a chart's SVG by file name, to inline it; without it, or for a chart
    drawn without SVG, the page shows the PNG file by name. The sections are walked
    here, one piece of template at a time, because a Jinja macro renders all it holds
    into one string: every comment of a large report would be in memory at once.
    """
    env = environment(html=True)
    names = {
        "document": document,
        "kind": kind,
        "notes": Footnotes(),
        "svg": _svg_inliner(svg) if svg is not None else None,
        "base64": lambda data: base64.b64encode(data).decode("ascii"),
    }
    pieces = env.get_template("blocks.html.j2").make_module(names)
    yield from env.get_template("document.html.j2").generate(names)
    for section in document.sections:
        yield from _section(pieces, section)
    yield from env.get_template("page_end.html.j2").generate(names)


def _section(pieces: Any, section: Section) -> Iterator[str]:
    yield pieces.section_start(section)
    for block in section.blocks:
        if isinstance(block, Comments):
            yield pieces.comments_start()
            for comment in block.items:
                yield pieces.comment(comment)
            yield pieces.comments_end()
        else:
            yield pieces.render_block(block)
    yield pieces.footnotes()
    for sub in section.sections:
        yield from _section(pieces, sub)
    yield pieces.section_end()


def render_html(document: Document, *, svg: Callable[[str], bytes] | None = None) -> str:
    """The whole page as one string (a summary; a report is written with `generate`)."""
    return "".join(generate(document, svg=svg))
