"""The report's before sample of a streamed run: values picked through the histogram, held as categoricals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.anonymise.streamed_release import _picked


def test_picked_values_are_the_values_at_the_codes_as_categories() -> None:
    """``values[codes[picked]]`` with a code past the end and a null value as nulls; labels that repeat
    (two leaves with one label) are one category; what the report reads (factorise, then labels) is the
    same as from the object column."""
    values = pd.Series(["府中市", "東京", None, "府中市", "0"], dtype=object)
    codes = np.array([0, 1, 2, 3, 4, 5, 5, 1])  # 5: past the end (a null leaf)
    picked = np.array([7, 0, 3, 2, 5, 4, 6, 1, 1])
    got = pd.Series(_picked(values, codes, picked))
    want = pd.Series([values[c] if c < len(values) else None for c in codes[picked]], dtype=object)
    assert isinstance(got.dtype, pd.CategoricalDtype)
    assert got.isna().tolist() == want.isna().tolist()
    assert got.astype(object).where(got.notna(), None).tolist() == want.tolist()
    assert sorted(got.cat.categories) == ["0", "府中市", "東京"]
    a_codes, a_uniques = pd.factorize(got)
    b_codes, b_uniques = pd.factorize(want)
    assert a_codes.tolist() == b_codes.tolist()
    assert pd.Series(a_uniques, dtype=object).tolist() == pd.Series(b_uniques, dtype=object).tolist()


def test_picked_from_nothing_is_all_null() -> None:
    got = _picked(pd.Series([], dtype=object), np.array([0, 0]), np.array([1, 0]))
    assert len(got) == 2 and pd.isna(got).all()
