"""What a report section shows, as data: tables, figures and notes. The layout (and all escaping) is in the
template ``report.html.j2`` (:mod:`pipeline.templates`), so sections never build markup from strings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Table:
    """A table; columns from ``numeric_from`` on are right-aligned and formatted by
    :func:`pipeline.templates.fmt`."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    numeric_from: int = 1
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class Figure:
    """A chart with a bilingual caption. ``svg`` is our own matplotlib output from
    :func:`pipeline.report.svg.to_svg`, never anything else: the template inserts it unescaped."""

    svg: str
    caption_ja: str
    caption_en: str
    kind: ClassVar[str] = "figure"


@dataclass(frozen=True)
class Note:
    """A remark in Japanese and English."""

    ja: str
    en: str
    kind: ClassVar[str] = "note"


Part = Table | Figure | Note
