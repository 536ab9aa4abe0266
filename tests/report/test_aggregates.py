"""Table-driven tests of the report's aggregate figures (the only place it touches data)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.report.aggregates import (
    OTHER,
    before_after_counts,
    class_sizes,
    risk_rows,
    size_distribution,
)
from tests.report.conftest import K, make_candidate


@pytest.mark.parametrize(
    ("frame", "qis", "person", "expected"),
    [
        # two persons with two rows each in class (a, x): persons count, not rows
        (pd.DataFrame({"q": ["a", "a", "a", "a", "b"], "r": ["x"] * 5, "p": [1, 1, 2, 2, 3]}),
         ("q", "r"), "p", [2, 1]),
        # no person key: one row is one person
        (pd.DataFrame({"q": ["a", "a", "b"]}), ("q",), None, [2, 1]),
        # nulls form their own class, they are not dropped
        (pd.DataFrame({"q": ["a", None, None], "p": [1, 2, 3]}), ("q",), "p", [1, 2]),
        # no quasi-identifier: the whole table is one class
        (pd.DataFrame({"p": [1, 2, 2]}), (), "p", [2]),
    ],
)
def test_class_sizes(frame, qis, person, expected):
    assert sorted(class_sizes(frame, qis, person).tolist()) == sorted(expected)


def test_size_distribution_exact_sizes_when_small():
    dist = size_distribution(pd.Series([5, 5, 7, 6, 5]))
    assert dist["bucket"].tolist() == ["5", "6", "7"]
    assert dist["classes"].tolist() == [3, 1, 1]
    assert dist["persons"].tolist() == [15, 6, 7]


def test_size_distribution_buckets_when_large():
    sizes = pd.Series([5, 10, 11, 20, 21, 300])
    dist = size_distribution(sizes)
    assert dist["bucket"].tolist() == ["5", "6-10", "11-20", "21-50", "201-300"]
    assert dist["classes"].sum() == len(sizes)
    assert dist["persons"].sum() == sizes.sum()


def test_before_after_counts_only_released_labels():
    cand = make_candidate()
    table = cand.tables["claims"]
    counts = before_after_counts(table, "居住地")
    released = set(table.data["居住地"].astype(str))
    assert set(counts["label"]) <= released | {OTHER}
    assert "沖縄県" not in set(counts["label"])  # held by < k persons: suppressed, pooled into OTHER
    assert counts["before"].sum() == table.rows_in
    assert counts["after"].sum() == len(table.data)
    by_label = counts.set_index("label").drop(OTHER)
    assert (by_label["before"] >= by_label["after"]).all()


def test_before_after_counts_nulls_follow_the_release():
    table = make_candidate(null_share=0.3).tables["claims"]
    counts = before_after_counts(table, "年齢").set_index("label")
    # the fixture releases null ages as the hierarchy root, so the before side must count them there too
    assert counts.loc["*", "before"] == int(table.before["年齢"].isna().sum())
    assert counts.loc["*", "after"] == int((table.data["年齢"] == "*").sum())


def test_before_after_counts_needs_before_and_hierarchy():
    table = make_candidate().tables["claims"]
    assert before_after_counts(table, "person") is None


def test_risk_rows_union_of_measures():
    rows = risk_rows({"before": {"a": 1.0, "b": 2}, "after": {"a": 0.2, "c": 3}})
    assert rows == [("a", 1.0, 0.2), ("b", 2, None), ("c", None, 3)]
    assert risk_rows(None) == []


def test_fixture_is_k_anonymous():
    table = make_candidate().tables["claims"]
    assert class_sizes(table.data, table.quasi_identifiers, table.person_key).min() >= K


def test_before_values_already_at_the_released_level():
    """Sensitive columns reach ``before`` at their fixed level, rare ones merged (pipeline.anonymise)."""
    cand = make_candidate()
    table = cand.tables["claims"]
    h = table.hierarchies["傷病分類"]
    labels = pd.Series(h.generalise(h.encode(table.before["傷病分類"]), 1))
    labels[labels == "呼吸器系"] = "その他"  # merged as 特異な記述 before the release
    table.before = table.before.assign(傷病分類=labels.to_numpy())
    counts = before_after_counts(table, "傷病分類").set_index("label")
    assert counts["before"].sum() == table.rows_in
    assert counts.loc[OTHER, "before"] == int((labels == "その他").sum())  # その他 is not a released label
    assert counts.loc["新生物", "before"] == int((labels == "新生物").sum())


def _to_level_per_row(hierarchy, values, level, keep_nulls):
    """The reference: every row's text mapped through a dict (what _to_level did before codes)."""
    import numpy as np

    from pipeline.report.aggregates import MISSING

    distinct = pd.unique(values.dropna().astype(str))
    leaves = pd.Index(hierarchy.labels[0][: hierarchy.n_leaves]).astype(str)
    pos = leaves.get_indexer(distinct)
    mapped = np.where(pos >= 0, hierarchy.labels[level][hierarchy.maps[level][np.maximum(pos, 0)]], distinct)
    out = values.astype(str).map(dict(zip(distinct, mapped, strict=True)))
    root = hierarchy.labels[level][hierarchy.maps[level][hierarchy.n_leaves]]
    return out.where(values.notna(), MISSING if keep_nulls else str(root)).astype(str)


@pytest.mark.parametrize("level", [0, 1, 2])
@pytest.mark.parametrize("keep_nulls", [True, False])
def test_to_level_per_distinct_value_same_as_per_row(level: int, keep_nulls: bool) -> None:
    from pipeline.hierarchies.base import Hierarchy
    from pipeline.report.aggregates import _to_level

    h = Hierarchy.from_rows("年齢", [["45歳", "45-49歳", "*"], ["46歳", "45-49歳", "*"],
                                     ["50歳", "50-54歳", "*"], ["7", "5-9", "*"]])
    # leaves, labels already generalised (a fixed-level sensitive column), merged rare values, numbers whose
    # text is a leaf, nulls of several kinds, an index that is not 0..n-1
    cells = ["45歳", "46歳", "45-49歳", "その他", None, float("nan"), 7, "7", "50歳", "45歳", pd.NA]
    for values in (pd.Series(cells, dtype=object, index=range(50, 61), name="年齢"),
                   pd.Series([c for c in cells if isinstance(c, str)] + [None], dtype="string", name="x"),
                   pd.Series([], dtype=object, name="e")):
        got = _to_level(h, values, level, keep_nulls)
        want = _to_level_per_row(h, values, level, keep_nulls)
        assert got.tolist() == want.tolist() and got.index.equals(want.index) and got.name == want.name
        assert got.dtype == want.dtype
