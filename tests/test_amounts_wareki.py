"""Table-driven: yen amounts in every spelling an extract uses (kanjize for kanji numerals), and wareki
dates read and written with the one era table (japanera's), through the column normaliser."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.normalise.amounts import parse_amount
from pipeline.normalise.base import normalise_column
from pipeline.normalise.dates import parse_date
from pipeline.normalise.wareki import ERAS, era_year, from_wareki, to_wareki
from pipeline.publication.wareki import wareki as published_wareki

AMOUNTS = [
    ("1,200", 1_200), ("¥1,200", 1_200), ("￥１，２００", 1_200), ("1200円", 1_200), ("0円", 0),
    ("12万円", 120_000), ("1.5万", 15_000), ("2.5億円", 250_000_000), ("3千円", 3_000),
    ("1,000万円", 10_000_000), ("1億円", 100_000_000), ("1万2000円", 12_000), ("１万２０００円", 12_000),
    ("12万5千円", 125_000), ("十二万五千円", 125_000), ("三千円", 3_000), ("1億2345万6789円", 123_456_789),
    ("1億2千万円", 120_000_000),
    ("12,345万6,789円", 123_456_789), ("¥1万2000", 12_000),
    ("-3,000", -3_000), ("-¥300", -300), ("¥-300", -300), ("△500", -500), ("▲1,200円", -1_200),
    ("△1万2000円", -12_000), ("△ 12万5千円", -125_000),
]
INVALID = [
    "1,20", "abc", "12.5円", "1,2345", "1.23456万", "1万.5", "万円", "円", "1万万円", "千千円", "1万12345円",
    "△-500", "--5", "1,2万", "1.5", "12万円也", "1兆円",
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_amounts(text: str, expected: int) -> None:
    out, _ = normalise_column(pd.Series([text], name="保険金額"), "amount")
    assert int(out.iloc[0]) == expected


@pytest.mark.parametrize("text", INVALID)
def test_amounts_invalid(text: str) -> None:
    with pytest.raises(InputError) as exc:
        normalise_column(pd.Series(["100", text], name="保険金額"), "amount", table="claims", file="c.csv")
    assert "row 2" in str(exc.value) and "保険金額" in str(exc.value)
    assert len(text) < 2 or text not in str(exc.value)  # names the cell, never echoes it


def test_amount_decimals_are_exact_not_truncated() -> None:
    """kanjize truncates decimals; amounts.py reads them itself, exactly."""
    assert parse_amount("1.2345万") == 12_345
    with pytest.raises(ValueError, match="fraction"):
        parse_amount("1.23456万")


def test_the_era_table_is_japaneras_modern_eras() -> None:
    assert [(e.name, e.letter) for e in ERAS] == [("明治", "M"), ("大正", "T"), ("昭和", "S"), ("平成", "H"),
                                                  ("令和", "R")]
    for older, newer in itertools.pairwise(ERAS):
        assert older.last is not None and older.last + dt.timedelta(days=1) == newer.first
    assert ERAS[-1].last is None
    assert ERAS[3].first == dt.date(1989, 1, 8) and ERAS[3].last == dt.date(2019, 4, 30)


WAREKI = [
    ("昭和55年3月14日", dt.date(1980, 3, 14)), ("S55.03.14", dt.date(1980, 3, 14)),
    ("s55/3/14", dt.date(1980, 3, 14)),
    ("令和元年5月1日", dt.date(2019, 5, 1)), ("R1.5.1", dt.date(2019, 5, 1)), ("H2/1/5", dt.date(1990, 1, 5)),
    ("平成31年4月30日", dt.date(2019, 4, 30)), ("平成32年1月1日", dt.date(2020, 1, 1)),
    ("昭和64年1月7日", dt.date(1989, 1, 7)), ("平成元年1月8日", dt.date(1989, 1, 8)),
    ("大正元年7月30日", dt.date(1912, 7, 30)), ("T15.12.24", dt.date(1926, 12, 24)),
    ("明治45年7月29日", dt.date(1912, 7, 29)), ("昭和５５年３月１４日", dt.date(1980, 3, 14)),
]
WAREKI_INVALID = ["平成45年1月1日", "令和0年1月1日", "昭和元年1月1日", "平成元年1月7日", "昭和55年2月30日",
                  "X55.3.14"]


@pytest.mark.parametrize(("text", "expected"), WAREKI)
def test_wareki_read(text: str, expected: dt.date) -> None:
    out, _ = normalise_column(pd.Series([text], name="生年月日"), "date")
    assert out.iloc[0].date() == expected


@pytest.mark.parametrize("text", WAREKI_INVALID)
def test_wareki_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize("day", [e.first for e in ERAS] + [e.last for e in ERAS if e.last]
                         + [dt.date(1980, 3, 14), dt.date(2026, 11, 30)])
def test_both_directions_agree(day: dt.date) -> None:
    era, year = era_year(day)
    written = to_wareki(day)
    assert written == published_wareki(day)  # the published pages write with the same table
    assert parse_date(written) == day == from_wareki(era.letter, year, day.month, day.day)
    assert written.startswith(f"{era.name}{'元' if year == 1 else year}年")


def test_no_second_era_table_in_the_package() -> None:
    package = Path(__file__).resolve().parents[1] / "pipeline"
    starts = re.compile(r"1989,\s*1,\s*8|1926,\s*12,\s*25|2019,\s*5,\s*1\)|1912,\s*7,\s*30")
    holders = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
               if starts.search(p.read_text(encoding="utf-8"))]
    assert holders == [], f"era start dates outside pipeline/normalise/wareki.py: {holders}"
