"""Analyst priorities of a quasi-identifier: ``weight`` and ``max_level`` (checked at config load).

Why at load: a ``max_level`` above the hierarchy's top, or on a column the search does not generalise, is a
config mistake the user should see before any input is read. The height of every built-in hierarchy follows
from its spec alone, and a ``file`` hierarchy's from its first row, so no data is needed.

``max_level`` is a level number (0 = the value as normalised) or, where levels have names, the name:
``address`` 市区町村 / 都道府県 / 地方, ``date`` day / month / year (or 年月日 / 年月 / 年). For ``age``,
``integer`` and ``amount`` the levels are the bands in order (age ``[5, 10]``: 0 the age, 1 five-year bands,
2 ten-year bands), which :func:`level_names` also accepts as ``"10"`` (the band width).
"""

from __future__ import annotations

import csv
import unicodedata

from pipeline.config.model import HierarchySpec

_DATE_WORDS = {"day": "年月日", "month": "年月", "year": "年"}


def level_names(h: HierarchySpec) -> list[list[str]]:
    """Per level of the hierarchy ``h`` builds, the names it may be given (the last level is ``*``)."""
    if h.kind == "address":
        levels = [["市区町村"], ["都道府県"], ["地方"]]
    elif h.kind == "date":
        levels = [[x, _DATE_WORDS[x]] for x in ("day", "month", "year") if x in h.date_levels]
    elif h.kind in ("age", "integer", "amount"):
        bands = list(h.bands)
        if h.kind == "age" and bands and bands[0] != 1:
            bands = [1, *bands]
        levels = [[str(b)] for b in bands]
    elif h.kind in ("flat", "postal_code"):
        levels = [[]]
    else:  # file: one level per field of its first row, the last being the root
        levels = [[] for _ in range(_file_depth(h) - 1)]
    return [*levels, ["*"]]


def resolve_max_level(value: int | str, h: HierarchySpec) -> int:
    """``value`` as a level number; raise ValueError (the message names what is allowed) otherwise."""
    names = level_names(h)
    top = len(names) - 1
    described = ", ".join(f"{i} = {'/'.join(n)}" if n else str(i) for i, n in enumerate(names))
    if isinstance(value, str):
        for i, n in enumerate(names):
            if value in n:
                return i
        raise ValueError(f"{value!r} is not a level of this {h.kind} hierarchy; levels: {described}")
    if value < 0 or value > top:
        raise ValueError(f"{value} is outside the {h.kind} hierarchy's levels 0..{top} ({described})")
    return value


def _file_depth(h: HierarchySpec) -> int:
    assert h.path is not None
    try:
        with open(h.path, encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f, delimiter=h.delimiter):
                if row:
                    return len([unicodedata.normalize("NFKC", c) for c in row])
    except (OSError, UnicodeDecodeError):
        pass  # unreadable: the hierarchy builder reports it with the file named
    return 2
