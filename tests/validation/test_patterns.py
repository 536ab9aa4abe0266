"""The profile's PII patterns, table-driven, through the same NFKC-over-distinct-values matcher GX uses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.validation.metrics.pattern_over_distinct import (
    condition,
    distinct_text,
    matching_values,
    rows_in,
    rows_matching,
)
from pipeline.validation.suite import PROFILES, load_profile

PATTERNS = {r["expectation"]: r["kwargs"]["regex"] for r in load_profile("internal")["rules"]
            if r["for"] == "each_column" and "regex" in r.get("kwargs", {})}

# cells every release legitimately holds: generalised labels, dates, amounts, codes
BENIGN = ["20-24歳", "90歳以上", "20歳未満", "1,000,000-1,499,999円", "300,000円以上", "2024-01-01",
          "2024-01", "100", "東京都千代田区", "その他", "0-6日", "56日以上", "120000", "18000.0",
          "循環器系の疾患", "*"]

CASES = [
    ("expect_no_my_number", "123456789012"),
    ("expect_no_my_number", "1234 5678 9012"),
    ("expect_no_my_number", "1234-5678-9012"),
    ("expect_no_my_number", "１２３４５６７８９０１２"),  # full width
    ("expect_no_my_number", "番号：１２３４－５６７８－９０１２です"),
    ("expect_no_my_number", "1 2 3 4 5 6 7 8 9 0 1 2"),
    ("expect_no_phone_number", "03-1234-5678"),
    ("expect_no_phone_number", "０９０－１２３４－５６７８"),
    ("expect_no_phone_number", "09012345678"),
    ("expect_no_phone_number", "+81 90 1234 5678"),
    ("expect_no_phone_number", "052(228)1335"),
    ("expect_no_email_address", "hanako.yamada@example.co.jp"),
    ("expect_no_email_address", "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
    ("expect_no_postal_code", "〒100-0001"),
    ("expect_no_postal_code", "１００－０００１"),
    ("expect_no_postal_code", "〒1000001"),
]


@pytest.mark.parametrize(("rule", "cell"), CASES)
def test_pattern_catches(rule: str, cell: str) -> None:
    assert list(matching_values(pd.Series(["その他", cell, None]), PATTERNS[rule])) == [cell]


@pytest.mark.parametrize("rule", sorted(PATTERNS))
def test_pattern_ignores_release_labels(rule: str) -> None:
    assert list(matching_values(pd.Series(BENIGN), PATTERNS[rule])) == []


def test_longer_digit_runs_are_not_my_numbers() -> None:
    cells = pd.Series(["1234567890123", "12345678901"])
    assert list(matching_values(cells, PATTERNS["expect_no_my_number"])) == []


def test_numbers_are_matched_as_text() -> None:
    cells = pd.Series([123456789012, 5])
    assert list(matching_values(cells, PATTERNS["expect_no_my_number"])) == ["123456789012"]


@pytest.mark.parametrize("rule", sorted(PATTERNS))
def test_categorical_columns_flag_the_same_rows_as_text(rule: str) -> None:
    """The gate hands GX categoricals: distinct values taken from the categories (nulls as 'nan', unused
    categories included) flag exactly the rows the same column as text flags."""
    cells = [c for r, c in CASES if r == rule] + BENIGN + [None, "nan"]
    column = pd.Series(cells * 2, dtype=object).astype("category")
    for part in (column, column.iloc[len(cells) + 1: len(cells) + 4], column.iloc[-2:-1]):  # rows filtered
        as_text = part.astype(object)
        assert set(distinct_text(part)) >= set(pd.unique(as_text.astype(str)))
        flagged = part.astype(str).isin(matching_values(part, PATTERNS[rule]))
        expected = as_text.astype(str).isin(matching_values(as_text, PATTERNS[rule]))
        assert flagged.tolist() == expected.tolist()
    caught = column.astype(str).isin(matching_values(column, PATTERNS[rule]))
    assert caught.sum() == 2 * (len(cells) - len(BENIGN) - 2)


def test_surrogate_rule_matches_the_pipelines_surrogates() -> None:
    """Drift guard: the profiles' surrogate format is what pipeline.identifiers.surrogate produces."""
    codes = pd.Series([f"KZ{i:08d}" for i in range(500)])
    tokens = SurrogateSpace([codes]).replace(codes)
    for name in PROFILES:
        regex = next(r["kwargs"]["regex"] for r in load_profile(name)["rules"]
                     if r["expectation"] == "expect_linking_code_to_be_surrogate")
        assert tokens.str.fullmatch(regex.strip("^$")).all(), name
        assert not codes.str.fullmatch(regex.strip("^$")).any(), name  # a source code is never one


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([1.0, np.nan, -0.0, 0.0, 123456789012.0, 1e20, 1.5, np.nan, 1.0, -np.inf, 5e-324]),
        pd.Series([np.float64("nan"), np.frombuffer(b"\x01\x00\x00\x00\x00\x00\xf8\x7f")[0]]),  # NaN payloads
        pd.Series([123456789012, -5, 0, 123456789012, 2**62], dtype="int64"),
        pd.Series([3, 1, 3], dtype="uint8"),
        pd.Series([True, False, True]),
        pd.Series([], dtype="float64"),
        pd.Series([120000.0, 18000.0] * 1000, dtype="float32"),
    ],
)
def test_numeric_distinct_text_is_the_text_of_every_row(column: pd.Series) -> None:
    """Numbers are deduplicated before they become text: the same distinct strings, in the same order."""
    assert list(distinct_text(column)) == list(pd.unique(column.astype(str)))
    for part in (column, column.iloc[1:3]):  # GX filters rows
        assert list(distinct_text(part)) == list(pd.unique(part.astype(str)))
        assert list(matching_values(part, PATTERNS["expect_no_my_number"])) == [
            v for v in pd.unique(part.astype(str)) if v == "123456789012.0" or v == "123456789012"
        ]


@pytest.mark.parametrize("nfkc", [True, False])
@pytest.mark.parametrize("regex", [*PATTERNS.values(), "^[a-z]{14}$", "^nan$", "a"])
def test_rows_matching_equals_rows_in_matching_values(regex: str, nfkc: bool) -> None:
    """The per-category mask flags exactly the rows the old distinct-values + isin path flags: nulls (as
    'nan'), a literal 'nan', mixed types (1 and '1' as categories), full width, unused categories."""
    odd = [None, np.nan, "nan", 1, "1", 1.5, "ａｂｃｄｅｆｇｈｉｊｋｌｍｎ",
           "abcdefghijklmn", "abcdefghijklmn\n"]
    cells = [c for _, c in CASES] + BENIGN + odd
    column = pd.Series(cells * 2, dtype=object).astype("category").cat.add_categories(["unused"])
    for part in (column, column.iloc[3:9], column.iloc[-3:], column.iloc[:0], column.dropna()):
        expected = rows_in(part, matching_values(part, regex, nfkc))
        assert rows_matching(part, regex, nfkc).tolist() == expected.tolist()
        as_text = part.astype(object)
        assert rows_matching(as_text, regex, nfkc).tolist() == expected.tolist()


@pytest.mark.parametrize(("chunk", "rows"), [(1, 1), (3, 5), (1 << 18, 7), (1 << 18, 1 << 20)])
def test_categories_are_matched_chunk_by_chunk_as_all_at_once(chunk: int, rows: int, monkeypatch) -> None:
    """A categorical's categories, and the distinct values of an Arrow-strings column (the linking codes'
    surrogate keys, as the gate holds them) ``rows`` rows at a time, are turned into text a chunk at a time:
    every row is flagged as when the column is matched as text, whatever the chunk and slice, also for an
    Arrow column of several chunks; a null as the text 'nan'."""
    import pipeline.validation.metrics.pattern_over_distinct as pod

    monkeypatch.setattr(pod, "CHUNK", chunk)
    monkeypatch.setattr(pod, "ROWS", rows)
    # where RE2 (Arrow's, for Arrow strings) and Python's re differ: a final newline before $, Unicode
    # digits and spaces, control characters that re's \s takes
    cells = [c for r, c in CASES] + BENIGN + [None, "nan", "abcdefghijklmn\n", "abcdefghijklmn", "a\x1cb",
                                              "a\u3000b", "a b", "٣", "3", "ａｂｃｄｅｆｇｈｉｊｋｌｍｎ"]
    columns = [pd.Series(cells * 3, dtype=dtype).astype("category") for dtype in ("string[pyarrow]", object)]
    columns.append(pd.Series(cells * 3, dtype="string[pyarrow]"))
    several = pd.concat([pd.Series(cells, dtype="string[pyarrow]")] * 3, ignore_index=True)
    assert several.array._pa_array.num_chunks == 3
    columns.append(several)
    for column in columns:
        text = column.astype(object).where(column.notna(), "nan").astype(str)
        others = {"nan": "^nan$", "surrogate": "^[a-z]{14}$", "space": r"a\sb", "digit": r"^\d$"}
        for rule, regex in {**PATTERNS, **others}.items():
            expected = text.str.contains(regex)
            got = rows_matching(column, regex, nfkc=False)
            assert got.tolist() == expected.tolist(), rule
            found = matching_values(column, regex, nfkc=False)
            assert rows_in(column, found).tolist() == expected.tolist(), rule
        assert rows_matching(column, PATTERNS["expect_no_my_number"]).sum() > 0


def test_a_condition_is_held_sparse_with_only_the_rows_that_fail() -> None:
    """What GX keeps of each map rule until its validation ends: the rows that fail, not a byte a row."""
    meets = pd.Series([True] * 1000, index=pd.RangeIndex(5, 1005))
    meets.iloc[[3, 700]] = False
    held = condition(meets)
    assert isinstance(held.dtype, pd.SparseDtype) and held.array.npoints == 2
    assert held.index.equals(meets.index) and held.tolist() == meets.tolist()
    unexpected = ~held  # as GX takes it
    assert int(np.count_nonzero(unexpected)) == 2 and unexpected.array.npoints == 2
    assert list(meets.index[(unexpected == True).to_numpy()]) == [8, 705]  # noqa: E712 (GX's own test)
