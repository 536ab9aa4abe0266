"""Table-driven tests of the normalisers: null rows, invalid rows, full-width input, wareki."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.normalise import normalise_column
from pipeline.normalise.dates import parse_date, to_wareki


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980-03-14", dt.date(1980, 3, 14)),
        ("1980/3/14", dt.date(1980, 3, 14)),
        ("19800314", dt.date(1980, 3, 14)),
        ("1980年3月14日", dt.date(1980, 3, 14)),
        ("昭和55年3月14日", dt.date(1980, 3, 14)),
        ("S55.03.14", dt.date(1980, 3, 14)),
        ("s55/3/14", dt.date(1980, 3, 14)),
        ("H2.1.5", dt.date(1990, 1, 5)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("R2.2.29", dt.date(2020, 2, 29)),
        ("大正15年12月24日", dt.date(1926, 12, 24)),
        ("2020-01-02 00:00:00", dt.date(2020, 1, 2)),
    ],
)
def test_parse_date_spellings(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2021-02-29", "1980-13-01", "昭和66年1月1日", "令和0年1月1日", "3/14/1980",
                                  "明日", "昭和1年1月1日"])
def test_parse_date_rejects_impossible(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_full_width_and_nulls_through_column() -> None:
    s = pd.Series(["１９８０/０３/１４", None, "", "  S55.03.14 "], name="生年月日")
    out, nulled = normalise_column(s, "date")
    assert nulled == 0
    assert out.iloc[0] == pd.Timestamp("1980-03-14") and out.iloc[3] == pd.Timestamp("1980-03-14")
    assert out.isna().tolist() == [False, True, True, False]


def test_invalid_value_error_names_row_and_column_not_value() -> None:
    s = pd.Series(["1980-01-01", "2021-02-30"], name="生年月日")
    with pytest.raises(InputError) as exc:
        normalise_column(s, "date", table="policyholders", file="ph.csv")
    msg = str(exc.value)
    assert "row 2" in msg and "生年月日" in msg and "ph.csv" in msg and "policyholders" in msg
    assert "2021-02-30" not in msg


def test_invalid_value_nulled_and_counted_on_request() -> None:
    s = pd.Series(["1980-01-01", "xx", "xx", None], name="d")
    out, nulled = normalise_column(s, "date", on_invalid="null")
    assert nulled == 2 and out.isna().sum() == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,200", 1200), ("¥1,200", 1200), ("￥１，２００", 1200), ("1200円", 1200), ("12万円", 120000),
     ("1.5万", 15000), ("-3,000", -3000), ("0", 0)],
)
def test_amounts(text: str, expected: int) -> None:
    out, _ = normalise_column(pd.Series([text], name="a"), "amount")
    assert int(out.iloc[0]) == expected


@pytest.mark.parametrize("text", ["1,20", "abc", "12.5円", "1,2345"])
def test_amounts_invalid(text: str) -> None:
    with pytest.raises(InputError):
        normalise_column(pd.Series([text], name="a"), "amount")


@pytest.mark.parametrize(("text", "expected"), [("男", "男"), ("男性", "男"), ("M", "男"), ("1", "男"),
                                                ("女", "女"), ("Ｆ", "女"), ("2", "女"), ("女性", "女")])
def test_sex_codes(text: str, expected: str) -> None:
    out, _ = normalise_column(pd.Series([text], name="s"), "sex")
    assert out.iloc[0] == expected


def test_sex_unknown_is_null_and_garbage_is_error() -> None:
    out, _ = normalise_column(pd.Series(["不明", "9"], name="s"), "sex")
    assert out.isna().all()
    with pytest.raises(InputError):
        normalise_column(pd.Series(["X"], name="s"), "sex")


def test_integer_full_width_with_unit() -> None:
    out, _ = normalise_column(pd.Series(["１２", "3日", None], name="n"), "integer")
    assert out.tolist()[:2] == [12, 3] and pd.isna(out.iloc[2])


def test_string_nfkc() -> None:
    out, _ = normalise_column(pd.Series(["ｶﾞｲｼｬｲﾝ", "ＡＢＣ１"], name="t"), "string")
    assert out.tolist() == ["ガイシャイン", "ABC1"]


def test_to_wareki() -> None:
    assert to_wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert to_wareki(dt.date(2026, 11, 27)) == "令和8年11月27日"


def test_date_column_takes_iso_days_in_arrow_as_parse_date_would() -> None:
    """The column path parses exact ``YYYY-MM-DD`` spellings in Arrow and everything else through
    ``parse_date``: every cell must come out as ``parse_date`` gives it, or count as invalid where it
    refuses (Arrow's ``strptime`` alone rolls 1980-02-30 over into March)."""
    import numpy as np

    rng = np.random.default_rng(3)
    days = [dt.date(1800, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 146_000, 3000)]
    cells = [d.isoformat() for d in days] + [
        "1980-02-30", "2021-02-29", "2020-02-29", "1799-12-31", "1800-01-01", "2199-12-31", "2200-01-01",
        "9999-12-31", "0000-01-01", "1980-13-01", "1980-00-10", "1980-1-5", " 1980-01-05 ", "1980/3/14",
        "19800314", "S55.03.14", "昭和55年3月14日", "１９８０－０３－１４", "1980-03-14T00:00", "", None,
        "١٩٨٠-٠٣-١٤", "1980-03-14\u3000", "1980/2/30", "1980年2月30日", "1980 / 3 / 14", "1980年3月14",
        "1980.3.14", "19800230", "18000101", "21991231", "22000101", "1980/03/014", "1980-3-14日",
        "平成2年1月5日", "H2/1/5", "1980\u2003/3/14"]
    cells += [f"{d.year}/{d.month}/{d.day}" for d in days[:500]]
    cells += [f"{d.year}年{d.month}月{d.day}日" for d in days[500:1000]]
    cells += [d.strftime("%Y%m%d") for d in days[1000:1500]]
    want, bad = [], 0
    for cell in cells:
        text = None if cell is None else unicodedata.normalize("NFKC", cell).strip()
        if not text:
            want.append(None)
            continue
        try:
            want.append(parse_date(text))
        except ValueError:
            want.append(None)
            bad += 1
    got, nulled = normalise_column(pd.Series(cells, dtype=object), "date", on_invalid="null")
    assert nulled == bad
    assert [None if pd.isna(v) else v.date() for v in got] == want
