"""Analyst priorities in the search: ``weight`` (ARX's attribute weights) and ``max_level`` (a cut lattice),
checked against a brute force over the lattice written from the definitions with pandas."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import PrivacyError
from pipeline.privacy import KAnonymity
from pipeline.search.engine import search
from tests.search.small_data import encode, frame, hierarchies

QI = ["age", "sex", "region"]


def brute_force(df: pd.DataFrame, k: int, limit: float, weights: dict[str, float], caps: dict[str, int]):
    """Least weighted LM (Σ w·LM / Σ w) over every node within the caps, with ARX's suppression rule."""
    hs = hierarchies()
    allowed = math.floor(limit * len(df) + 1e-9)
    best = None
    ranges = [range(min(hs[q].height, caps.get(q, 99) + 1)) for q in QI]
    for node in itertools.product(*ranges):
        gen = pd.DataFrame({q: hs[q].generalise(hs[q].encode(df[q]), lv)
                            for q, lv in zip(QI, node, strict=True)})
        gen["person"] = df["person"].to_numpy()
        persons = gen.groupby(QI)["person"].transform("nunique")
        fail = (persons < k).to_numpy()
        if fail.sum() > allowed:
            continue
        lm = {}
        for q, lv in zip(QI, node, strict=True):
            h = hs[q]
            # leaves under the released value, from the generalised labels themselves
            under = pd.Series(h.generalise(np.arange(h.n_leaves), lv)).value_counts()
            cell = (gen[q].map(under).to_numpy() - 1) / (h.n_leaves - 1)
            lm[q] = float(np.where(fail, 1.0, cell).mean())
        value = sum(weights.get(q, 1.0) * lm[q] for q in QI) / sum(weights.get(q, 1.0) for q in QI)
        if best is None or value < best[0] - 1e-12:
            best = (value, node)
    return best


@pytest.mark.parametrize(("weights", "caps"), [
    ({}, {}),
    ({"region": 5.0}, {}),
    ({"age": 4.0, "sex": 0.5}, {}),
    ({}, {"region": 1}),
    ({"region": 3.0}, {"age": 2, "region": 1}),
    ({"sex": 10.0}, {"sex": 0, "age": 1}),
])
@pytest.mark.parametrize("k", [2, 5])
def test_weighted_capped_optimum_equals_brute_force(weights, caps, k):
    df = frame()
    qis, _ = encode(df)
    qis = [replace(q, weight=weights.get(q.name, 1.0), max_level=caps.get(q.name)) for q in qis]
    want = brute_force(df, k, 0.05, weights, caps)
    res = search(qis, [], df["person"].to_numpy(), [KAnonymity(k)], 0.05)
    assert want is not None
    got = tuple(res.levels[q] for q in QI)
    assert res.loss["value"] == pytest.approx(want[0], abs=1e-9)
    assert all(got[i] <= caps.get(q, 99) for i, q in enumerate(QI))
    if got != want[1]:  # ties: another node of equal weighted loss
        assert res.loss["value"] == pytest.approx(want[0], abs=1e-12)


def test_a_heavy_weight_keeps_that_attribute_finer():
    df = frame()
    qis, _ = encode(df)
    plain = search(qis, [], df["person"].to_numpy(), [KAnonymity(5)], 0.02)
    heavy = search([replace(q, weight=20.0 if q.name == "age" else 1.0) for q in qis], [],
                   df["person"].to_numpy(), [KAnonymity(5)], 0.02)
    assert plain.levels["age"] == 3 and heavy.levels["age"] < 3  # unweighted, age is deleted
    assert heavy.loss["per_attribute"]["age"] < plain.loss["per_attribute"]["age"]
    assert heavy.loss["lm"] == pytest.approx(np.mean(list(heavy.loss["per_attribute"].values())))


def test_an_impossible_cap_names_the_constraint_and_the_persons():
    df = frame()
    qis, _ = encode(df)
    capped = [replace(q, max_level=0) if q.name in ("age", "region") else q for q in qis]
    with pytest.raises(PrivacyError) as exc:
        search(capped, [], df["person"].to_numpy(), [KAnonymity(5)], 0.05)
    msg = str(exc.value)
    assert "the analyst constraint age at most " in msg and "region at most " in msg and "(max_level)" in msg
    gen = df.assign(sex="*")
    persons = gen.groupby(["age", "region"])["person"].nunique()
    assert f"{int(persons[persons < 5].sum()):,} persons could not be placed" in msg
