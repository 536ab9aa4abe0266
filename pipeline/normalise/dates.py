"""Dates as Japanese core systems export them: western (1980-03-14, 1980/3/14, 19800314, 1980年3月14日)
and wareki (昭和55年3月14日, S55.03.14, 令和元年5月1日, H2/1/5). Input is NFKC-normalised already, so
full-width digits arrive as ASCII. An impossible calendar date (2月30日) or an unknown spelling raises
ValueError; so does a wareki year beyond its era's end by more than a year (平成32年 is accepted, as
some systems kept counting Heisei into 2020, 平成45年 is not).

Dates outside :data:`EARLIEST` … :data:`LATEST` are invalid like an impossible day: years 1000 or 0980 are
typing errors, and 9999-12-31 is a "no date" placeholder, not a day (``on_invalid: null`` turns it into the
null it stands for). The bounds also keep every date inside what pandas can hold (1677–2262), so no
library error, which would quote the value, is ever reached."""

from __future__ import annotations

import datetime as dt
import re

#: era → (first day, last day); the last era has no end.
ERAS: dict[str, tuple[dt.date, dt.date | None]] = {
    "明治": (dt.date(1868, 1, 25), dt.date(1912, 7, 29)),
    "大正": (dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    "昭和": (dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    "平成": (dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    "令和": (dt.date(2019, 5, 1), None),
}
ERA_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

EARLIEST = dt.date(1800, 1, 1)
LATEST = dt.date(2199, 12, 31)

_WESTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WAREKI = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHRmtshr])\s*(元|\d{1,2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"
)
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
        era = m.group(1)
        era = ERA_LETTERS.get(era.upper(), era)
        year_in_era = 1 if m.group(2) == "元" else int(m.group(2))
        if year_in_era < 1:
            raise ValueError("era year below 1")
        start, end = ERAS[era]
        year = start.year + year_in_era - 1
        day = dt.date(year, int(m.group(3)), int(m.group(4)))
        if day < start:
            raise ValueError("date before the start of its era")
        if end is not None and year > end.year + 1:
            raise ValueError("date far beyond the end of its era")
        return day
    raise ValueError("unknown date spelling")


def to_wareki(day: dt.date) -> str:
    """The wareki spelling of ``day`` (元年 for year 1), for published pages."""
    for era, (start, end) in reversed(list(ERAS.items())):
        if day >= start and (end is None or day <= end):
            n = day.year - start.year + 1
            return f"{era}{'元' if n == 1 else n}年{day.month}月{day.day}日"
    return day.isoformat()
