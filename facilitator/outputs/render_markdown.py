"""The document model as Markdown, through a Jinja2 template that escapes every value for Markdown.

Every value a template shows passes `core.literal.markdown` (the environment's
`finalize`), unless a filter here has already made it Markdown (a table cell, a
link's address). Charts are images by file name, beside the Markdown file.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from facilitator.core.literal import markdown
from facilitator.outputs.document import Document, Footnotes
from facilitator.outputs.render_html import environment, kind


def render_markdown(document: Document) -> str:
    """The document as CommonMark (with pipe tables and `[^1]` footnotes)."""
    from markupsafe import Markup

    env = environment(html=False)

    def escaped(value: Any) -> Any:
        if isinstance(value, Markup):
            return value
        return markdown(str(value))

    env.finalize = escaped
    env.filters["cell"] = lambda value: Markup(markdown(str(value), in_table=True).replace("\\\n", " "))
    env.filters["url"] = lambda value: Markup(quote(str(value)))
    # Continuation lines of a list item or a quote stay inside it.
    env.filters["lines"] = lambda value, prefix: Markup(markdown(str(value)).replace("\n", "\n" + prefix))
    text = env.get_template("document.md.j2").render(
        document=document, kind=kind, notes=Footnotes(), heading=lambda level: Markup("#" * (level + 1))
    )
    # Tidy what the templates leave: no trailing spaces, never more than one blank line.
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip(" ") for line in text.split("\n")))
    return text.strip("\n") + "\n"
