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
    df = pd.DataFrame({"v": values.to_numpy()[present], "p": person[present]})
    persons = df.drop_duplicates().groupby("v", sort=False)["p"].size()
    rare = persons.index[persons < k]
    if len(rare) == 0:
        return values, 0
    is_rare = values.isin(rare).to_numpy() & present
    out = values.astype(object).copy()
    if policy == "merge":
        out[is_rare] = label
        merged_persons = len(pd.unique(person[is_rare | (out.to_numpy() == label)]))
        if merged_persons < k:
            out[out.to_numpy() == label] = None
    else:
        out[is_rare] = None
    return out, int(is_rare.sum())


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
