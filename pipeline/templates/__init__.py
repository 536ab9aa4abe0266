"""Every HTML and Markdown file this package writes is rendered here, from the ``*.j2`` templates beside this
module (package data), by one of two Jinja2 environments (issue 14 point 4).

Why Jinja2: autoescape by default (a value can only reach a page as text unless a template says ``|safe``),
templates a reviewer can read apart from the code, and it is already in the dependency tree (GX renders its
Data Docs with it).

- **HTML** (``*.html.j2``, :func:`render_html`): ``autoescape=True`` (MarkupSafe: ``& < > " '`` in text and
  attributes), ``StrictUndefined`` (a missing value fails the render instead of printing nothing). The only
  ``|safe`` is the report's inline SVG, our own matplotlib output, documented where it is inserted.
- **Markdown** (``*.md.j2``, :func:`render_markdown`): Jinja's autoescape is HTML escaping, which is wrong for
  Markdown: it leaves ``|``, ``#``, ``[`` and ``*`` alone (tables split, headings, links and emphasis from
  the data) and turns ``&`` and quotes into entities a reader of the raw file sees. So autoescape is off
  and a ``finalize`` hook passes every ``{{ value }}`` through :func:`md_escape`, which neutralises Markdown
  and inline-HTML metacharacters; templates cannot forget it because it is not a filter to apply but the
  default. A value that is already Markdown we built (a code
  span from the ``code`` filter) is a :class:`MarkdownSafe` and passes unchanged, like ``Markup`` in HTML.
  Values are also put on one line (line breaks and runs of spaces/tabs become one space, ends trimmed):
  Markdown renders them so anyway, and a value cannot start a block of its own (heading, list, quote, code).

Template syntax inside a data value is never evaluated: values are rendered, never compiled as templates.
"""

from __future__ import annotations

import math
import re
from numbers import Integral, Real
from typing import Any

import jinja2

#: ASCII characters that start Markdown inline syntax or inline HTML: escapes, code spans, emphasis,
#: strikethrough, links and images, raw HTML and autolinks, entity references, table cells, headings.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|#~])")
#: A value that would start a block if it began a line: list item (``-``, ``+``, ``1.``, ``1)``), setext
#: underline or thematic break (``===``, ``---``). ``#``, ``>`` and ``*`` are escaped everywhere anyway.
_MD_BLOCK_START = re.compile(r"^(?:[-+=](?=\s|$|[-=]*$)|\d{1,9}[.)](?=\s|$))")
_MD_SPACE = re.compile(r"[ \t\r\n\f\v]+")


class MarkdownSafe(str):
    """Markdown this package built (not data): passed through the Markdown environment's ``finalize``."""


def md_escape(value: object) -> str:
    """``value`` as plain text in Markdown: one line, every metacharacter backslash-escaped (CommonMark
    allows a backslash before any ASCII punctuation; viewers show the character itself)."""
    if isinstance(value, MarkdownSafe):
        return value
    text = _MD_SPACE.sub(" ", str(value)).strip(" ")
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_BLOCK_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text, count=1)


def md_code(value: object, in_table: bool = True) -> MarkdownSafe:
    """``value`` as a code span (shown verbatim): a fence longer than any backtick run in it; in a table
    cell ``|`` becomes ``\\|`` (GFM splits cells before it parses code spans)."""
    text = _MD_SPACE.sub(" ", str(value))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or text.startswith(" ") or text.endswith(" ") else ""
    if in_table:
        text = text.replace("|", "\\|")
    return MarkdownSafe(f"{fence}{pad}{text}{pad}{fence}")


def fmt(value: Any) -> str:
    """The ``fmt`` filter, numbers for people (the report's tables and chart labels): integers with thousands
    separators, ratios with 4 significant digits. Here, not in ``pipeline.report``, so that this package
    depends on no package that renders through it (no import cycle with the report)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real):
        v = float(value)
        if math.isnan(v):
            return "—"
        if v.is_integer() and abs(v) >= 1:
            return f"{int(v):,}"
        return f"{v:.4g}"
    return str(value)


def _common() -> dict[str, Any]:
    return {
        "loader": jinja2.PackageLoader("pipeline", "templates"),
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }


HTML = jinja2.Environment(autoescape=True, **_common())
HTML.filters["fmt"] = fmt
MARKDOWN = jinja2.Environment(autoescape=False, finalize=md_escape, **_common())
MARKDOWN.filters["code"] = md_code


def render_html(name: str, /, **context: Any) -> str:
    """Render the HTML template ``name`` (``*.html.j2``) with autoescape."""
    if not name.endswith(".html.j2"):
        raise ValueError(f"{name} is not an HTML template")
    return HTML.get_template(name).render(**context)


def render_markdown(name: str, /, **context: Any) -> str:
    """Render the Markdown template ``name`` (``*.md.j2``); every value through :func:`md_escape`."""
    if not name.endswith(".md.j2"):
        raise ValueError(f"{name} is not a Markdown template")
    return MARKDOWN.get_template(name).render(**context)
