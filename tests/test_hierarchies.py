"""Hierarchies: the integer form, ARX files, and the built-in kinds (top coding, address, postal code)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.config.model import HierarchySpec
from pipeline.errors import HierarchyError, InputError
from pipeline.hierarchies.base import Hierarchy
from pipeline.hierarchies.builtin import (
    _prefectures,
    address_keys,
    address_leaf,
    age_keys,
    ages_at,
    build_hierarchy,
    date_keys,
    load_hierarchy_file,
    municipality_index,
    municipality_keys,
    parse_municipality,
    unknown_municipalities,
)

REF = dt.date(2026, 4, 1)


def test_from_rows_validates() -> None:
    with pytest.raises(HierarchyError, match="uneven depth"):
        Hierarchy.from_rows("x", [["a", "A", "*"], ["b", "*"]])
    with pytest.raises(HierarchyError, match="1 duplicate leaves"):
        Hierarchy.from_rows("x", [["a", "A", "*"], ["a", "A", "*"]])
    with pytest.raises(HierarchyError, match="more than one parent"):
        Hierarchy.from_rows("x", [["a", "A", "X", "*"], ["b", "A", "Y", "*"]])


def test_encode_missing_values_counted_not_named() -> None:
    h = Hierarchy.from_rows("職業", [["医師", "専門", "*"], ["教員", "専門", "*"]])
    with pytest.raises(HierarchyError) as exc:
        h.encode(pd.Series(["医師", "宇宙飛行士", "宇宙飛行士", "魔法使い"]), table="t")
    assert "misses 2 distinct values" in str(exc.value) and "宇宙飛行士" not in str(exc.value)
    codes = h.encode(pd.Series(["教員", None]))
    assert h.generalise(codes, 1).tolist() == ["専門", "*"]
    assert h.loss(1)[codes].tolist() == [1.0, 1.0] and h.loss(0)[codes].tolist() == [0.0, 1.0]


def test_age_top_and_bottom_coded() -> None:
    births = pd.Series(pd.to_datetime(["1918-05-01", "1980-04-01", "1980-04-02", "2010-01-01"]),
                       name="生年月日")
    assert ages_at(births, REF).tolist() == [107, 46, 45, 16]
    spec = HierarchySpec(kind="age", bands=(5, 10), top_code=90, bottom_code=20)
    leaves, h = build_hierarchy("年齢", births, spec, REF, "年齢")
    assert leaves.tolist() == ["90歳以上", "46歳", "45歳", "20歳未満"]
    codes = h.encode(leaves)
    assert h.generalise(codes, 1).tolist() == ["90歳以上", "45-49歳", "45-49歳", "20歳未満"]
    assert h.generalise(codes, 2).tolist() == ["90歳以上", "40-49歳", "40-49歳", "20歳未満"]
    assert h.level_descriptions[1] == "年齢(5歳階級、90歳以上は一括、20歳未満は一括)"
    # no level of the hierarchy shows an age of 90 or more individually
    assert not any(lbl.startswith(("9", "10")) and lbl != "90歳以上" for lv in h.labels for lbl in lv)


def test_birth_after_reference_is_impossible() -> None:
    with pytest.raises(InputError, match="row 2, column 生年月日: birth date after the reference date"):
        build_hierarchy("年齢", pd.Series(pd.to_datetime(["1980-01-01", "2027-01-01"]), name="生年月日"),
                        HierarchySpec(kind="age", bands=(5,), top_code=90), REF)


def test_address_levels() -> None:
    s = pd.Series(["東京都港区芝公園1-2-3", "神奈川県横浜市港北区東三島17丁目4番16号 轟シティ907",
                   "千葉県長生郡一宮町1", "東京都港区三田2"], name="住所")
    leaves, h = build_hierarchy("居住地", s, HierarchySpec(kind="address"), REF)
    assert leaves.tolist() == ["東京都港区", "神奈川県横浜市港北区", "千葉県長生郡一宮町", "東京都港区"]
    codes = h.encode(leaves)
    assert h.generalise(codes, 1).tolist() == ["東京都", "神奈川県", "千葉県", "東京都"]
    assert h.generalise(codes, 2).tolist() == ["関東"] * 4
    assert parse_municipality("架空県どこか市1", {"東京都": "関東"}) is None


@pytest.mark.parametrize(("address", "leaf"), [
    ("奈良県大和郡山市北郡山町248番地", "奈良県大和郡山市"),  # not 大和郡 + 山市北郡山町 (a 郡 rule)
    ("三重県四日市市諏訪町1-5", "三重県四日市市"),  # not 四日市 (first 市)
    ("広島県廿日市市下平良1丁目11-1", "広島県廿日市市"),
    ("石川県野々市市三納1-1", "石川県野々市市"),
    ("福島県郡山市朝日1-23-7", "福島県郡山市"),
    ("千葉県市川市八幡1-1-1", "千葉県市川市"),
    ("千葉県市原市国分寺台中央1", "千葉県市原市"),
    ("奈良県生駒郡斑鳩町法隆寺1", "奈良県生駒郡斑鳩町"),
    ("奈良県斑鳩町法隆寺1", "奈良県生駒郡斑鳩町"),  # without its 郡: the same official municipality
    ("大阪府大阪市北区梅田3-1-1", "大阪府大阪市北区"),  # 政令市: the ward is the 市区町村
    ("大阪府大阪市梅田3-1-1", "大阪府大阪市"),  # no ward given: the city, a coarser leaf of its own
    ("北海道余市郡余市町黒川町1", "北海道余市郡余市町"),
    ("東京都千代田区千代田1-1", "東京都千代田区"),
    ("東京都府中市宮西町2", "東京都府中市"),
    ("広島県安芸郡府中町大通3", "広島県安芸郡府中町"),
    ("東京都 港区三田2", "東京都港区"),
    ("奈良県架空町1-2", "奈良県"),  # unknown 市区町村: falls back to the 都道府県, never the street
    ("東京都", "東京都"),
])
def test_municipalities_from_the_official_list_longest_first(address: str, leaf: str) -> None:
    parsed = parse_municipality(address, _prefectures())
    assert parsed is not None and address_leaf(parsed) == leaf
    s = pd.Series([address, address], name="住所", dtype="string[pyarrow]")
    leaves, h = build_hierarchy("居住地", s, HierarchySpec(kind="address"), REF)
    assert leaves.tolist() == [leaf, leaf]
    assert h.generalise(h.encode(leaves), 1).tolist() == [address[:3] if address[2] in "都道府県" else
                                                          address[:4]] * 2
    assert unknown_municipalities(leaves) == (2 if leaf in _prefectures() else 0)


def test_official_list_covers_every_prefecture_and_the_generator() -> None:
    from pipeline.generate.geography import PREFECTURES

    index = municipality_index()
    assert set(index) == set(_prefectures())
    assert sum(len(spellings) for _, spellings in index.values()) > 1892
    for p in PREFECTURES:
        for city in p.municipalities:
            assert parse_municipality(p.name + city + "1", _prefectures()) == (p.name, city), city


#: Addresses as extracts hold them (NFKC applied): house numbers, blocks in kanji, spaces before and after
#: the 都道府県, 郡 and 政令市の区, digits inside a town name, no municipality, no prefecture, a fake
#: prefecture, a newline, non-ASCII digits, empty, null.
MESSY_ADDRESSES = [
    "東京都港区芝公園1-2-3", "東京都港区芝公園4丁目", "東京都 港区三田2", "東京都　港区三田2",
    "東京都港区三田 2-1",
    "神奈川県横浜市港北区東三島17丁目4番16号 轟シティ907", "神奈川県横浜市港北区", "千葉県長生郡一宮町1",
    "北海道札幌市中央区北1条西2", "京都府京都市左京区", "大阪府大阪市北区梅田3-1-1", "東京都1港区", "東京都",
    "港区芝公園1", "架空県どこか市1", "東京都八王子市\n2-1", "東京都八王子市١٢", "東京都西多摩郡奥多摩町",
    "", None, "東京都港区芝公園1-2-3",
]


def test_municipality_keys_parse_like_the_whole_address() -> None:
    prefs = _prefectures()
    s = pd.Series(MESSY_ADDRESSES, dtype=object).astype("string[pyarrow]")
    keys = municipality_keys(s)
    assert keys.index.equals(s.index) and keys.isna().tolist() == s.isna().tolist()
    for address, key in zip(s, keys, strict=True):
        if address is pd.NA:
            continue
        assert parse_municipality(key, prefs) == parse_municipality(address, prefs), address
    assert keys.nunique() < s.nunique()  # house numbers no longer make values distinct


def _build_address_per_row(values: pd.Series) -> tuple[list, list]:
    """The reference: every distinct full address parsed (what build_address did before the keys)."""
    prefs = _prefectures()
    codes, uniques = pd.factorize(values)
    parsed = [parse_municipality(str(u), prefs) for u in uniques]
    labels = [None if c < 0 else address_leaf(parsed[c]) for c in codes]
    return labels, list(dict.fromkeys(address_leaf(p) for p in parsed))


def test_address_hierarchy_same_as_parsing_every_address() -> None:
    good = [a for a in MESSY_ADDRESSES if a is None or parse_municipality(a, _prefectures())]
    s = pd.Series(good * 3, name="住所", dtype=object).astype("string[pyarrow]")
    leaves, h = build_hierarchy("居住地", s, HierarchySpec(kind="address"), REF)
    labels, order = _build_address_per_row(s)
    assert leaves.tolist() == labels and leaves.index.equals(s.index) and leaves.name == "住所"
    assert h.labels[0][: h.n_leaves].tolist() == order  # leaf order (and so codes) unchanged
    bad = pd.Series(["東京都港区1", "港区芝公園1", None, "港区芝公園2"], name="住所")
    with pytest.raises(InputError, match=r"row 2, column 住所: .*\(2 such cells\)"):
        build_hierarchy("居住地", bad, HierarchySpec(kind="address"), REF)


@pytest.mark.parametrize("levels", [("day", "month", "year"), ("month", "year"), ("year",)])
def test_date_hierarchy_per_distinct_date_same_as_per_row(levels: tuple[str, ...]) -> None:
    days = pd.Series(pd.to_datetime(["2024-02-29", None, "2023-12-31", "2024-02-01", "2024-02-29",
                                     "1999-01-01", None, "2023-12-01"]), index=range(10, 18), name="請求日")
    leaves, h = build_hierarchy("請求日", days, HierarchySpec(kind="date", date_levels=levels), REF)
    fmt = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[levels[0]]
    per_row = days.dt.strftime(fmt)
    expected = per_row.astype(object).where(per_row.notna(), None)
    assert leaves.tolist() == expected.tolist()
    assert leaves.index.equals(days.index) and leaves.name == "請求日"
    assert leaves.dtype == object
    assert h.labels[0][: h.n_leaves].tolist() == sorted(per_row.dropna().unique())
    empty, h0 = build_hierarchy("d", pd.Series(pd.to_datetime([None, None]), name="d"),
                                HierarchySpec(kind="date"), REF)
    assert empty.tolist() == [None, None] and h0.n_leaves == 1


def _same_hierarchy(a: Hierarchy, b: Hierarchy) -> None:
    assert a.n_leaves == b.n_leaves and a.height == b.height and a.level_descriptions == b.level_descriptions
    for level in range(a.height):
        assert list(a.labels[level]) == list(b.labels[level])


@pytest.mark.parametrize("reference", [dt.date(2024, 2, 29), dt.date(2025, 2, 28), dt.date(2026, 3, 1),
                                       dt.date(2026, 12, 31)])
def test_age_keys_give_the_dates_leaves_and_hierarchy(reference: dt.date) -> None:
    """The streamed first pass histograms a birth date as its age's representative date (issue 17): the
    leaves per row and the whole hierarchy must be those of the dates, for every reference date, with
    29 February on either side, nulls, ages past the top code and below the bottom code."""
    rng = np.random.default_rng(7)
    days = pd.to_datetime("1900-01-01") + pd.to_timedelta(rng.integers(0, 45_000, 3_000), unit="D")
    births = pd.Series([*days, pd.NaT, pd.Timestamp("1980-02-29"), pd.Timestamp("2000-02-29"),
                        pd.Timestamp("2004-03-01"), pd.Timestamp("2004-02-28")], name="生年月日")
    births = births[births <= pd.Timestamp(reference)].reset_index(drop=True)
    births = pd.concat([births, pd.Series([pd.NaT], dtype="datetime64[ns]")], ignore_index=True)
    keys = age_keys(births, reference)
    assert keys.dtype == births.dtype and keys.name == births.name and keys.index.equals(births.index)
    assert ages_at(keys, reference).equals(ages_at(births, reference))
    assert keys.nunique() == ages_at(births, reference).nunique() < 200  # one key per age
    spec = HierarchySpec(kind="age", bands=(5, 10), top_code=90, bottom_code=20)
    leaves, h = build_hierarchy("年齢", births, spec, reference)
    key_leaves, key_h = build_hierarchy("年齢", keys, spec, reference)
    assert key_leaves.tolist() == leaves.tolist()
    _same_hierarchy(key_h, h)
    later = pd.Series([pd.Timestamp("1970-05-05"), pd.Timestamp(reference) + pd.Timedelta(days=400)],
                      name="生年月日")
    with pytest.raises(InputError, match="row 2, column 生年月日: birth date after the reference date"):
        build_hierarchy("年齢", age_keys(later, reference), spec, reference)


@pytest.mark.parametrize("levels", [("day", "month", "year"), ("month", "year"), ("year",)])
def test_date_keys_give_the_dates_leaves_and_hierarchy(levels: tuple[str, ...]) -> None:
    days = pd.Series(pd.to_datetime(["2024-02-29", None, "2023-12-31", "2024-02-01", "2024-02-29",
                                     "1999-01-01", None, "2023-12-01", "2024-03-31"]), name="請求日")
    spec = HierarchySpec(kind="date", date_levels=levels)
    keys = date_keys(days, spec)
    leaves, h = build_hierarchy("請求日", days, spec, REF)
    key_leaves, key_h = build_hierarchy("請求日", keys, spec, REF)
    assert key_leaves.tolist() == leaves.tolist() and keys.dtype == days.dtype
    _same_hierarchy(key_h, h)
    assert keys.nunique() == leaves.nunique()


def test_address_keys_are_the_leaves_and_give_the_same_hierarchy() -> None:
    """Issue 17: the streamed first pass histograms an address as its leaf. A leaf must parse to itself
    (every official 市区町村, every accepted short spelling's leaf), and the hierarchy built from the keys
    must be the one built from the addresses, leaf order included."""
    prefs = _prefectures()
    for pref, (_, spellings) in municipality_index().items():
        for spelling in spellings:
            parsed = parse_municipality(f"{pref}{spelling}1-2-3", prefs)
            assert parsed is not None
            leaf = address_leaf(parsed)
            assert parse_municipality(leaf, prefs) == parsed, leaf
    good = [a for a in MESSY_ADDRESSES if a is None or parse_municipality(a, prefs)]
    s = pd.Series(good * 3, name="住所", dtype=object).astype("string[pyarrow]")
    keys = address_keys(s)
    assert keys.dtype == "string[pyarrow]" and keys.index.equals(s.index)
    leaves, h = build_hierarchy("居住地", s, HierarchySpec(kind="address"), REF)
    key_leaves, key_h = build_hierarchy("居住地", keys, HierarchySpec(kind="address"), REF)
    assert key_leaves.tolist() == leaves.tolist()
    assert keys.dropna().tolist() == leaves.dropna().tolist()
    _same_hierarchy(key_h, h)
    bad = pd.Series(["東京都港区1", "港区芝公園1", None, "港区芝公園2"], name="住所")
    with pytest.raises(InputError, match=r"row 2, column 住所: .*\(2 such cells\)"):
        build_hierarchy("居住地", address_keys(bad), HierarchySpec(kind="address"), REF)


def test_address_without_prefecture_is_an_error() -> None:
    with pytest.raises(InputError, match="row 1, column 住所"):
        build_hierarchy("居住地", pd.Series(["港区芝公園1"], name="住所"), HierarchySpec(kind="address"), REF)


def test_postal_code_area() -> None:
    leaves, _ = build_hierarchy("郵便", pd.Series(["123-4567", "〒1234567", None], name="p"),
                                HierarchySpec(kind="postal_code"), REF)
    assert leaves.tolist()[:2] == ["123", "123"] and leaves.iloc[2] is None
    with pytest.raises(InputError):
        build_hierarchy("郵便", pd.Series(["12-34"], name="p"), HierarchySpec(kind="postal_code"), REF)


def test_amount_bands() -> None:
    s = pd.Series([0, 99_999, 100_000, 2_999_999, 5_000_000], dtype="Int64", name="保険金額")
    leaves, h = build_hierarchy("保険金額", s, HierarchySpec(kind="amount", bands=(100_000, 500_000),
                                                        top_code=3_000_000, bottom_code=0), REF)
    codes = h.encode(leaves)
    assert h.generalise(codes, 0).tolist() == ["0-99,999円", "0-99,999円", "100,000-199,999円",
                                               "2,900,000-2,999,999円", "3,000,000円以上"]
    assert h.generalise(codes, 1).tolist()[3:] == ["2,500,000-2,999,999円", "3,000,000円以上"]


def test_date_levels() -> None:
    s = pd.Series(pd.to_datetime(["2023-04-05", "2023-05-01", None]), name="d")
    leaves, h = build_hierarchy("請求日", s, HierarchySpec(kind="date", date_levels=("month", "year")), REF)
    codes = h.encode(leaves)
    assert h.generalise(codes, 0).tolist() == ["2023-04", "2023-05", "*"]
    assert h.generalise(codes, 1).tolist() == ["2023", "2023", "*"]


def test_adult_hierarchy_file_lm() -> None:
    path = Path(__file__).resolve().parents[1] / "benchmarks/data/adult/adult_hierarchy_age.csv"
    h = load_hierarchy_file("age", path)
    assert h.n_leaves == 100 and h.height == 5
    codes = h.encode(pd.Series(["39"]))
    assert np.isclose(h.loss(1)[codes][0], 4 / 99)
