"""The cached lookups behind the joined view give exactly what the per-row lookups they replace gave:
leaf codes encoded once per prepared column, surrogate-space positions once per column object, and the
earlier table's released quasi-identifiers per person as dense arrays instead of a reindexed Series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.anonymise.linked import linked_release as _linked
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
                      len(KEYS), int((~KEPT).sum()), 1, 1, 1)
    linked = _linked(t, res.levels, KEPT, {"証券番号": space})
    got = linked.leaf_codes("職業", space.codes(LATER), H.n_leaves)
    assert got.tolist() == _reference(t, res, space, LATER).tolist()
    # K2: first kept row's value is 教員 (its first row, suppressed, still counts: the person is present);
    # K5 suppressed, null key and K9 unknown → the null leaf
    assert got.tolist() == [2, H.n_leaves, H.n_leaves, H.n_leaves, 1, 0, 2]
    assert linked.hierarchies["職業"] == (H, 1)


def test_given_columns_get_their_codes_from_the_space_itself() -> None:
    space = SurrogateSpace([KEYS, LATER])
    for column in (KEYS, LATER):
        fresh = space.codes(column.copy())  # looked up in the index, as any other column
        assert space.codes(column).tolist() == fresh.tolist()
        assert not space.codes(column).flags.writeable


def _merge_rare_by_frame(values: pd.Series, person: np.ndarray, k: int, policy: str, label: str):
    """The reference: distinct (value, person) pairs as a frame of strings (merge_rare before integers)."""
    present = values.notna().to_numpy()
    if not present.any():
        return values, 0
    df = pd.DataFrame({"v": values.to_numpy()[present], "p": person[present]})
    persons = df.drop_duplicates().groupby("v", sort=False)["p"].size()
    rare = persons.index[persons < k]
    if len(rare) == 0:
        return values, 0
    is_rare = values.isin(rare).to_numpy() & present
    out = values.astype(object).copy()
    if policy == "merge":
        out[is_rare] = label
        if len(pd.unique(person[is_rare | (out.to_numpy() == label)])) < k:
            out[out.to_numpy() == label] = None
    else:
        out[is_rare] = None
    return out, int(is_rare.sum())


@pytest.mark.parametrize("policy", ["merge", "suppress"])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "string"])
def test_merge_rare_by_integer_pairs_same_as_by_frame(policy: str, k: int, dtype: object) -> None:
    from pipeline.identifiers.rare import merge_rare

    rng = np.random.default_rng(k)
    # one person holding a value on many rows still counts once; nulls; a value equal to the label
    pool = np.array(["A01", "A02", "A03", "その他", "Ｂ７", "B7", "C", None], dtype=object)
    values = pd.Series(pool[rng.integers(0, len(pool), 300)], dtype=dtype).reset_index(drop=True)
    person = rng.integers(0, 40, 300).astype(np.int64)
    values.iloc[:50] = "A03"
    person[:50] = 7  # A03: many rows, few persons
    got, n = merge_rare(values, person, k, policy, "その他")
    want, m = _merge_rare_by_frame(values, person, k, policy, "その他")
    assert n == m
    assert pd.Series(got, dtype=object).where(pd.notna(got), None).tolist() == pd.Series(
        want, dtype=object).where(pd.notna(want), None).tolist()


def _fixed_by_rows(name: str, h: Hierarchy, codes: np.ndarray, level: int):
    labels = pd.Series(h.generalise(codes, level), dtype=object)
    labels = labels.where(labels != str(h.labels[-1][0]), None)
    uniq = sorted(set(labels.dropna())) or ["-"]
    fixed = Hierarchy.from_rows(name, [[u] for u in uniq], None, source=f"{h.source} fixed at level {level}")
    return fixed.encode(labels), fixed


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_relabelling_per_value_same_as_per_row(level: int) -> None:
    from pipeline.anonymise.linked import at_least as _at_least
    from pipeline.anonymise.linked import fixed as _fixed
    from pipeline.hierarchies.base import truncate

    h = Hierarchy.from_rows("年齢", [[f"{a}歳", f"{a // 5 * 5}-{a // 5 * 5 + 4}歳", f"{a // 10 * 10}代", "*"]
                                     for a in range(20, 60)])
    codes = np.random.default_rng(level).integers(0, h.n_leaves + 1, 500).astype(np.int32)  # with nulls
    codes[:3] = [0, h.n_leaves, h.n_leaves - 1]
    q = _fixed("x", h, codes, level)
    want, fixed = _fixed_by_rows("x", h, codes, level)
    assert q.codes.tolist() == want.tolist() and q.hierarchy.labels[0].tolist() == fixed.labels[0].tolist()
    if level > 0:
        t = truncate(h, level)
        labels = pd.Series(h.generalise(codes, level), dtype=object)
        labels = labels.where(labels != str(h.labels[-1][0]), None)
        assert _at_least("x", h, codes, level).codes.tolist() == t.encode(labels).tolist()
    assert _fixed("x", h, codes[:0], level).codes.tolist() == []
