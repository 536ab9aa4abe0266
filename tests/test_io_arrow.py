"""``pipeline.io.arrow``: text between pandas and Arrow without a Python string per row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.io.arrow import arrow_text, sorted_categorical


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
