"""The cached lookups behind the joined view give exactly what the per-row lookups they replace gave:
leaf codes encoded once per prepared column, surrogate-space positions once per column object, and the
earlier table's released quasi-identifiers per person as dense arrays instead of a reindexed Series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.anonymise import _linked
from pipeline.config.model import ColumnSpec, HierarchySpec, TableSpec
from pipeline.hierarchies.base import Hierarchy
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.prepare import PreparedTable
from pipeline.release.candidate import TableResult

H = Hierarchy.from_rows("職業", [["医師", "医療", "*"], ["看護師", "医療", "*"], ["教員", "教育", "*"]])
SPEC = TableSpec("policyholders", None, person_key="証券番号", columns=(
    ColumnSpec("証券番号", "linking_code", output="契約キー"),
    ColumnSpec("職業", "quasi_identifier", hierarchy=HierarchySpec(kind="flat")),
))
# messy on purpose: a person on two rows with different values (the first row counts), a null leaf,
# full-width and half-width spellings of one key, a person whose every row is suppressed
KEYS = pd.Series(["K1", "K2", "K2", "K3", "Ｋ4", "K5", "K4"], dtype="string[pyarrow]", name="証券番号")
JOBS = pd.Series(["医師", "教員", "医師", None, "看護師", "教員", "医師"], dtype=object, name="職業")
KEPT = np.array([True, False, True, True, True, False, True])
LATER = pd.Series(["K2", "K5", None, "K9", "Ｋ4", "K1", "K2"], dtype="string[pyarrow]", name="証券番号")


def prepared_table() -> PreparedTable:
    return PreparedTable(SPEC, Path("ph.csv"), "", len(KEYS), {"証券番号": KEYS, "職業": JOBS},
                         {"職業": (JOBS, H)}, pd.factorize(KEYS)[0].astype(np.int64))


def test_leaf_codes_are_the_encoding_computed_once_and_read_only() -> None:
    t = prepared_table()
    codes = t.leaf_codes("職業")
    assert codes.tolist() == H.encode(JOBS).tolist()
    assert t.leaf_codes("職業") is codes
    with pytest.raises(ValueError):
        codes[0] = 1


def test_surrogate_codes_match_a_fresh_lookup_and_are_cached_per_column() -> None:
    space = SurrogateSpace([KEYS, LATER])
    codes = space.codes(LATER)
    assert codes[2] == -1 and (codes[[0, 1, 3, 4, 5, 6]] >= 0).all()
    assert space.codes(LATER) is codes
    same_values = LATER.copy()  # equal values, another object: looked up again, same answer
    assert space.codes(same_values) is not codes and space.codes(same_values).tolist() == codes.tolist()
    replaced = space.replace(LATER)
    assert replaced[2] is None and replaced[0] == replaced[6] and replaced[0] != replaced[5]
    space.discard()
    assert space.size == 0 and space.codes(LATER).tolist() == [-1] * len(LATER)


def _reference(t: PreparedTable, res: TableResult, space: SurrogateSpace, later: pd.Series) -> np.ndarray:
    """The replaced per-row path: released persons by surrogate, first row per key, reindex by key."""
    keys = t.values["証券番号"].astype("string").astype(object)
    sur = space.replace(t.values["証券番号"])
    kept = pd.Index(res.data["契約キー"].astype(object))
    present = sur.isin(kept).to_numpy()
    c = pd.Series(H.encode(JOBS)[present], index=keys[present].to_numpy())
    c = c[~c.index.duplicated()]
    codes = c.reindex(later.astype("string").astype(object)).to_numpy()
    return np.where(pd.isna(codes), H.n_leaves, codes).astype(np.int32)


def test_linked_codes_equal_the_per_row_reindex() -> None:
    t = prepared_table()
    space = SurrogateSpace([KEYS, LATER])
    data = pd.DataFrame({"契約キー": space.replace(KEYS)[KEPT].sample(frac=1, random_state=1).to_numpy()})
    res = TableResult("policyholders", SPEC, data, ("職業",), (), (), "契約キー", {"職業": 1}, {"職業": H},
                      len(KEYS), int((~KEPT).sum()), 1, 1, 1, kept=KEPT)
    linked = _linked(t, res, {"証券番号": space})
    got = linked.leaf_codes("職業", space.codes(LATER), H.n_leaves)
    assert got.tolist() == _reference(t, res, space, LATER).tolist()
    # K2: first kept row's value is 教員 (its first row, suppressed, still counts: the person is present);
    # K5 suppressed, null key and K9 unknown → the null leaf
    assert got.tolist() == [2, H.n_leaves, H.n_leaves, H.n_leaves, 1, 0, 2]
    assert linked.hierarchies["職業"] == (H, 1)
