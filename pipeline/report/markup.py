"""Tiny HTML helpers: every value is escaped here, so sections never build markup from raw strings."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from typing import Any


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: Any) -> str:
    """Numbers for people: integers with thousands separators, ratios with 4 significant digits."""
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


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric_from: int = 1) -> str:
    """An HTML table; columns from ``numeric_from`` on are right-aligned and formatted by :func:`fmt`."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            if i >= numeric_from:
                cells.append(f'<td class="num">{esc(fmt(v))}</td>')
            else:
                cells.append(f"<td>{esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figure(svg: str, caption_ja: str, caption_en: str) -> str:
    return (
        f'<figure class="chart">{svg}<figcaption><span lang="ja">{esc(caption_ja)}</span>'
        f'<span lang="en">{esc(caption_en)}</span></figcaption></figure>'
    )


def note(text_ja: str, text_en: str) -> str:
    return f'<p class="note"><span lang="ja">{esc(text_ja)}</span> <span lang="en">{esc(text_en)}</span></p>'
