"""Per-class statistics against the definitions, on a matrix small enough to compute by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.validation.metrics.class_statistic import (
    count_matrix,
    distinct_values,
    effective_entropy_values,
    equal_distance,
    ordered_distance,
    persons_per_class,
    recursive_ratio,
)
from pipeline.validation.metrics.value_persons import persons_per_value

# class (a): values x,x,y ; class (b): values z,z,z,None. Table distribution over x,y,z: 2/6, 1/6, 3/6.
DF = pd.DataFrame({
    "q": ["a", "a", "a", "b", "b", "b", "b"],
    "s": ["x", "x", "y", "z", "z", "z", None],
    "p": ["1", "1", "2", "3", "4", "5", "6"],
})


def test_counts_follow_the_given_order_and_ignore_nulls() -> None:
    m = count_matrix(DF, ["q"], "s", order=["x", "y", "z"])
    assert m.tolist() == [[2, 1, 0], [0, 0, 3]]


def test_persons_not_rows() -> None:
    assert persons_per_class(DF, ["q"], "p").tolist() == [2, 4]
    assert persons_per_class(DF, ["q"], None).tolist() == [3, 4]
    assert sorted(persons_per_value(DF, "s", "p").tolist()) == [1, 1, 3]


def test_diversity_statistics() -> None:
    m = count_matrix(DF, ["q"], "s", order=["x", "y", "z"])
    assert distinct_values(m).tolist() == [2, 1]
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert effective_entropy_values(m) == pytest.approx([math.exp(h), 1.0])
    assert recursive_ratio(m, 2).tolist() == [2.0, math.inf]  # r1 / (r2 + …); class b has one value


def test_closeness_statistics() -> None:
    m = count_matrix(DF, ["q"], "s", order=["x", "y", "z"])
    p_a, p_b, q = np.array([2, 1, 0]) / 3, np.array([0, 0, 1.0]), np.array([2, 1, 3]) / 6
    assert equal_distance(m) == pytest.approx([0.5 * abs(p_a - q).sum(), 0.5 * abs(p_b - q).sum()])
    expected = [abs(np.cumsum(p - q)).sum() / 2 for p in (p_a, p_b)]
    assert ordered_distance(m) == pytest.approx(expected)


def test_null_quasi_identifiers_form_one_class() -> None:
    df = pd.DataFrame({"q": ["a", None, None], "p": ["1", "2", "3"]})
    assert sorted(persons_per_class(df, ["q"], "p").tolist()) == [1, 2]


def test_categorical_columns_give_the_same_statistics() -> None:
    """The runner hands GX categoricals; unused categories must not count as classes or values."""
    cat = DF.astype("category")
    cat["s"] = cat["s"].cat.add_categories(["unused"])
    cat["q"] = cat["q"].cat.add_categories(["never"])
    assert persons_per_class(cat, ["q"], "p").tolist() == [2, 4]
    assert persons_per_class(cat, ["q"], None).tolist() == [3, 4]
    assert sorted(persons_per_value(cat, "s", None).tolist()) == [1, 2, 3]
    assert sorted(persons_per_value(cat, "s", "p").tolist()) == [1, 1, 3]
    assert count_matrix(cat, ["q"], "s", order=["x", "y", "z"]).tolist() == [[2, 1, 0], [0, 0, 3]]
    assert sorted(distinct_values(count_matrix(cat, ["q"], "s")).tolist()) == [1, 2]
    nulls = pd.DataFrame({"q": ["a", None, None], "p": ["1", "2", "3"]}).astype("category")
    assert sorted(persons_per_class(nulls, ["q"], "p").tolist()) == [1, 2]
