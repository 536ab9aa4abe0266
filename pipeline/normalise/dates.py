"""Dates as Japanese core systems export them: western (1980-03-14, 1980/3/14, 19800314, 1980年3月14日)
and wareki (昭和55年3月14日, S55.03.14, 令和元年5月1日, H2/1/5). Input is NFKC-normalised already, so
full-width digits arrive as ASCII. An impossible calendar date (2月30日) or an unknown spelling raises
ValueError; so does a wareki year beyond its era's end by more than a year (平成32年 is accepted, as
some systems kept counting Heisei into 2020, 平成45年 is not).

Dates outside :data:`EARLIEST` … :data:`LATEST` are invalid like an impossible day: years 1000 or 0980 are
typing errors, and 9999-12-31 is a "no date" placeholder, not a day (``on_invalid: null`` turns it into the
null it stands for). The bounds also keep every date inside what pandas can hold (1677–2262), so no
library error, which would quote the value, is ever reached.

The era table is ``wareki.py``'s (japanera's)."""

from __future__ import annotations

import datetime as dt
import re

from pipeline.normalise.wareki import ERAS, from_wareki, to_wareki

__all__ = ["parse_date", "to_wareki"]

EARLIEST = dt.date(1800, 1, 1)
LATEST = dt.date(2199, 12, 31)

_WESTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA = "|".join([e.name for e in ERAS] + [f"[{''.join(e.letter + e.letter.lower() for e in ERAS)}]"])
_WAREKI = re.compile(rf"^({_ERA})\s*(元|\d{{1,2}})\s*[-/.年]\s*(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*日?$")
# ISO with a time part (2020-01-02T00:00:00 or "2020-01-02 00:00:00") as spreadsheets export it
_ISO_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}(:\d{2})?$")


def parse_date(text: str) -> dt.date:
    day = _parse(text)
    if not EARLIEST <= day <= LATEST:
        raise ValueError("date outside the supported range")
    return day


def _parse(text: str) -> dt.date:
    for rx in (_WESTERN, _COMPACT, _ISO_TIME):
        m = rx.match(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _WAREKI.match(text)
    if m:
        year_in_era = 1 if m.group(2) == "元" else int(m.group(2))
        return from_wareki(m.group(1), year_in_era, int(m.group(3)), int(m.group(4)))
    raise ValueError("unknown date spelling")
