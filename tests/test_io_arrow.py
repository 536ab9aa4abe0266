"""``pipeline.io.arrow``: text between pandas and Arrow without a Python string per row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pipeline.io.arrow import arrow_text, sorted_categorical, text_codes, text_encode


def test_sorted_categorical_keeps_the_values_drops_unused_categories_and_sorts_by_code_point() -> None:
    dictionary = pa.array(["ｚ", "b", "unused", "A", "é"])
    codes = np.array([0, 1, -1, 3, 4, 1, 0])
    labels = sorted_categorical(codes, dictionary, pd.StringDtype("pyarrow"))
    expected = pd.Series(["ｚ", "b", None, "A", "é", "b", "ｚ"], dtype="string[pyarrow]")
    assert list(labels.categories) == sorted(["ｚ", "b", "A", "é"])
    pd.testing.assert_series_equal(pd.Series(labels).astype("string[pyarrow]"), expected)
    as_objects = sorted_categorical(codes, dictionary, object)
    assert as_objects.categories.dtype == object and list(as_objects.categories) == list(labels.categories)


def test_arrow_text_joins_chunks_and_converts_objects() -> None:
    chunked = pd.concat([pd.Series(["a", None], dtype="string[pyarrow]")] * 2, ignore_index=True)
    assert arrow_text(chunked).to_pylist() == ["a", None, "a", None]
    assert arrow_text(pd.Series(["x", None], dtype=object), type=pa.string()).to_pylist() == ["x", None]


def _same_partition(codes: np.ndarray, n: int, values: list) -> None:
    """``codes`` number ``values`` as pandas does: equal values one code, nulls -1, codes 0..n-1 all used."""
    expected, uniques = pd.factorize(pd.Series(values, dtype=object))
    assert n == len(uniques)
    assert ((codes < 0) == (expected < 0)).all()
    pairs = set(zip(codes[codes >= 0].tolist(), expected[expected >= 0].tolist(), strict=True))
    assert len(pairs) == n == len({c for c, _ in pairs}) == len({e for _, e in pairs})


@pytest.mark.parametrize("type_", [pa.string(), pa.large_string(), pa.binary(), pa.large_binary()])
@pytest.mark.parametrize("part_rows", [1, 7, 1 << 20])
def test_text_codes_number_values_in_parts_as_one_hash_does(type_: pa.DataType, part_rows: int) -> None:
    rng = np.random.default_rng(3)
    pool = ["", "a", "ab", "ba", "K0000001", "K0000011", "鈴木", "木", "x" * 40, None]
    values = [pool[i] for i in rng.integers(0, len(pool), 500)]
    if type_ in (pa.binary(), pa.large_binary()):
        values = [None if v is None else v.encode() for v in values]
    whole = pa.array(values, type=type_)
    # chunks that are slices (non-zero offsets into shared buffers), two columns numbered together
    first = pa.chunked_array([whole.slice(0, 120), whole.slice(120, 80)], type=type_)
    second = pa.chunked_array([whole.slice(200, 300)], type=type_)
    codes, n = text_codes([first, second], np.int32, part_rows=part_rows)
    assert codes.dtype == np.int32 and len(codes) == 500
    _same_partition(codes, n, values)
    coded, distinct = text_encode([first, second], part_rows=part_rows)
    assert len(distinct) == n and distinct.null_count == 0
    assert [None if c < 0 else distinct[int(c)].as_py() for c in coded] == values


def test_text_codes_of_other_types_and_empty_columns() -> None:
    ints = pa.chunked_array([pa.array([3, None, 3, 5])])
    codes, n = text_codes([ints], part_rows=1)
    _same_partition(codes, n, [3, None, 3, 5])
    codes, n = text_codes([pa.chunked_array([], type=pa.large_string())], part_rows=1)
    assert n == 0 and len(codes) == 0
    # columns of two string types together, a null as one more value
    mixed = [pa.chunked_array([pa.array(["a", None])]), pa.chunked_array([pa.array(["a", "b", None],
                                                                                    type=pa.large_string())])]
    codes, n = text_codes(mixed, part_rows=2, null_value=True)
    assert n == 3 and codes[0] == codes[2] and codes[1] == codes[4] == 2 and len(set(codes.tolist())) == 3
    codes, distinct = text_encode([pa.chunked_array([pa.array([None, None], type=pa.string())])], part_rows=1)
    assert codes.tolist() == [-1, -1] and len(distinct) == 0
