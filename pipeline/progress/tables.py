"""Plain-text tables for the terminal: the run summary, the explorer's grid, the phase timings, the register.

Columns two spaces apart, a rule of ``-`` under the header, numbers right-aligned, rows stripped of trailing
spaces, no colour and no markup: the text goes to stdout or stderr, often into a log file, and is read by
people and by tests. Laid out by rich's ``Table``, which measures cells in terminal columns (a kanji or a
full-width character takes two), so that Japanese table and column names line up; rendered at a width no
table reaches, so that rich never wraps or cuts a cell.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

#: A cell: its text and whether it is right-aligned (numbers are).
Cell = tuple[str, bool]
_WIDE_ENOUGH = 1 << 16


def render_table(rows: Iterable[Sequence[Cell]], header: Sequence[Cell] | None = None,
                 rule: bool = True, min_widths: Sequence[int] = ()) -> str:
    """The table as text: ``header`` (if any) over a rule of ``-`` (if ``rule``), then one line per row;
    column ``i`` at least ``min_widths[i]`` terminal cells wide."""
    from rich.box import Box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    rows = list(rows)
    ncols = len(header) if header is not None else max((len(r) for r in rows), default=0)
    if header is not None and rule:
        # no edges and no lines but a rule of "-" under the header; a space between columns, plus the
        # cell's right padding: two spaces apart
        box = Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)
        table = Table(box=box, show_edge=False, padding=(0, 1, 0, 0), pad_edge=False)
    else:
        table = Table(box=None, show_header=header is not None, padding=(0, 2, 0, 0), pad_edge=False)
    for i in range(ncols):
        text, right = header[i] if header is not None else ("", False)
        table.add_column(Text(text, justify="right" if right else "left"), no_wrap=True,
                         min_width=min_widths[i] if i < len(min_widths) else None)
    for r in rows:
        table.add_row(*(Text(text, justify="right" if right else "left") for text, right in r))
    out = io.StringIO()
    console = Console(file=out, width=_WIDE_ENOUGH, color_system=None, force_terminal=False,
                      force_interactive=False, highlight=False, markup=False, emoji=False, soft_wrap=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def cell(value: Any) -> Cell:
    """Text of a value and whether it is a number (numbers are right-aligned): integers with thousands
    separators, other numbers to 4 significant digits, ``None`` as ``-``."""
    if value is None:
        return "-", True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, Integral):
        return f"{int(value):,}", True
    if isinstance(value, Real):
        v = float(value)
        return (f"{v:,.0f}" if v.is_integer() and abs(v) >= 1000 else f"{v:.4g}"), True
    return str(value), False


def format_summary(rows: Sequence[Mapping[str, Any]], notes: Iterable[str] = ()) -> str:
    """An aligned plain-text table: one mapping per row, columns in first-seen order, numbers
    right-aligned with thousands separators, missing cells as ``-``; ``notes`` are lines printed below
    (e.g. where the published item list is)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    table = render_table([[cell(row.get(c)) for c in columns] for row in rows],
                         header=[(c, False) for c in columns])
    return "\n".join([table, *notes])
