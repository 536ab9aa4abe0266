"""Built-in hierarchy kinds. Each builder turns a normalised column into (leaf labels per row, Hierarchy),
generating ARX-style rows so that every hierarchy, built-in or from a file, goes through one validator.

Registered by ``HierarchySpec.kind`` in :data:`BUILDERS`. Builders are vectorised; per-value work (address
parsing) runs over distinct values only. Top- and bottom-coding (特異な記述, APPI.md §1 rule 4) happen here,
on the leaves themselves, so an extreme value never exists at any level.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config.model import HierarchySpec
from pipeline.errors import HierarchyError, InputError
from pipeline.hierarchies.base import Hierarchy

Built = tuple[pd.Series, Hierarchy]


def ages_at(birth: pd.Series, reference: dt.date) -> pd.Series:
    """Completed years at ``reference`` (nullable Int64), vectorised."""
    b = pd.to_datetime(birth)
    ref = pd.Timestamp(reference)
    years = ref.year - b.dt.year
    before_birthday = (b.dt.month > ref.month) | ((b.dt.month == ref.month) & (b.dt.day > ref.day))
    return (years - before_birthday.astype("Int64")).astype("Int64")


def _numeric_levels(
    name: str, values: pd.Series, spec: HierarchySpec, unit: str, what: str, fmt: Callable[[int], str]
) -> Built:
    """Banded hierarchy on integers: level 0 is the value (band 1) or the finest band; top/bottom coded."""
    top = int(spec.top_code) if spec.top_code is not None else None
    bottom = int(spec.bottom_code) if spec.bottom_code is not None else 0
    bands = list(spec.bands)
    for b in bands:
        if top is not None and (top - bottom) % b:
            raise HierarchyError(f"column {name}: top_code − bottom_code must be a multiple of band {b}")
        if bottom % b:
            raise HierarchyError(f"column {name}: bottom_code must be a multiple of band {b}")
    v = values.astype("Int64")
    hi = top if top is not None else int(v.max(skipna=True) or 0) + 1
    if hi <= bottom:
        hi = bottom + bands[-1]
    if bands[0] > 1:
        # level 0 is the finest band: leaves are band starts
        leaf_width = bands[0]
        bands = bands[1:]
    else:
        leaf_width = 1
        bands = bands[1:]
    hi = bottom + -(-(hi - bottom) // max(bands[-1] if bands else leaf_width, leaf_width)) * max(
        bands[-1] if bands else leaf_width, leaf_width
    )
    # leaves are the bands that occur (every integer of 0–20,000,000 円 would be a million Python rows, and a
    # leaf no row holds changes no class): one row per distinct band, vectorised
    present = v.dropna().to_numpy(dtype=np.int64)
    present = present[(present >= bottom) & (present < hi)]
    starts = np.unique((present - bottom) // leaf_width) * leaf_width + bottom
    if not len(starts):
        starts = np.array([bottom], dtype=np.int64)
    top_label = f"{fmt(hi)}{unit}以上"
    bottom_label = f"{fmt(bottom)}{unit}未満"

    def band_label(lo: int, w: int) -> str:
        return f"{fmt(lo)}{unit}" if w == 1 else f"{fmt(lo)}-{fmt(lo + w - 1)}{unit}"

    rows = [[band_label(int(s), leaf_width)] + [band_label(int(s) // w * w, w) for w in bands] + ["*"]
            for s in starts]
    rows.append([top_label] * (len(bands) + 1) + ["*"])
    has_bottom = spec.bottom_code is not None
    if has_bottom:
        rows.append([bottom_label] * (len(bands) + 1) + ["*"])
    suffix = []
    if top is not None:
        suffix.append(f"{fmt(hi)}{unit}以上は一括")
    if has_bottom:
        suffix.append(f"{fmt(bottom)}{unit}未満は一括")
    tail = "、" + "、".join(suffix) if suffix else ""
    width_words = [f"{leaf_width:,}{unit}単位" if leaf_width > 1 else f"1{unit}単位"] + [
        f"{w:,}{unit}階級" for w in bands
    ]
    descriptions = [f"{what}({w}{tail})" for w in width_words] + [f"{what}(削除)"]
    h = Hierarchy.from_rows(name, rows, descriptions, source=f"built-in {spec.kind}")
    arr = v.to_numpy(dtype="float64", na_value=np.nan)
    labels = np.array([r[0] for r in rows], dtype=object)
    out = np.full(len(arr), None, dtype=object)
    ok = ~np.isnan(arr)
    in_range = ok & (arr >= bottom) & (arr < hi)
    band_start = np.floor((arr[in_range] - bottom) / leaf_width) * leaf_width + bottom
    out[in_range] = labels[np.searchsorted(starts, band_start.astype(np.int64))]
    out[ok & (arr >= hi)] = top_label
    if has_bottom:
        out[ok & (arr < bottom)] = bottom_label
    elif (ok & (arr < bottom)).any():
        raise HierarchyError(
            f"column {name}: {int((ok & (arr < bottom)).sum())} values below 0; set bottom_code"
        )
    return pd.Series(out, index=values.index, name=values.name), h


def build_age(name: str, values: pd.Series, spec: HierarchySpec, reference: dt.date, what: str) -> Built:
    if pd.api.types.is_datetime64_any_dtype(values):
        ages = ages_at(values, reference)
    else:
        ages = values.astype("Int64")
    negative = (ages < 0).fillna(False).to_numpy()
    if negative.any():
        row = int(np.flatnonzero(negative)[0]) + 1
        raise InputError(
            f"row {row}, column {values.name}: birth date after the reference date {reference.isoformat()} "
            f"({int(negative.sum())} such cells): impossible date"
        )
    if spec.bands and spec.bands[0] != 1:
        spec = replace(spec, bands=(1, *spec.bands))  # an age hierarchy starts at the age itself
    return _numeric_levels(name, ages, spec, "歳", what, lambda x: str(x))


def build_amount(name: str, values: pd.Series, spec: HierarchySpec, reference: dt.date, what: str) -> Built:
    unit = spec.unit if spec.unit else ("円" if spec.kind == "amount" else "")
    return _numeric_levels(name, values, spec, unit, what, lambda x: f"{x:,}")


def build_date(name: str, values: pd.Series, spec: HierarchySpec, reference: dt.date, what: str) -> Built:
    formats = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
    words = {"day": "年月日", "month": "年月", "year": "年"}
    levels = [lv for lv in ("day", "month", "year") if lv in spec.date_levels]
    # per distinct date (a few thousand in a million rows): formatting is the costly part
    codes, days = pd.factorize(pd.to_datetime(values))
    day_leaf = pd.Series(days.strftime(formats[levels[0]]), dtype=object)
    firsts = pd.Series(days).groupby(day_leaf, sort=True).min()  # one representative date per leaf
    rows = ([[*(ts.strftime(formats[x]) for x in levels), "*"] for ts in firsts]
            or [[*(["-"] * len(levels)), "*"]])
    descriptions = [f"{what}({words[x]})" for x in levels] + [f"{what}(削除)"]
    h = Hierarchy.from_rows(name, rows, descriptions, source="built-in date")
    lookup = np.append(day_leaf.to_numpy(dtype=object), np.array([None], dtype=object))  # code -1 → None
    return pd.Series(lookup[codes], index=values.index, name=values.name, dtype=object), h


@functools.lru_cache(maxsize=1)
def _prefectures() -> dict[str, str]:
    text = resources.files("pipeline.hierarchies").joinpath("data/prefectures.csv").read_text("utf-8")
    return {p: r for p, r in (line.split(";") for line in text.splitlines() if line)}


@functools.lru_cache(maxsize=1)
def municipality_index() -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
    """Per 都道府県: one regex of every spelling of its 市区町村, longest first, and spelling → official name.

    Why a list and not a pattern: 大和郡山市, 四日市市, 廿日市市, 野々市市 and 郡山市 defeat any
    "up to the first 市/郡/町" rule (issue 11). The list is Japan Post's (``data/municipalities.csv``, see
    ``tools/build_municipalities.py``): 政令市 by ward (大阪市北区), towns and villages with their 郡
    (生駒郡斑鳩町). Accepted spellings besides the official one: a town or village without its 郡 (斑鳩町)
    when that is unambiguous in the prefecture, and a 政令市 without its ward (大阪市), which is its own,
    coarser leaf. Longest match first, so 大和郡山市 wins over any shorter name and a ward over its city.
    """
    text = resources.files("pipeline.hierarchies").joinpath("data/municipalities.csv").read_text("utf-8")
    official: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            _code, pref, city = line.split(";")
            official.setdefault(pref, []).append(city)
    index = {}
    for pref, cities in official.items():
        spellings = {c: c for c in cities}
        short: dict[str, list[str]] = {}
        for c in cities:
            if "郡" in c and c.endswith(("町", "村")):
                short.setdefault(c.split("郡", 1)[1], []).append(c)
            ward = re.fullmatch(r"(.+?市).+区", c)
            if ward:
                spellings.setdefault(ward.group(1), ward.group(1))
        for s, full in short.items():
            if len(full) == 1 and s not in spellings:
                spellings[s] = full[0]
        alternation = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
        index[pref] = (re.compile(f"^(?:{alternation})"), spellings)
    return index


_PREF = re.compile(r"^(北海道|東京都|大阪府|京都府|[^\d\s]{2,3}県)")


def parse_municipality(address: str, prefectures: dict[str, str]) -> tuple[str, str | None] | None:
    """(都道府県, official 市区町村 or None when it is not in the list) of a normalised address, or None
    without a known 都道府県. The detailed part (町名・番地) is never returned."""
    m = _PREF.match(address)
    if not m or m.group(1) not in prefectures:
        return None
    pref = m.group(1)
    rest = address[len(pref):].lstrip()
    entry = municipality_index().get(pref)
    if entry is None:
        return pref, None
    mm = entry[0].match(rest)
    return (pref, entry[1][mm.group(0)]) if mm else (pref, None)


def municipality_keys(values: pd.Series) -> pd.Series:
    """Each address cut before its first ASCII digit: the part :func:`parse_municipality` can read.

    Why: full addresses are nearly all distinct (house numbers), so parsing per distinct address is parsing
    per row. The parser matches a prefix of the address against the official names, none of which holds an
    ASCII digit, so nothing from the first digit on can be part of a match, nor change which match is found:
    ``parse_municipality(key)`` equals ``parse_municipality(address)``, and the keys are a few thousand 町名
    for a million addresses.
    """
    arr = pa.array(values.astype("string[pyarrow]").array)
    cut = pc.replace_substring_regex(arr, pattern="(?s)[0-9].*", replacement="", max_replacements=1)
    return pd.Series(pd.arrays.ArrowStringArray(cut), index=values.index, name=values.name)


def age_keys(birth: pd.Series, reference: dt.date) -> pd.Series:
    """Each birth date as one representative date per completed age at ``reference``: the date that many
    years before it (``DateOffset`` clamps 29 February to the 28th, which keeps the age). NaT stays NaT.

    Why: an age hierarchy reads a birth date's age and nothing more (:func:`build_age`), so the leaves and
    the hierarchy built from these keys are those built from the dates, while some 36,000 distinct birth
    dates become about a hundred keys: a histogram of tuples holding a birth date then grows with the
    classes, not with the persons (issue 17), and the birth date itself goes no further than its batch.
    A birth date after ``reference`` keeps a key after it (a negative age), so the error stays.
    """
    ref = pd.Timestamp(reference)

    def representative(days: pd.DatetimeIndex) -> pd.DatetimeIndex:
        at, ages = pd.factorize(ages_at(pd.Series(days), reference))
        return pd.DatetimeIndex([ref - pd.DateOffset(years=int(a)) for a in ages]).take(at)

    return _per_distinct_date(birth, representative)


def _per_distinct_date(values: pd.Series, key_of: Callable[[pd.DatetimeIndex], pd.DatetimeIndex]
                       ) -> pd.Series:
    """``key_of`` on the distinct non-null dates of ``values`` (a few thousand per batch, not a row each),
    taken back to the rows as ``datetime64[ns]``; NaT stays NaT."""
    codes, days = pd.factorize(values)
    keys = key_of(pd.DatetimeIndex(days)).as_unit("ns").asi8
    taken = np.where(codes >= 0, keys[np.maximum(codes, 0)] if len(keys) else 0, np.iinfo(np.int64).min)
    return pd.Series(taken.view("datetime64[ns]"), index=values.index, name=values.name)


def date_keys(values: pd.Series, spec: HierarchySpec) -> pd.Series:
    """Each date cut to the start of the date hierarchy's finest level (the month's or the year's first
    day; a day stays itself): :func:`build_date` reads nothing finer, so leaves and hierarchy are those of
    the dates (why: :func:`age_keys`)."""
    first = next(lv for lv in ("day", "month", "year") if lv in spec.date_levels)
    if first == "day":
        return values
    period = "M" if first == "month" else "Y"
    return _per_distinct_date(values, lambda days: days.to_period(period).to_timestamp())


def address_keys(values: pd.Series) -> pd.Series:
    """Each address as its leaf (:func:`address_leaf`: 都道府県 + 市区町村, or the 都道府県 alone), all that
    :func:`build_address` reads of it; an address without a known 都道府県 keeps its municipality key, so the
    builder still refuses it on its row. Parsing a leaf gives that leaf again (tested over the whole
    official list), so the hierarchy built from the keys is the one built from the addresses.

    Why: the municipality keys (:func:`municipality_keys`) are 町名, tens of thousands, and a histogram of
    tuples holding one grows with the persons; the leaves are the 1,900 市区町村 (issue 17). Each distinct
    町名 of a batch is parsed once, through a cache the batches share.
    """
    text = pa.array(municipality_keys(values).array)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    # in Arrow from the cut to the leaves: a Python string per distinct 町名, not per row (a million-row
    # object array converted back to Arrow cost more than the parsing)
    encoded = pc.dictionary_encode(text)
    leaves = pa.array([_address_key(u) for u in encoded.dictionary.to_pylist()], pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(leaves.take(encoded.indices)), index=values.index,
                     name=values.name)


@functools.lru_cache(maxsize=1 << 17)
def _address_key(key: str) -> str:
    parsed = parse_municipality(key, _prefectures())
    return key if parsed is None else address_leaf(parsed)


def address_leaf(parsed: tuple[str, str | None]) -> str:
    """The leaf label: 都道府県 + 市区町村, or the 都道府県 alone when the 市区町村 is unknown (fallback)."""
    pref, city = parsed
    return pref + city if city is not None else pref


def build_address(name: str, values: pd.Series, spec: HierarchySpec, reference: dt.date, what: str) -> Built:
    """Leaves are 都道府県+市区町村 (official list); an unknown 市区町村 falls back to the 都道府県 leaf
    (counted by :func:`unknown_municipalities`); an address without a known 都道府県 stops the run."""
    prefs = _prefectures()
    codes, uniques = pd.factorize(municipality_keys(values))
    parsed = [parse_municipality(str(u), prefs) for u in uniques]
    bad = [i for i, p in enumerate(parsed) if p is None]
    if bad:
        mask = np.isin(codes, bad)
        row = int(np.flatnonzero(mask)[0]) + 1
        raise InputError(
            f"row {row}, column {values.name}: address without a recognisable 都道府県 "
            f"({int(mask.sum())} such cells)"
        )
    found = [p for p in parsed if p is not None]  # all of them: unparsed addresses raised above
    leaf_labels = np.array([*(address_leaf(p) for p in found), None], dtype=object)
    leaves = {address_leaf(p): p[0] for p in found}
    rows = [[leaf, pref, prefs[pref], "*"] for leaf, pref in leaves.items()] or [["-", "-", "-", "*"]]
    descriptions = [f"{what}(市区町村)", f"{what}(都道府県)", f"{what}(地方)", f"{what}(削除)"]
    h = Hierarchy.from_rows(name, rows, descriptions, source="built-in address")
    return pd.Series(leaf_labels[codes], index=values.index, name=values.name), h


def unknown_municipalities(leaves: pd.Series) -> int:
    """Rows whose address leaf fell back to the 都道府県 (市区町村 not in the official list)."""
    return int(prefecture_leaves(leaves).sum())


def prefecture_leaves(leaves: pd.Series) -> np.ndarray:
    """Per address leaf: whether it is a 都道府県 (the fallback of a 市区町村 not in the official list)."""
    return leaves.isin(list(_prefectures())).to_numpy(dtype=bool)


def build_postal_code(
    name: str, values: pd.Series, spec: HierarchySpec, reference: dt.date, what: str
) -> Built:
    digits = values.astype("string").str.replace(r"[〒\-\s]", "", regex=True)
    valid = digits.str.fullmatch(r"\d{7}").fillna(True).astype(bool).to_numpy()
    if not valid.all():
        row = int(np.flatnonzero(~valid)[0]) + 1
        raise InputError(
            f"row {row}, column {values.name}: not a 7-digit postal code ({int((~valid).sum())} cells)"
        )
    area = digits.str.slice(0, 3)
    leaves = sorted(area.dropna().unique())
    rows = [[a, "*"] for a in leaves] or [["-", "*"]]
    h = Hierarchy.from_rows(name, rows, [f"{what}(上3桁)", f"{what}(削除)"], source="built-in postal_code")
    return area.astype(object).where(area.notna(), None), h


def load_hierarchy_file(name: str, path: Path, delimiter: str = ";") -> Hierarchy:
    """An ARX-format hierarchy file (``leaf;level1;…;*``, no header, UTF-8)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            # NFKC like the data (pipeline.normalise): （ and ( must be one leaf, not a missing value
            rows = [
                [unicodedata.normalize("NFKC", c).strip() for c in r]
                for r in csv.reader(f, delimiter=delimiter)
                if r
            ]
    except (OSError, UnicodeDecodeError) as exc:
        raise HierarchyError(
            f"hierarchy file {path} for column {name}: cannot read ({type(exc).__name__})"
        ) from None
    depth = len(rows[0]) if rows else 0
    descriptions = (
        [f"{name}(元の区分)"]
        + [f"{name}(第{i}段階の分類)" for i in range(1, depth - 1)]
        + [f"{name}(削除)"]
    )
    return Hierarchy.from_rows(name, rows, descriptions if depth > 1 else None, source=str(path.name))


def build_file(name: str, values: pd.Series, spec: HierarchySpec, reference: dt.date, what: str) -> Built:
    assert spec.path is not None
    h = load_hierarchy_file(what, spec.path, spec.delimiter)
    return values.astype(object).where(values.notna(), None), h


def build_flat(name: str, values: pd.Series, spec: HierarchySpec, reference: dt.date, what: str) -> Built:
    leaves = sorted(values.dropna().astype(str).unique())
    rows = [[v, "*"] for v in leaves] or [["-", "*"]]
    h = Hierarchy.from_rows(name, rows, [f"{what}", f"{what}(削除)"], source="built-in flat")
    return values.astype(object).where(values.notna(), None), h


BUILDERS: dict[str, Callable[[str, pd.Series, HierarchySpec, dt.date, str], Built]] = {
    "age": build_age,
    "integer": build_amount,
    "amount": build_amount,
    "date": build_date,
    "address": build_address,
    "postal_code": build_postal_code,
    "file": build_file,
    "flat": build_flat,
}


def build_hierarchy(
    name: str, values: pd.Series, spec: HierarchySpec, reference: dt.date, what: str = ""
) -> Built:
    """Leaf labels per row and the hierarchy for one column (``what`` names the item in descriptions)."""
    return BUILDERS[spec.kind](name, values, spec, reference, what or name)
