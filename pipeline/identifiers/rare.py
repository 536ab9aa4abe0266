"""特異な記述 (APPI.md §1 rule 4) in kept columns: rare categories and extreme numbers.

Categorical values held by fewer than ``k`` distinct persons are merged into one label (``rare: merge``,
default ``その他``) or nulled (``rare: suppress``); if the merged label itself is still rarer than k, it is
nulled too. Numbers are top/bottom coded: clipped to the configured codes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def merge_rare(
    values: pd.Series, person: np.ndarray, k: int, policy: str, label: str
) -> tuple[pd.Series, int]:
    """Return the column with rare values merged or nulled, and how many cells changed."""
    present = values.notna().to_numpy()
    if not present.any():
        return values, 0
    codes, persons = _persons_per_value(values, person)
    rare = np.flatnonzero(persons < k)
    if len(rare) == 0:
        return values, 0
    is_rare = np.isin(codes, rare)  # codes of nulls are -1: never rare
    out = values.astype(object).copy()
    if policy == "merge":
        out[is_rare] = label
        merged_persons = len(pd.unique(person[is_rare | (out.to_numpy() == label)]))
        if merged_persons < k:
            out[out.to_numpy() == label] = None
    else:
        out[is_rare] = None
    return out, int(is_rare.sum())


def _persons_per_value(values: pd.Series, person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's value code (-1 for null; codes in first-seen order) and the distinct persons per code.

    Why integers: counting distinct (value, person) pairs of a million rows as a frame of strings is the
    slow part of rare-value handling; as one int64 key per pair it is a sort.
    """
    codes, uniques = pd.factorize(values)
    present = codes >= 0
    n_persons = int(person.max()) + 1 if len(person) else 1
    pairs = np.unique(codes[present].astype(np.int64) * n_persons + person[present])
    return codes, np.bincount(pairs // n_persons, minlength=len(uniques))


def top_bottom_code(values: pd.Series, top: float | None, bottom: float | None) -> tuple[pd.Series, int]:
    """Clip numbers to [bottom, top]; return the column and how many cells were coded."""
    v = values.astype("Float64")
    changed = pd.Series(False, index=values.index)
    if top is not None:
        changed |= (v > top).fillna(False)
        v = v.where(~(v > top).fillna(False), top)
    if bottom is not None:
        changed |= (v < bottom).fillna(False)
        v = v.where(~(v < bottom).fillna(False), bottom)
    return v.round().astype("Int64"), int(changed.sum())
