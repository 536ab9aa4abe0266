"""Is the header row really a header? Column names that look like values (a CSV exported without its header).

Why: without a header row, the first record becomes the column names: a policy number, a name, a birth date,
an address, a phone number, an e-mail, a My Number. Any message or listing that quotes column names would then
print a whole customer record (issue 11). Errors therefore name columns by position, and this module says when
the names look like data, so that the message can suggest the missing header instead.

A name looks like a value when, NFKC-normalised, it holds an ``@``, five or more digits (phone, postal code,
My Number, policy number, a date), or parses as a date or an amount. A header looks like a data row when at
least two names, or half of them, look like values: one ``2024年度`` among twenty names does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_DIGIT = re.compile(r"[0-9]")


def looks_like_value(name: str) -> bool:
    from pipeline.normalise.amounts import parse_amount
    from pipeline.normalise.dates import parse_date

    text = unicodedata.normalize("NFKC", str(name)).strip()
    if "@" in text or len(_DIGIT.findall(text)) >= 5:
        return True
    for parse in (parse_date, parse_amount):
        try:
            parse(text)
        except (ValueError, ArithmeticError):
            continue
        return True
    return False


def value_like_positions(names: Sequence[str]) -> list[int]:
    """1-based positions of the names that look like values."""
    return [i for i, n in enumerate(names, start=1) if looks_like_value(n)]


def looks_like_data_row(names: Sequence[str]) -> bool:
    hits = len(value_like_positions(names))
    return hits >= 2 or (hits >= 1 and 2 * hits >= len(names))


def header_hint(names: Sequence[str]) -> str:
    """A message suffix when ``names`` look like a data row (never quoting them); empty otherwise."""
    if not looks_like_data_row(names):
        return ""
    hits = value_like_positions(names)
    return (f"; {len(hits)} of the {len(names)} column names look like values (dates, numbers, e-mail "
            "addresses): is the header row missing?")


def describe_positions(positions: Sequence[int], total: int, limit: int = 12) -> str:
    """``columns 2, 5, 9 of 17`` (at most ``limit`` positions listed)."""
    shown = ", ".join(str(p) for p in positions[:limit])
    more = f" and {len(positions) - limit} more" if len(positions) > limit else ""
    word = "column" if len(positions) == 1 else "columns"
    return f"{word} {shown}{more} of {total}"
