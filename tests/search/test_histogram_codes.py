"""Snapshots hold their codes and sensitive pairs in 32 bits (``pipeline.histogram.CODE``); every key packed
from them must still be computed in 64 bits, or classes merge silently once a product passes 2**31."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.histogram import CODE, _combine, base_snapshot


def test_pairs_of_large_indices_are_packed_in_64_bits() -> None:
    rng = np.random.default_rng(5)
    n_other = 3_000_000
    cls = rng.integers(0, 2_000_000, size=50_000).astype(CODE)  # cls * n_other passes 2**31
    other = rng.integers(0, n_other, size=50_000).astype(CODE)
    c, o, w = _combine(cls, other, n_other, np.ones(len(cls)))
    expected = pd.DataFrame({"c": cls, "o": other}).value_counts().sort_index()
    assert list(zip(c.tolist(), o.tolist(), strict=True)) == list(expected.index)
    assert w is not None and w.tolist() == expected.tolist()
    assert c.dtype == CODE and o.dtype == CODE


def test_base_snapshot_with_a_key_range_beyond_32_bits_equals_a_groupby() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    cards = [70_000, 60_000, 50]  # the packed key range is 2.1e11
    qi = [rng.integers(0, c, size=n) % (c if i == 2 else 300) for i, c in enumerate(cards)]
    sens = rng.integers(0, 4, size=n)
    snap, inv, persons = base_snapshot(qi, cards, None, [sens], [4])
    frame = pd.DataFrame({"a": qi[0], "b": qi[1], "c": qi[2], "s": sens})
    classes = frame.groupby(["a", "b", "c"]).size()
    assert snap.n == len(classes) and persons == n
    index = pd.MultiIndex.from_arrays([c.astype(np.int64) for c in snap.codes], names=["a", "b", "c"])
    got = pd.Series(snap.rows, index=index)
    pd.testing.assert_series_equal(got.sort_index(), classes.astype(np.int64), check_names=False)
    assert all(c.dtype == CODE for c in snap.codes)
    # every row's class holds its own codes
    for q, name in enumerate("abc"):
        assert np.array_equal(snap.codes[q][inv], frame[name].to_numpy())
    c, v, w = snap.sensitive[0]
    assert c.dtype == CODE and v.dtype == CODE
    pairs = frame.assign(cls=inv).groupby(["cls", "s"]).size()
    assert list(zip(c.tolist(), v.tolist(), strict=True)) == list(pairs.index)
    assert w.tolist() == pairs.tolist()
