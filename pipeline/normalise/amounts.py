"""Yen amounts and counts as exported (NFKC already applied, so full-width digits and ￥ arrive as ASCII):

- western: ``1,200`` / ``¥1,200`` / ``1200円`` / ``-3,000``;
- with one unit after a plain, possibly decimal number: ``12万円``, ``1.5万``, ``2.5億円``, ``3千円``;
- kanji numerals and mixed forms, read by `kanjize`: ``1億円``, ``1万2000円``, ``12万5千円``,
  ``十二万五千円``, ``1億2345万6789円``;
- negatives (refunds): a leading ``-``, or ``△`` / ``▲`` as Japanese accounts write them (``△500``).

Fractions of a yen are refused, and so is anything kanjize would round silently (it truncates decimals:
``1.23456万`` must not become 12,345): decimals are only read here, exactly, before a single unit.
Thousands separators must sit every three digits (``1,2345`` is refused). Magnitudes of 10^15 (1,000兆円)
or more are invalid: no policy holds them, and a 23-digit "amount" is a mis-mapped column that would
overflow the 64-bit integers a release stores.
"""

from __future__ import annotations

import re
from decimal import Decimal

from kanjize import kanji2number

#: Exclusive bound on the magnitude of an amount or an integer (fits int64 with a wide margin).
LIMIT = 10**15

#: Units a plain number may carry, and their value.
UNITS = {"千": 1_000, "万": 10_000, "億": 100_000_000}

_AMOUNT = re.compile(r"^([-△▲])?[¥\\]?(-)?(.+?)円?$")
_WESTERN = re.compile(r"^([0-9][0-9,]*)(?:\.([0-9]+))?([千万億])?$")
_KANJI = re.compile(r"^[0-9,〇一二三四五六七八九十百千万億]+$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})*$")
_INTEGER = re.compile(r"^(-)?([0-9][0-9,]*)\s*[日歳回件人]?$")


def _digits(run: str) -> str:
    """A digit run without its thousands separators, which must be well placed."""
    if "," in run and not _GROUPED.match(run):
        raise ValueError("misplaced thousands separator")
    return run.replace(",", "")


def _bounded(value: int) -> int:
    if abs(value) >= LIMIT:
        raise ValueError("amount out of range")
    return value


def parse_amount(text: str) -> int:
    m = _AMOUNT.match(text.replace(" ", ""))
    if not m or (m.group(1) and m.group(2)):
        raise ValueError("not an amount")
    if len(text) > 60:
        raise ValueError("too many digits")
    sign = -1 if (m.group(1) or m.group(2)) else 1
    number = m.group(3)
    western = _WESTERN.match(number)
    if western:
        whole, fraction, unit = western.groups()
        value = Decimal(f"{_digits(whole)}.{fraction or 0}") * UNITS.get(unit or "", 1)
        if value != value.to_integral_value():
            raise ValueError("fraction of a yen")
        return sign * _bounded(int(value))
    if not _KANJI.match(number):
        raise ValueError("not an amount")
    plain = re.sub(r"[0-9,]+", lambda d: _digits(d.group(0)), number)
    # kanji2number raises ValueError for a malformed numeral (万万, 千千, 1万12345)
    return sign * _bounded(kanji2number(plain))


def parse_integer(text: str) -> int:
    m = _INTEGER.match(text.replace(" ", ""))
    if not m:
        raise ValueError("not an integer")
    digits = m.group(2).replace(",", "")
    if len(digits) > 15 or int(digits) >= LIMIT:
        raise ValueError("integer out of range")
    return (-1 if m.group(1) else 1) * int(digits)
