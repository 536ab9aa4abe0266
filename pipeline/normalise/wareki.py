"""The one wareki (和暦) era table, in both directions: reading extracts (``dates.parse_date``), writing
published pages (``publication/wareki.py``) and generating test extracts (``generate/spellings.py``).

The table is `japanera`'s (its general eras, from 明治 on), not a hand-kept copy: the project had two that
disagreed on when 明治 starts. japanera dates 明治 from 1868-01-23 and ends each era the day before the
next begins (平成 until 2019-04-30); dates before 明治 have no wareki here (no living policyholder needs
one). Letters are the eras' romanised initials (M T S H R), as core systems abbreviate them.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from japanera import ERA_DATA_GENERAL

_MODERN = ("明治", "大正", "昭和", "平成", "令和")


class Era(NamedTuple):
    name: str
    letter: str
    first: dt.date
    last: dt.date | None  # None: the current era


#: Oldest first.
ERAS: tuple[Era, ...] = tuple(
    Era(e.kanji, e.english_head, e.since, e.until - dt.timedelta(days=1) if e.until else None)
    for e in sorted((e for e in ERA_DATA_GENERAL if e.kanji in _MODERN), key=lambda e: e.since)
)
_BY_NAME = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}


def era(name_or_letter: str) -> Era:
    """``昭和`` or ``S`` (either case) → the era; KeyError for anything else."""
    return _BY_NAME[name_or_letter.upper() if name_or_letter.isascii() else name_or_letter]


def from_wareki(name_or_letter: str, year: int, month: int, day: int, grace_years: int = 1) -> dt.date:
    """The western date of ``昭和55年3月14日``. ValueError for a year below 1 (元年 is 1), an impossible
    day, a day before the era began, or a year more than ``grace_years`` past its end (some systems kept
    counting 平成 into 2020: 平成32年 is accepted, 平成45年 is not)."""
    e = era(name_or_letter)
    if year < 1:
        raise ValueError("era year below 1")
    western = dt.date(e.first.year + year - 1, month, day)
    if western < e.first:
        raise ValueError("date before the start of its era")
    if e.last is not None and western.year > e.last.year + grace_years:
        raise ValueError("date far beyond the end of its era")
    return western


def era_year(day: dt.date) -> tuple[Era, int]:
    """The era ``day`` falls in and its year in that era (1 = 元年). ValueError before 明治."""
    for e in reversed(ERAS):
        if day >= e.first:
            return e, day.year - e.first.year + 1
    raise ValueError("dates before 明治 have no wareki here")


def to_wareki(day: dt.date) -> str:
    """``2019-05-01`` → ``令和元年5月1日`` (元年 for the first year, as on official documents)."""
    e, year = era_year(day)
    return f"{e.name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
