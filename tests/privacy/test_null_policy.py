"""One null policy for sensitive values, applied by the search and the gate alike (``pipeline.privacy.base``):
a null is not a value. The search's class statistics (the histogram the lattice search evaluates) and the
gate's (built from the released rows) give every privacy model the same verdict on every row of a frame
with nulls, and a class that counting nulls as a value would pass fails on both sides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.histogram import base_snapshot
from pipeline.privacy import (
    DistinctLDiversity,
    EntropyLDiversity,
    EqualDistanceTCloseness,
    OrderedDistanceTCloseness,
    PrivacyModel,
    RecursiveCLDiversity,
)
from pipeline.privacy.base import ClassStats
from pipeline.search.engine import SensitiveColumn, _space, search
from pipeline.validation.metrics.class_statistic import class_ids, class_stats
from tests.search.small_data import encode, frame

MODELS: list[PrivacyModel] = [
    DistinctLDiversity("disease", 2),
    EntropyLDiversity("disease", 1.6),
    RecursiveCLDiversity("disease", 3.0, 2),
    EqualDistanceTCloseness("disease", 0.35),
    OrderedDistanceTCloseness("disease", 0.25),
]
QIS = ["age", "sex", "region"]


def with_nulls(seed: int = 5) -> pd.DataFrame:
    """The small claims table, a fifth of its diagnoses null and every diagnosis of 札幌 null."""
    df = frame(600, seed)
    rng = np.random.default_rng(seed)
    disease = df["disease"].astype(object)
    disease[rng.random(len(df)) < 0.2] = None
    disease[df["region"] == "札幌"] = None
    df["disease"] = disease
    return df


def search_side(df: pd.DataFrame, node: tuple[int, ...]) -> tuple[ClassStats, np.ndarray]:
    """The search's statistics at ``node`` and each row's class there."""
    qis, _ = encode(df)
    sens = [SensitiveColumn.of("disease", df["disease"], numeric=False)]
    space = _space(qis, [q.height for q in qis], sens)
    base, row_class, n_persons = base_snapshot(
        [q.codes for q in qis], [q.hierarchy.n_leaves + 1 for q in qis], df["person"].to_numpy(),
        [s.codes for s in sens], [s.n_values for s in sens])
    space.n_persons = n_persons
    space.references = [s.reference() for s in sens]
    snap = space.roll_up(base, node, track_origin=True)
    assert snap.origin is not None
    return space.stats(snap), snap.origin[row_class]


def released(df: pd.DataFrame, node: tuple[int, ...]) -> pd.DataFrame:
    """The rows as a release at ``node`` shows them: each quasi-identifier as its label at that level."""
    qis, _ = encode(df)
    out = df.copy()
    for q, level in zip(qis, node, strict=True):
        out[q.name] = q.hierarchy.generalise(np.asarray(q.codes), level)
    return out


@pytest.mark.parametrize("node", [(0, 0, 0), (1, 1, 0), (2, 0, 1), (1, 0, 0)])
def test_search_and_gate_give_every_row_the_same_verdict(node: tuple[int, ...]) -> None:
    df = with_nulls()
    search_stats, search_class = search_side(df, node)
    rel = released(df, node)
    gate_stats = class_stats(rel, QIS, "person", "disease")
    gate_class, _ = class_ids(rel, QIS)
    assert search_stats.n_classes == gate_stats.n_classes
    assert search_stats.pairs("disease").reference == pytest.approx(gate_stats.pairs("disease").reference)
    for model in MODELS:
        s_ok, g_ok = model.satisfied(search_stats), model.satisfied(gate_stats)
        assert np.array_equal(s_ok[search_class], g_ok[gate_class]), model
        s_stat, g_stat = model.statistic(search_stats), model.statistic(gate_stats)
        assert np.allclose(s_stat[search_class], g_stat[gate_class], equal_nan=True), model
        assert 0 < g_ok.sum() < len(g_ok), f"{model}: the frame should have passing and failing classes"


def test_a_class_diverse_only_through_its_nulls_fails_on_both_sides() -> None:
    """{one diagnosis, nulls} would be 2-diverse if a null counted; it is not, for the search or the gate.
    A class holding only nulls fails every model."""
    df = with_nulls()
    node = (0, 0, 0)
    rel = released(df, node)
    gate_class, n = class_ids(rel, QIS)
    by_class = rel.groupby(gate_class)["disease"]
    with_null_as_value = by_class.nunique(dropna=False).to_numpy()
    without = by_class.nunique(dropna=True).to_numpy()
    inflated = (with_null_as_value >= 2) & (without < 2)
    only_nulls = without == 0
    assert inflated.any() and only_nulls.any()
    search_stats, search_class = search_side(df, node)
    gate_stats = class_stats(rel, QIS, "person", "disease")
    to_search = np.zeros(n, dtype=np.int64)
    to_search[gate_class] = search_class
    for stats, index in ((gate_stats, np.arange(n)), (search_stats, to_search)):
        assert not DistinctLDiversity("disease", 2).satisfied(stats)[index][inflated].any()
        for model in MODELS:
            assert not model.satisfied(stats)[index][only_nulls].any(), model


def test_a_search_release_passes_the_gate_on_data_with_nulls() -> None:
    df = with_nulls()
    qis, _ = encode(df)
    sens = [SensitiveColumn.of("disease", df["disease"], numeric=False)]
    models = [DistinctLDiversity("disease", 2)]
    result = search(qis, sens, df["person"].to_numpy(), models, 0.3)
    node = tuple(result.levels[q] for q in QIS)
    rel = released(df, node)[result.keep]
    stats = class_stats(rel, QIS, "person", "disease")
    assert stats.n_classes == result.classes
    assert models[0].satisfied(stats).all()
    # the region is kept as the city, so every class of 札幌 (null diagnoses only) is suppressed
    assert node[2] == 0
    assert not result.keep[(df["region"] == "札幌").to_numpy()].any()
