"""Yen amounts and counts as exported: 1,200 / ¥1,200 / 1200円 / 12万円 / 1.5万 (NFKC already applied, so
full-width digits and ￥ arrive as ASCII). Negative amounts are allowed (refunds); fractions of a yen are
not. Magnitudes of 10^15 (1,000兆円) or more are invalid: no policy holds them, and a 23-digit "amount" is a
mis-mapped column that would overflow the 64-bit integers a release stores."""

from __future__ import annotations

import re
from decimal import Decimal

#: Exclusive bound on the magnitude of an amount or an integer (fits int64 with a wide margin).
LIMIT = 10**15

_AMOUNT = re.compile(r"^(-)?\s*[¥\\]?\s*(-)?([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万)?\s*円?$")
_INTEGER = re.compile(r"^(-)?([0-9][0-9,]*)\s*[日歳回件人]?$")


def parse_amount(text: str) -> int:
    m = _AMOUNT.match(text.replace(" ", ""))
    if not m:
        raise ValueError("not an amount")
    digits = m.group(3)
    if "," in digits and not re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?", digits):
        raise ValueError("misplaced thousands separator")
    if len(digits) > 40:
        raise ValueError("too many digits")
    value = Decimal(digits.replace(",", "")) * (10_000 if m.group(4) else 1)
    if value != value.to_integral_value():
        raise ValueError("fraction of a yen")
    if abs(value) >= LIMIT:
        raise ValueError("amount out of range")
    sign = -1 if (m.group(1) or m.group(2)) else 1
    return sign * int(value)


def parse_integer(text: str) -> int:
    m = _INTEGER.match(text.replace(" ", ""))
    if not m:
        raise ValueError("not an integer")
    digits = m.group(2).replace(",", "")
    if len(digits) > 15 or int(digits) >= LIMIT:
        raise ValueError("integer out of range")
    return (-1 if m.group(1) else 1) * int(digits)
