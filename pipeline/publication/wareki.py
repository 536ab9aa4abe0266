"""Japanese dates for published pages: wareki (令和7年3月14日) next to the western date.

Only formatting; the era table, shared with the reading side, is ``pipeline/normalise/wareki.py``
(japanera's).
"""

from __future__ import annotations

import datetime as dt

from pipeline.normalise.wareki import to_wareki


def wareki(day: dt.date) -> str:
    """``2019-05-01`` → ``令和元年5月1日``; the first year of an era is 元年, as on official documents.
    ValueError before 明治."""
    return to_wareki(day)


def western(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def both(day: dt.date) -> str:
    """``令和7年3月14日(2025年3月14日)``: the form the published pages use."""
    return f"{wareki(day)}({western(day)})"
