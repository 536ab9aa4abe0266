"""Each privacy model on hand-made class statistics, its necessary condition, and the registry."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest

from pipeline.config.model import MODEL_NAMES, ModelSpec
from pipeline.errors import ConfigError
from pipeline.privacy import (
    MODELS,
    ClassStats,
    DistinctLDiversity,
    EntropyLDiversity,
    EqualDistanceTCloseness,
    KAnonymity,
    OrderedDistanceTCloseness,
    RecursiveCLDiversity,
    SensitivePairs,
    build_model,
    build_models,
)


def stats(classes: list[dict[int, int]], n_values: int = 4, persons: list[int] | None = None,
          reference: list[float] | None = None) -> ClassStats:
    """Class statistics from per-class {value: count} dicts (column 's')."""
    cls, val, cnt = [], [], []
    for i, d in enumerate(classes):
        for v in sorted(d):
            cls.append(i)
            val.append(v)
            cnt.append(d[v])
    rows = np.array([sum(d.values()) for d in classes], dtype=np.int64)
    ref = np.array(reference if reference is not None else [1 / n_values] * n_values)
    pairs = SensitivePairs(np.array(cls), np.array(val), np.array(cnt, dtype=np.int64), n_values, False, ref)
    return ClassStats(len(classes), rows, np.array(persons) if persons is not None else rows, {"s": pairs})


def test_k_anonymity_counts_persons_not_rows() -> None:
    s = stats([{0: 5}, {0: 3}], persons=[1, 3])  # 5 rows of one person, 3 rows of 3 persons
    assert KAnonymity(3).satisfied(s).tolist() == [False, True]
    assert str(KAnonymity(3)) == "3-anonymity"


def test_distinct_l_diversity() -> None:
    s = stats([{0: 9, 1: 1}, {0: 5}, {0: 1, 1: 1, 2: 1}])
    assert DistinctLDiversity("s", 2).satisfied(s).tolist() == [True, False, True]
    assert DistinctLDiversity("s", 3).satisfied(s).tolist() == [False, False, True]


def test_entropy_l_diversity() -> None:
    s = stats([{0: 1, 1: 1}, {0: 9, 1: 1}, {0: 1, 1: 1, 2: 1}])
    # entropies: log 2, 0.325, log 3
    assert EntropyLDiversity("s", 2).satisfied(s).tolist() == [True, False, True]
    assert EntropyLDiversity("s", 2.5).satisfied(s).tolist() == [False, False, True]


def test_recursive_cl_diversity() -> None:
    # r = (6, 3, 1): with l=2 the tail is r2 + r3 = 4 ; with l=3 it is r3 = 1
    s = stats([{0: 6, 1: 3, 2: 1}])
    assert RecursiveCLDiversity("s", 2.0, 2).satisfied(s).tolist() == [True]   # 6 < 2·4
    assert RecursiveCLDiversity("s", 1.5, 2).satisfied(s).tolist() == [False]  # 6 < 1.5·4 fails
    assert RecursiveCLDiversity("s", 7.0, 3).satisfied(s).tolist() == [True]   # 6 < 7·1
    assert RecursiveCLDiversity("s", 6.0, 3).satisfied(s).tolist() == [False]


def test_equal_distance_t_closeness_is_half_l1() -> None:
    ref = [0.5, 0.25, 0.25, 0.0]
    s = stats([{0: 2, 1: 1, 2: 1}, {0: 1}, {3: 1, 1: 1}], reference=ref)
    d = EqualDistanceTCloseness("s", 0.3).distance(s)
    assert d == pytest.approx([0.0, 0.5, 0.75])
    assert EqualDistanceTCloseness("s", 0.5).satisfied(s).tolist() == [True, True, False]


def test_ordered_distance_t_closeness() -> None:
    ref = [0.25, 0.25, 0.25, 0.25]
    s = stats([{0: 1}, {3: 1}, {1: 1, 2: 1}], reference=ref)
    # class 0: cumulative diff (0.75, 0.5, 0.25, 0) / 3 = 0.5 ; class 2: (-.25, .25, -.25... ) → (.25+0+.25)/3
    d = OrderedDistanceTCloseness("s", 0.2).distance(s)
    assert d == pytest.approx([0.5, 0.5, 1 / 6])
    assert OrderedDistanceTCloseness("s", 0.2).satisfied(s).tolist() == [False, False, True]


def _all_compositions(size: int, m: int):
    for cut in itertools.combinations(range(size + m - 1), m - 1):
        parts = np.diff(np.array((-1, *cut, size + m - 1))) - 1
        yield parts


@pytest.mark.parametrize("model", [EqualDistanceTCloseness("s", 0.3), OrderedDistanceTCloseness("s", 0.12)])
def test_t_closeness_minimum_class_size_is_sound(model) -> None:
    """No class smaller than the implied minimum can pass (exhaustive over every distribution)."""
    ref = np.array([0.4, 0.3, 0.2, 0.1])
    nec = model.necessary({"s": ref})
    assert nec.min_rows > 1
    for size in range(1, nec.min_rows):
        for parts in _all_compositions(size, 4):
            s = stats([{v: int(c) for v, c in enumerate(parts) if c}], reference=list(ref))
            assert not model.satisfied(s)[0]
    # and the bound is tight: some class of exactly min_rows passes
    found = any(model.satisfied(stats([{v: int(c) for v, c in enumerate(p) if c}], reference=list(ref)))[0]
                for p in _all_compositions(nec.min_rows, 4))
    assert found


def test_equal_distance_minimum_distinct_values() -> None:
    ref = np.array([0.4, 0.3, 0.2, 0.1])
    nec = EqualDistanceTCloseness("s", 0.3).necessary({"s": ref})
    assert nec.min_distinct == 2  # one value: at least 1 - 0.4 = 0.6 away; two: 1 - 0.7 = 0.3


def test_registry_covers_every_config_name() -> None:
    assert set(MODELS) == set(MODEL_NAMES)
    for name, cls in MODELS.items():
        assert cls.name == name
        assert "(" in (sys.modules[cls.__module__].__doc__ or "")  # cites its paper


@pytest.mark.parametrize("spec", [
    ModelSpec("k-anonymity", k=5), ModelSpec("distinct-l-diversity", column="s", l=2),
    ModelSpec("entropy-l-diversity", column="s", l=2),
    ModelSpec("recursive-cl-diversity", column="s", l=2, c=3),
    ModelSpec("equal-distance-t-closeness", column="s", t=0.2),
    ModelSpec("ordered-distance-t-closeness", column="s", t=0.2)])
def test_build_model_by_name_describes_itself(spec) -> None:
    m = build_model(spec)
    assert m.name == spec.name
    assert m.describe() and str(m)
    assert isinstance(m.satisfied(stats([{0: 3, 1: 2}])), np.ndarray)


def test_build_models_adds_release_k_and_keeps_the_larger() -> None:
    models = build_models([ModelSpec("distinct-l-diversity", column="s", l=2)], 5)
    assert [str(m) for m in models] == ["5-anonymity", "distinct-2-diversity(s)"]
    models = build_models([ModelSpec("k-anonymity", k=10)], 5)
    assert [str(m) for m in models] == ["10-anonymity"]


@pytest.mark.parametrize("spec", [ModelSpec("k-anonymity", k=0), ModelSpec("equal-distance-t-closeness",
                                  column="s", t=1.5), ModelSpec("recursive-cl-diversity", column="s", l=2)])
def test_bad_parameters_are_config_errors(spec) -> None:
    with pytest.raises(ConfigError, match=spec.name):
        build_model(spec)


def test_monotonicity_flags_follow_the_literature() -> None:
    assert KAnonymity.monotonic_with_suppression and DistinctLDiversity.monotonic_with_suppression
    for cls in (EntropyLDiversity, RecursiveCLDiversity, EqualDistanceTCloseness, OrderedDistanceTCloseness):
        assert not cls.monotonic_with_suppression
        assert cls.monotonic_without_suppression
