"""Utility in the users' terms: how fine each quasi-identifier is released, and how well standard research
questions are answered by the release compared with the input.

Why labels, not the search's levels: under local recoding (``privacy.recoding: local``) rows of one column
carry different levels, so the level of each released value is read from the hierarchy itself (the lowest
level holding that label: ``90歳以上`` is as fine as a single age). Everything here is per distinct value
and vectorised; only counts and generalised labels leave this module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.hierarchies.base import Hierarchy


def label_levels(h: Hierarchy) -> dict[str, int]:
    """Released label → the lowest level of ``h`` holding it."""
    root = str(h.labels[-1][0])
    out: dict[str, int] = {}
    for level in range(h.height - 1, -1, -1):
        for label in h.labels[level]:
            if str(label) != root or level == h.height - 1:  # lower levels carry the root for nulls only
                out[str(label)] = level
    return out


def level_shares(values: pd.Series, h: Hierarchy, rows_in: int) -> list[dict]:
    """Per level of ``h``: released rows whose value is at that level, and their share of the input rows
    (suppressed rows are counted by the caller: the shares sum to the kept share)."""
    codes, uniq = pd.factorize(values, use_na_sentinel=True)  # Arrow strings stay Arrow: no object per row
    levels_of = label_levels(h)
    per_value = np.array([levels_of.get(str(u), h.height - 1) for u in uniq], dtype=np.int64)
    counts = np.bincount(per_value[codes[codes >= 0]], minlength=h.height)
    counts[h.height - 1] += int((codes < 0).sum())  # a null says nothing: as the root
    return [{"level": lv, "granularity": h.level_descriptions[lv], "rows": int(counts[lv]),
             "share": float(counts[lv] / rows_in) if rows_in else 0.0} for lv in range(h.height)]


def share_at_most(shares: list[dict], level: int) -> float:
    """Share of the input rows released at ``level`` or finer."""
    return float(sum(s["share"] for s in shares if s["level"] <= level))


def up_to(values: pd.Series, h: Hierarchy, level: int) -> pd.Series:
    """Each released value as its ancestor at ``level``; null where the value is coarser (not placeable)."""
    codes, uniq = pd.factorize(values, use_na_sentinel=True)  # Arrow strings stay Arrow: no object per row
    levels_of = label_levels(h)
    ancestor = {}
    for lv in range(level + 1):
        firsts = np.unique(h.maps[lv][: h.n_leaves], return_index=True)
        for code, leaf in zip(*firsts, strict=True):
            label = str(h.labels[lv][code])
            if levels_of.get(label) == lv and label not in ancestor:
                ancestor[label] = h.labels[level][h.maps[level][leaf]]
    mapped = np.array([ancestor.get(str(u)) for u in uniq] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index)


def leaves_up_to(leaf_codes: np.ndarray, h: Hierarchy, level: int) -> pd.Series:
    """Input values (leaf codes) at ``level``; the null leaf (the root) as null."""
    # a copy: a Series on an object array shares its memory, and nulling the root in place changed the
    # hierarchy itself (a release's manifest then listed the string "None" among a column's value sets)
    labels = pd.Series(h.labels[level], dtype=object, copy=True)
    labels[labels == str(h.labels[-1][0])] = None
    return pd.Series(labels.to_numpy()[h.maps[level][leaf_codes]])


def rate_by(groups: pd.DataFrame, flag: np.ndarray, persons: np.ndarray | None = None) -> pd.DataFrame:
    """Persons and the share with ``flag`` per group (rows with a null group are left out). Each row is a
    person, or with ``persons`` a unit of that many persons of whom ``flag`` have the property."""
    weight = np.ones(len(groups), dtype=np.int64) if persons is None else np.asarray(persons, np.int64)
    frame = groups.assign(_persons=weight, _flag=np.asarray(flag).astype(np.int64)).dropna()
    out = frame.groupby(list(groups.columns), observed=True, sort=True)[["_persons", "_flag"]].sum()
    out = out[out["_persons"] > 0]
    return pd.DataFrame({"persons": out["_persons"], "rate": out["_flag"] / out["_persons"]})


def mix_by(groups: pd.DataFrame, column: pd.Series, persons: np.ndarray | None = None) -> pd.DataFrame:
    """Share of each value of ``column`` within each group: persons and share per (group…, value). Each row
    is a person, or with ``persons`` a unit of that many."""
    weight = np.ones(len(groups), dtype=np.int64) if persons is None else np.asarray(persons, np.int64)
    frame = groups.assign(_value=column.to_numpy(), _persons=weight).dropna()
    keys = [*groups.columns, "_value"]
    counts = frame.groupby(keys, observed=True, sort=True)["_persons"].sum()
    counts = counts[counts > 0]
    totals = counts.groupby(level=list(range(len(groups.columns))), observed=True).transform("sum")
    return pd.DataFrame({"persons": counts, "rate": counts / totals})


def compare(before: pd.DataFrame, after: pd.DataFrame, min_persons: int = 10) -> dict:
    """Relative error of the release's answers against the input's, per group of the input.

    ``mean_relative_error`` weighs each group by its input persons; ``max_relative_error`` is over the
    groups of at least ``min_persons`` input persons (a tiny group's rate is noise either way); a group
    the release lacks counts as relative error 1 (its answer is lost)."""
    joined = before.join(after, how="left", lsuffix="_in", rsuffix="_out")
    x = joined["rate_in"].to_numpy(dtype=np.float64)
    y = joined["rate_out"].to_numpy(dtype=np.float64)
    missing = np.isnan(y)
    err = np.where(missing, 1.0, np.abs(y - x) / np.where(x > 0, x, np.nan))
    err = np.where((x == 0) & ~missing, np.where(y == 0, 0.0, 1.0), err)
    w = joined["persons_in"].to_numpy(dtype=np.float64)
    big = w >= min_persons
    return {
        "groups": len(joined),
        "groups_missing": int(missing.sum()),
        "mean_relative_error": float(np.average(err, weights=w)) if w.sum() else 0.0,
        "max_relative_error": float(err[big].max()) if big.any() else None,
        "worst": _worst(joined, err, big),
    }


def _worst(joined: pd.DataFrame, err: np.ndarray, big: np.ndarray, n: int = 5) -> list[dict]:
    """The ``n`` groups (of at least ``min_persons``) with the largest error: labels, rates, persons."""
    order = [i for i in np.argsort(-err, kind="stable") if big[i]][:n]
    out = []
    for i in order:
        key = joined.index[i]
        label = " × ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)
        out_rate = float(joined["rate_out"].iloc[i])
        out.append({"group": label, "input": float(joined["rate_in"].iloc[i]),
                    "release": None if np.isnan(out_rate) else out_rate,
                    "persons_in": int(joined["persons_in"].iloc[i]), "relative_error": float(err[i])})
    return out
