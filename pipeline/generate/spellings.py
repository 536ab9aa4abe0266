"""The messy spellings of a real core-system export, one function per kind of value.

Each function takes the clean values (day numbers, integers, digit matrices) plus a random generator
and returns a ``pyarrow.StringArray`` in a mix of spellings: wareki dates (昭和55年3月14日, S55.03.14,
令和元年…), full-width digits, sex codes, postal codes with 〒, phones in many groupings, My Numbers
with a valid check digit spaced or hyphenated, yen amounts with separators, ￥ or 円. The yen sign is
the full-width ￥ (U+FFE5): the half-width ¥ (U+00A5) has no code in CP932, so a real CP932 export
never holds it.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pyarrow as pa

from pipeline.generate.render import by_group, choose, digit_matrix, from_distinct, render_digits
from pipeline.normalise.wareki import era_year

EPOCH = date(1970, 1, 1)
_FULLWIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")

#: Date spellings, with an example, in the order of the weight vectors below.
DATE_STYLES: tuple[str, ...] = (
    "1980-03-14",
    "1980/3/14",
    "1980/03/14",
    "19800314",
    "1980年3月14日",
    "昭和55年3月14日",
    "S55.03.14",
    "S55.3.14",
    "１９８０/０３/１４",
    "昭和５５年３月１４日",
)
BIRTH_DATE_WEIGHTS = (0.30, 0.12, 0.15, 0.08, 0.05, 0.12, 0.07, 0.04, 0.05, 0.02)
EVENT_DATE_WEIGHTS = (0.40, 0.15, 0.15, 0.10, 0.04, 0.06, 0.04, 0.02, 0.03, 0.01)


def fullwidth(text: str) -> str:
    """Digits and commas to their full-width forms (what NFKC undoes)."""
    return text.translate(_FULLWIDTH)


def wareki(d: date) -> tuple[str, str, int]:
    """Era name, era letter and era year of a date (year 1 is written 元年 in the long form), from the
    project's one era table (``pipeline/normalise/wareki.py``)."""
    era, year = era_year(d)
    return era.name, era.letter, year


def format_date(d: date, style: int) -> str:
    """One date in one of :data:`DATE_STYLES`."""
    y, m, dd = d.year, d.month, d.day
    if style == 0:
        return d.isoformat()
    if style == 1:
        return f"{y}/{m}/{dd}"
    if style == 2:
        return f"{y}/{m:02d}/{dd:02d}"
    if style == 3:
        return f"{y}{m:02d}{dd:02d}"
    if style == 4:
        return f"{y}年{m}月{dd}日"
    if style == 8:
        return fullwidth(f"{y}/{m:02d}/{dd:02d}")
    era, letter, ey = wareki(d)
    if style == 5:
        return f"{era}{'元' if ey == 1 else ey}年{m}月{dd}日"
    if style == 6:
        return f"{letter}{ey:02d}.{m:02d}.{dd:02d}"
    if style == 7:
        return f"{letter}{ey}.{m}.{dd}"
    if style == 9:
        return f"{era}{'元' if ey == 1 else fullwidth(str(ey))}年{fullwidth(str(m))}月{fullwidth(str(dd))}日"
    raise ValueError(f"unknown date style {style}")


def to_day(d: date) -> int:
    return (d - EPOCH).days


def dates(days: np.ndarray, rng: np.random.Generator, weights: tuple[float, ...]) -> pa.StringArray:
    """Day numbers (since 1970-01-01) in mixed spellings; formatted once per distinct (day, style)."""
    styles = choose(rng, len(days), weights)
    n_styles = len(DATE_STYLES)
    return from_distinct(
        days.astype(np.int64) * n_styles + styles,
        lambda k: format_date(EPOCH + timedelta(days=k // n_styles), k % n_styles),
    )


SEX_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("男", "女"),
    ("男性", "女性"),
    ("M", "F"),
    ("1", "2"),
    ("１", "２"),
)
SEX_WEIGHTS = (0.45, 0.15, 0.15, 0.20, 0.05)


def sexes(female: np.ndarray, rng: np.random.Generator) -> pa.StringArray:
    """Sex codes 男/女, 男性/女性, M/F, 1/2 (half and full width)."""
    styles = choose(rng, len(female), SEX_WEIGHTS)
    return from_distinct(styles * 2 + female.astype(np.int64), lambda k: SEX_SPELLINGS[k // 2][k % 2])


AMOUNT_WEIGHTS = (0.25, 0.30, 0.12, 0.15, 0.08, 0.06, 0.04)


def format_amount(yen: int, style: int) -> str:
    """``1200``, ``1,200``, ``￥1,200``, ``1200円``, ``1,200円``, ``１，２００``, ``１２００円``."""
    forms = (
        f"{yen}",
        f"{yen:,}",
        f"￥{yen:,}",
        f"{yen}円",
        f"{yen:,}円",
        fullwidth(f"{yen:,}"),
        fullwidth(f"{yen}") + "円",
    )
    return forms[style]


def amounts(yen: np.ndarray, rng: np.random.Generator) -> pa.StringArray:
    """Yen amounts with and without separators, ￥ or 円, sometimes full-width."""
    styles = choose(rng, len(yen), AMOUNT_WEIGHTS)
    n = len(AMOUNT_WEIGHTS)
    return from_distinct(yen.astype(np.int64) * n + styles, lambda k: format_amount(k // n, k % n))


def counts(values: np.ndarray, rng: np.random.Generator, p_fullwidth: float = 0.08) -> pa.StringArray:
    """Small integers (入院日数), sometimes full-width."""
    wide = rng.random(len(values)) < p_fullwidth
    return from_distinct(
        values.astype(np.int64) * 2 + wide, lambda k: fullwidth(str(k // 2)) if k % 2 else str(k // 2)
    )


def _render_styles(
    digits: np.ndarray, rng: np.random.Generator, styles: tuple[tuple[str, bool, float], ...]
) -> pa.StringArray:
    """Render a digit matrix with (pattern, fullwidth, weight) styles drawn per row."""
    chosen = choose(rng, digits.shape[0], [w for _, _, w in styles])
    return by_group(chosen, lambda s, idx: render_digits(digits[idx], styles[s][0], styles[s][1]))


POSTAL_STYLES = (
    ("###-####", False, 0.55),
    ("#######", False, 0.20),
    ("〒###-####", False, 0.15),
    ("###－####", True, 0.07),
    ("〒###-####", True, 0.03),
)


def postal_codes(digits: np.ndarray, rng: np.random.Generator) -> pa.StringArray:
    """7-digit postal codes: 123-4567, 1234567, 〒123-4567, full-width."""
    return _render_styles(digits, rng, POSTAL_STYLES)


MY_NUMBER_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
MY_NUMBER_STYLES = (
    ("############", False, 0.40),
    ("#### #### ####", False, 0.20),
    ("####-####-####", False, 0.20),
    ("############", True, 0.10),
    ("####　####　####", True, 0.05),
    ("####－####－####", True, 0.05),
)


def my_number_digits(rng: np.random.Generator, n: int) -> np.ndarray:
    """12-digit My Numbers with the check digit of 番号法施行令 (as stdnum's ``jp.in_``), vectorised."""
    body = rng.integers(0, 10, size=(n, 11), dtype=np.uint8)
    body[:, 0] = rng.integers(1, 10, size=n, dtype=np.uint8)
    s = body.astype(np.int64) @ np.asarray(MY_NUMBER_WEIGHTS, dtype=np.int64)
    check = ((-s) % 11) % 10
    return np.concatenate([body, check[:, None].astype(np.uint8)], axis=1)


def my_numbers(digits: np.ndarray, rng: np.random.Generator) -> pa.StringArray:
    """My Numbers plain, spaced, hyphenated, full-width."""
    return _render_styles(digits, rng, MY_NUMBER_STYLES)


def _phone_pattern(groups: tuple[int, ...], style: int) -> tuple[str, bool]:
    a, *rest = ("#" * g for g in groups)
    if style == 0:
        return "-".join([a, *rest]), False
    if style == 1:
        return f"({a}){'-'.join(rest)}", False
    if style == 2:
        return a + "".join(rest), False
    if style == 3:
        return " ".join([a, *rest]), False
    if style == 4:
        return "－".join([a, *rest]), True
    return a + "".join(rest), True


PHONE_STYLE_WEIGHTS = (0.55, 0.08, 0.20, 0.05, 0.08, 0.04)


def phones(
    digits: np.ndarray, groups: np.ndarray, layouts: tuple[tuple[int, ...], ...], rng: np.random.Generator
) -> pa.StringArray:
    """Phone numbers: ``digits`` (n, 11; a 10-digit number leaves the last column unused), ``groups`` the
    index into ``layouts`` (digit grouping such as (2, 4, 4) for 03-1234-5678), spelled in one of
    hyphenated, (03)1234-5678, no separators, spaced, full-width."""
    styles = choose(rng, len(groups), PHONE_STYLE_WEIGHTS)
    key = groups.astype(np.int64) * len(PHONE_STYLE_WEIGHTS) + styles

    def build(k: int, idx: np.ndarray) -> pa.Array:
        layout = layouts[k // len(PHONE_STYLE_WEIGHTS)]
        pattern, wide = _phone_pattern(layout, k % len(PHONE_STYLE_WEIGHTS))
        return render_digits(digits[idx, : sum(layout)], pattern, wide)

    return by_group(key, build)


def numbered(prefix: str, numbers: np.ndarray, width: int = 8) -> pa.StringArray:
    """Codes such as KZ00012345."""
    return render_digits(digit_matrix(numbers, width), prefix + "#" * width)


@lru_cache(maxsize=1)
def _halfwidth_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for cp in range(0xFF66, 0xFF9E):
        h = chr(cp)
        table.setdefault(unicodedata.normalize("NFKC", h), h)
        for mark in ("ﾞ", "ﾟ"):
            composed = unicodedata.normalize("NFKC", h + mark)
            if len(composed) == 1:
                table.setdefault(composed, h + mark)
    table["　"] = " "
    return table


def halfwidth_kana(text: str) -> str:
    """ヤマダ タロウ → ﾔﾏﾀﾞ ﾀﾛｳ, as bank-style systems store kana (NFKC restores it)."""
    table = _halfwidth_table()
    return "".join(table.get(c, c) for c in text)
