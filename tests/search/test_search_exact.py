"""The search returns the true optimum: compared with a brute force over every lattice node, written
independently with pandas group-bys on the generalised labels (no code shared with the engine)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from pipeline import histogram
from pipeline.errors import PrivacyError
from pipeline.privacy import (
    DistinctLDiversity,
    EntropyLDiversity,
    EqualDistanceTCloseness,
    KAnonymity,
    OrderedDistanceTCloseness,
    RecursiveCLDiversity,
)
from pipeline.search import evaluator
from pipeline.search.engine import search
from tests.search.small_data import encode, frame

QI = ["age", "sex", "region"]


@pytest.fixture(scope="module")
def small():
    df = frame()
    qis, sens = encode(df)
    return df, qis, sens


def class_passes(model, g: pd.DataFrame, df: pd.DataFrame) -> bool:
    """One class's verdict, straight from the definitions."""
    if isinstance(model, KAnonymity):
        return g["person"].nunique() >= model.k
    values = g[model.column].value_counts()
    if isinstance(model, DistinctLDiversity):
        return len(values) >= model.l
    if isinstance(model, EntropyLDiversity):
        p = values / values.sum()
        return -(p * np.log(p)).sum() >= math.log(model.l) - 1e-12
    if isinstance(model, RecursiveCLDiversity):
        r = sorted(values.tolist(), reverse=True)
        return r[0] < model.c * sum(r[int(model.l) - 1:])
    q = df[model.column].value_counts(normalize=True).sort_index()
    p = (values / values.sum()).reindex(q.index, fill_value=0.0)
    if isinstance(model, EqualDistanceTCloseness):
        return 0.5 * (p - q).abs().sum() <= model.t + 1e-12
    assert isinstance(model, OrderedDistanceTCloseness)
    full = pd.Index(range(5))
    p, q = p.reindex(full, fill_value=0.0), q.reindex(full, fill_value=0.0)
    return (p - q).cumsum().abs().sum() / 4 <= model.t + 1e-12


def brute_force(df, qis, models, limit, metric="loss"):
    """(best value, set of optimal nodes) over every node; None if no node is valid."""
    n = len(df)
    allowed = math.floor(limit * n + 1e-9)
    best, best_nodes = math.inf, []
    for node in itertools.product(*[range(q.hierarchy.height) for q in qis]):
        gen = df.copy()
        for q, lv in zip(qis, node, strict=True):
            gen[q.name] = q.hierarchy.generalise(q.codes, lv)
        fail_rows = 0
        kept_sizes = []
        bad = np.zeros(n, dtype=bool)
        for _, g in gen.groupby(QI):
            if all(class_passes(m, g, df) for m in models):
                kept_sizes.append(len(g))
            else:
                fail_rows += len(g)
                bad[g.index] = True
        if fail_rows > allowed:
            continue
        if metric in ("loss", "precision"):
            total = 0.0
            for q, lv in zip(qis, node, strict=True):
                h = q.hierarchy
                if metric == "loss":
                    under = pd.Series(h.leaf_counts[lv])[h.maps[lv][q.codes]].to_numpy()
                    cell = (under - 1) / (h.n_leaves - 1)
                else:
                    cell = np.full(n, lv / (h.height - 1))
                total += cell[~bad].sum() + fail_rows
            value = total / (n * len(qis))
        elif metric == "discernibility":
            value = sum(s * s for s in kept_sizes) + fail_rows * n
        else:  # aecs
            value = sum(kept_sizes) / len(kept_sizes) if kept_sizes else n
        if value < best - 1e-12:
            best, best_nodes = value, [node]
        elif abs(value - best) <= 1e-12:
            best_nodes.append(node)
    return (best, best_nodes) if best_nodes else None


CASES = [
    ([KAnonymity(3)], True),
    ([KAnonymity(4)], False),
    ([KAnonymity(2), DistinctLDiversity("disease", 3)], True),
    ([EntropyLDiversity("disease", 2.2)], False),
    ([KAnonymity(2), RecursiveCLDiversity("disease", 2.0, 2)], True),
    ([EqualDistanceTCloseness("disease", 0.25)], False),
    ([OrderedDistanceTCloseness("amount", 0.12)], False),
]


@pytest.mark.parametrize("limit", [0.0, 0.04, 0.15])
@pytest.mark.parametrize(("models", "per_person"), CASES, ids=[" + ".join(map(str, m)) for m, _ in CASES])
def test_optimum_equals_brute_force(small, models, per_person, limit) -> None:
    """The search's optimum is the brute force's, with each way of rolling snapshots up. The small table has
    too few classes for pivot snapshots; "pivots" forces them on (threshold 0): rolling up through a pivot
    gives the same classes as rolling up from the base; "sorted": no dense grouping table at all (what the
    cap on their size does to the largest roll-ups); "evicting": a snapshot cache of one byte, every
    snapshot but the base evicted as soon as it is added (what a base larger than the budget did to every
    snapshot before the budget left the base out), pivots on. The brute force runs once for the four (it is
    most of the time: a pandas group-by per lattice node)."""
    df, qis, sens = small
    person = df["person"].to_numpy() if per_person else None
    data = df if per_person else df.assign(person=np.arange(len(df)))
    expected = brute_force(data, qis, models, limit)
    for pivots in ("no-pivots", "pivots", "sorted", "evicting"):
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setattr(evaluator, "_PIVOT_MIN", 0 if pivots in ("pivots", "evicting") else 10**12)
            if pivots == "evicting":
                monkeypatch.setattr(evaluator, "_CACHE_BYTES", 1)
            if pivots == "sorted":
                monkeypatch.setattr(histogram, "DENSE_MAX", 0)
            if expected is None:
                with pytest.raises(PrivacyError, match="no generalisation meets"):
                    search(qis, sens, person, models, limit)
                continue
            result = search(qis, sens, person, models, limit)
            assert result.exact, pivots
            assert result.loss["lm"] == pytest.approx(expected[0], abs=1e-12), pivots
            assert tuple(result.levels[q] for q in QI) in expected[1], pivots
            assert result.suppressed_rows <= math.floor(limit * len(df) + 1e-9), pivots


@pytest.mark.parametrize("metric", ["precision", "discernibility", "aecs"])
@pytest.mark.parametrize("limit", [0.0, 0.1])
def test_other_metrics_equal_brute_force(small, metric, limit) -> None:
    df, qis, sens = small
    models = [KAnonymity(3)]
    expected = brute_force(df, qis, models, limit, metric)
    result = search(qis, sens, df["person"].to_numpy(), models, limit, metric=metric)
    assert result.loss["value"] == pytest.approx(expected[0], rel=1e-12)
    assert tuple(result.levels[q] for q in QI) in expected[1]


def test_heuristic_above_the_exact_limit_is_valid_but_not_claimed_exact(small) -> None:
    df, qis, sens = small
    models = [KAnonymity(3), DistinctLDiversity("disease", 2)]
    exact = search(qis, sens, df["person"].to_numpy(), models, 0.05)
    approx = search(qis, sens, df["person"].to_numpy(), models, 0.05, max_exact_lattice=10)
    assert exact.exact and not approx.exact
    assert exact.fallback is None and "max_exact_lattice" in approx.fallback
    assert approx.lattice_size == exact.lattice_size == 24
    assert approx.loss["lm"] >= exact.loss["lm"] - 1e-12
    assert approx.min_class_size >= 3 and approx.suppressed_rows <= 20


@pytest.mark.parametrize("limit", [0.0, 0.05])
@pytest.mark.parametrize("budget", [1, 2, 4])
def test_node_budget_stops_the_exact_search_with_a_valid_result_not_claimed_exact(small, budget, limit):
    df, qis, sens = small
    models = [KAnonymity(3), DistinctLDiversity("disease", 2)]
    person = df["person"].to_numpy()
    exact = search(qis, sens, person, models, limit)
    assert exact.exact and exact.nodes_evaluated > budget  # the budget does bite
    cut = search(qis, sens, person, models, limit, max_search_nodes=budget)
    assert not cut.exact and "max_search_nodes" in cut.fallback
    assert cut.loss["lm"] >= exact.loss["lm"] - 1e-12
    assert cut.suppressed_rows <= math.floor(limit * len(df) + 1e-9)
    # the chosen transformation satisfies the models, checked from the definitions
    kept = df[cut.keep]
    for _, g in kept.groupby(cut.class_id[cut.keep]):
        assert all(class_passes(m, g, df) for m in models)


def test_a_generous_node_budget_changes_nothing(small) -> None:
    df, qis, sens = small
    models = [KAnonymity(3), DistinctLDiversity("disease", 2)]
    exact = search(qis, sens, df["person"].to_numpy(), models, 0.05)
    again = search(qis, sens, df["person"].to_numpy(), models, 0.05, max_search_nodes=exact.nodes_evaluated)
    assert again.exact and again.levels == exact.levels


def test_fixed_columns_join_the_classes_but_stay_at_level_zero(small) -> None:
    _df, qis, sens = small
    with_fixed = search(qis[:2], sens, None, [KAnonymity(3)], 0.0, fixed=[qis[2]])
    assert set(with_fixed.levels) == {"age", "sex"}
    labels = pd.DataFrame({q.name: q.hierarchy.generalise(q.codes, with_fixed.levels.get(q.name, 0))
                           for q in qis})[with_fixed.keep]
    assert labels.groupby(QI).size().min() >= 3
    without = search(qis[:2], sens, None, [KAnonymity(3)], 0.0)
    assert with_fixed.loss["lm"] >= without.loss["lm"]


def test_the_snapshot_cache_stays_within_its_byte_budget_and_keeps_the_base(small, monkeypatch) -> None:
    """Every snapshot the search adds is counted in bytes; over the budget the largest are evicted down to
    half of it, never the base, which is not counted (a base larger than the budget no longer empties the
    cache at every roll-up)."""
    df, qis, sens = small
    seen: list[tuple[int, int, bool]] = []
    add = evaluator.Evaluator._add

    def counted(self: evaluator.Evaluator, snap: histogram.Snapshot) -> None:
        add(self, snap)
        seen.append((self._cached_bytes, len(self._cache), self.base.levels in self._cache))

    budget = 4 * evaluator.snapshot_bytes(
        histogram.Snapshot((0, 0, 0), [np.zeros(60, np.int64)] * 3, np.zeros(60, np.int64),
                           np.zeros(60, np.int64), None, []))
    monkeypatch.setattr(evaluator, "_CACHE_BYTES", budget)
    monkeypatch.setattr(evaluator.Evaluator, "_add", counted)
    result = search(qis, sens, df["person"].to_numpy(), [KAnonymity(3)], 0.04)
    monkeypatch.undo()
    assert result.levels == search(qis, sens, df["person"].to_numpy(), [KAnonymity(3)], 0.04).levels
    assert len(seen) > 5 and all(bytes_ <= budget for bytes_, _, _ in seen)
    assert all(base for _, _, base in seen)
    assert any(n > 2 for _, n, _ in seen)  # the budget holds several snapshots: the cache is used
