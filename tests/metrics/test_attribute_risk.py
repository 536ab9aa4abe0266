"""pipeline.metrics.attribute_risk against sdcMicro's published example and a brute-force pandas count."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from pipeline.metrics.attribute_risk import attribute_risk, suda_weight


def test_sdcmicro_suda2_example_contributions() -> None:
    # sdcMicro tests/testthat/test_suda2.R: a=(2,1,1), b=(0,3,0), c=(0,6,0) → contributions 50, 37.5, 37.5 %
    d = pd.DataFrame({"a": [2, 1, 1], "b": [0, 3, 0], "c": [0, 6, 0]})
    r = attribute_risk(d, ["a", "b", "c"], m=3)
    assert r.contribution == pytest.approx({"a": 0.5, "b": 0.375, "c": 0.375})
    assert list(r.row_score) == [2.0, 4.0, 2.0]  # MSUs {a}; {b},{c}; {a,b},{a,c}
    assert r.unique_rows == 3 and r.min_class_size == 1 and r.special_unique_rows == 3


def _brute(frame: pd.DataFrame, columns: list[str], person: np.ndarray, m: int) -> tuple[np.ndarray, int]:
    """Row scores and unique rows by pandas groupby nunique over every subset (independent of the module)."""
    f = frame.assign(_p=person).astype(object)
    f = f.where(f.notna(), "<null>")

    def unique_on(cols: tuple[str, ...]) -> np.ndarray:
        return (f.groupby(list(cols))["_p"].transform("nunique") == 1).to_numpy()

    uniques = {s: unique_on(s) for k in range(1, m + 1) for s in combinations(columns, k)}
    score = np.zeros(len(f))
    for s, u in uniques.items():
        minimal = u.copy()
        for k in range(1, len(s)):
            for sub in combinations(s, k):
                minimal &= ~uniques[sub]
        score += minimal * suda_weight(len(s), m, len(columns))
    return score, int(unique_on(tuple(columns)).sum())


@pytest.mark.parametrize("persons", [220, 40])  # 40: persons with more rows than the grouper's window
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_brute_force_with_persons_and_nulls(seed: int, persons: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    frame = pd.DataFrame({
        "age": rng.integers(0, 6, n).astype(str),
        "sex": rng.choice(["M", "F"], n),
        "premium": rng.integers(0, 40, n),
        "agency": pd.Series(rng.choice(["A", "B", "C", None], n, p=[0.5, 0.3, 0.15, 0.05])),
        "year": rng.integers(2015, 2026, n),
    })
    person = rng.integers(0, persons, n)  # some persons hold several rows
    columns = list(frame.columns)
    r = attribute_risk(frame, columns, person, m=3)
    score, unique = _brute(frame, columns, person, 3)
    assert r.unique_rows == unique
    np.testing.assert_allclose(r.row_score, score)
    assert r.persons == len(np.unique(person))
    assert r.special_unique_rows == int((score > 0).sum())


def test_no_unique_row_costs_one_grouping_and_scores_nothing() -> None:
    frame = pd.DataFrame({"a": ["x", "y"] * 50, "b": [1, 2, 3, 4, 5] * 20})
    r = attribute_risk(frame, ["a", "b"])
    assert r.unique_rows == 0 and r.min_class_size == 10 and r.special_unique_rows == 0
    assert not r.contribution and r.row_score.sum() == 0


def test_two_rows_of_one_person_are_still_that_person_alone() -> None:
    frame = pd.DataFrame({"a": ["x", "x", "y", "y"]})
    r = attribute_risk(frame, ["a"], person=np.array([1, 1, 2, 3]))
    assert r.unique_rows == 2 and r.unique_persons == 1 and r.min_class_size == 1


def test_suda_on_a_sample_flags_the_same_driving_columns() -> None:
    rng = np.random.default_rng(5)
    n = 5000
    frame = pd.DataFrame({"premium": rng.integers(0, 3000, n), "sex": rng.choice(["M", "F"], n),
                          "band": rng.integers(0, 3, n)})
    full = attribute_risk(frame, list(frame.columns))
    sampled = attribute_risk(frame, list(frame.columns), suda_sample=1000)
    assert sampled.unique_rows == full.unique_rows  # uniqueness always counted on every row
    assert set(sampled.ranked_columns()) >= set(full.ranked_columns())
    assert sampled.ranked_columns()[0] == full.ranked_columns()[0] == "premium"
