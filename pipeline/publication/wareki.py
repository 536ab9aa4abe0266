"""Japanese dates for published pages: wareki (令和7年3月14日) next to the western date.

Only formatting (the reading side lives with the normaliser). Eras since Meiji are enough for release dates.
"""

from __future__ import annotations

import datetime as dt

#: (first day, era name), newest first.
ERAS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 10, 23), "明治"),
)


def wareki(day: dt.date) -> str:
    """``2019-05-01`` → ``令和元年5月1日``; the first year of an era is 元年, as on official documents."""
    for start, name in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            y = "元" if year == 1 else str(year)
            return f"{name}{y}年{day.month}月{day.day}日"
    raise ValueError("dates before Meiji are not formatted")


def western(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def both(day: dt.date) -> str:
    """``令和7年3月14日(2025年3月14日)``: the form the published pages use."""
    return f"{wareki(day)}({western(day)})"
