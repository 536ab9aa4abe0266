"""Aggregate figures for the report, computed so that no personal value can reach it.

The ``before`` frame holds level-0 values (exact ages, municipalities …). The report shows them only as
counts per **released label**: each before value is generalised with the column's hierarchy at the level
the release uses, and any label that does not occur in the released column (a value suppressed or merged
as 特異な記述) is folded into :data:`OTHER`. So every label in the report is one the release already
publishes, and the before side differs from the after side only in counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.hierarchies.base import Hierarchy
from pipeline.release.candidate import TableResult

OTHER = "(その他・削除 / other or suppressed)"
MISSING = "(欠損 / missing)"
#: Upper edges of the class-size buckets used once sizes exceed :data:`_EXACT_UP_TO`.
_EDGES = (1, 2, 3, 4, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000)
_EXACT_UP_TO = 20


def class_sizes(data: pd.DataFrame, quasi_identifiers: tuple[str, ...], person_key: str | None) -> pd.Series:
    """Persons per equivalence class of the released data (nulls form their own class, as in the search):
    the gate's count (:func:`~pipeline.validation.metrics.class_statistic.persons_per_class`), whose person
    codes are hashed a part of the rows at a time and kept for the gate's rules. Pandas' ``nunique`` per
    group hashed ten million linking codes at once: +1,612 MiB over its start at 10M policyholders, the
    report's peak (issue 17)."""
    from pipeline.validation.metrics.class_statistic import persons_per_class

    return pd.Series(persons_per_class(data, quasi_identifiers, person_key), dtype="float64").astype("int64")


def size_distribution(sizes: pd.Series) -> pd.DataFrame:
    """Classes and persons per class-size bucket: exact sizes when all are small, else widening buckets."""
    if sizes.empty:
        return pd.DataFrame({"bucket": [], "classes": [], "persons": []})
    top = int(sizes.max())
    if top <= _EXACT_UP_TO:
        bucket = sizes.astype(str)
        order = [str(s) for s in range(int(sizes.min()), top + 1)]
    else:
        edges = [e for e in _EDGES if e < top] + [top]
        lows = [1, *[e + 1 for e in edges[:-1]]]
        names = [str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in zip(lows, edges, strict=True)]
        idx = np.searchsorted(np.asarray(edges), sizes.to_numpy(), side="left")
        bucket = pd.Series(np.asarray(names, dtype=object)[idx], index=sizes.index)
        order = [n for n in names if n in set(bucket)]
    frame = pd.DataFrame({"bucket": bucket, "size": sizes})
    out = frame.groupby("bucket", sort=False).agg(classes=("size", "size"), persons=("size", "sum"))
    return out.reindex([o for o in order if o in out.index]).fillna(0).astype("int64").reset_index()


def before_column(table: TableResult, output: str) -> pd.Series | None:
    """The before values of a released column, whether the frame uses output or input names."""
    before = table.before
    if before is None:
        return None
    if output in before.columns:
        return before[output]
    for col in table.spec.columns:
        if col.output_name == output and col.name in before.columns:
            return before[col.name]
    return None


def released_counts(table: TableResult, column: str) -> pd.Series:
    """Rows per released label (nulls counted as :data:`MISSING`). Counted on the column as it is, then the
    few distinct values turned into labels: no label string is made per row (10M rows: a Python string
    each, and hashing them, for a dozen labels)."""
    counts = table.data[column].value_counts(dropna=False)
    counts = counts[counts > 0]  # a categorical lists its unused categories too
    labels = [MISSING if pd.isna(v) else str(v) for v in counts.index]
    return counts.groupby(np.asarray(labels, dtype=object), sort=False).sum().astype("int64")


def before_after_counts(table: TableResult, column: str, top: int = 12) -> pd.DataFrame | None:
    """Rows per released label before and after anonymisation, ``top`` labels by size plus OTHER.

    ``None`` when there is no before data or hierarchy for the column (nothing safe to compare)."""
    hierarchy = table.hierarchies.get(column)
    before = before_column(table, column)
    if hierarchy is None or before is None:
        return None
    level = table.levels.get(column, 0)
    after = released_counts(table, column)
    allowed = set(after.index)
    generalised = _to_level(hierarchy, before, level, keep_nulls=MISSING in allowed)
    generalised = generalised.where(generalised.isin(allowed), OTHER)
    counts = pd.DataFrame({"before": generalised.value_counts(), "after": after}).fillna(0)
    counts = counts.astype("int64")
    order = _label_order(hierarchy.labels[level], counts.index)
    counts = counts.reindex(order)
    if len(counts) > top + 1:
        keep = counts.drop(index=OTHER, errors="ignore").nlargest(top, "after").index
        rest = counts.drop(index=keep).sum()
        counts = counts.loc[[i for i in counts.index if i in set(keep)]]
        counts.loc[OTHER] = rest
    return counts.rename_axis("label").reset_index()


def _to_level(hierarchy: Hierarchy, values: pd.Series, level: int, keep_nulls: bool) -> pd.Series:
    """Labels at ``level``, mapped over distinct values: leaves are generalised; a value that is not a leaf
    is taken as already generalised (sensitive columns arrive at their fixed level, rare values merged).
    Nulls go where the release put them: :data:`MISSING` if it kept nulls, else the hierarchy's root."""
    codes, uniques = pd.factorize(values)  # nulls: -1; the rows map back through the codes, no string per row
    distinct = np.asarray(pd.Series(uniques, dtype=object).astype(str), dtype=object)
    leaves = pd.Index(hierarchy.labels[0][: hierarchy.n_leaves]).astype(str)
    pos = leaves.get_indexer(distinct)
    mapped = np.where(pos >= 0, hierarchy.labels[level][hierarchy.maps[level][np.maximum(pos, 0)]], distinct)
    root = hierarchy.labels[level][hierarchy.maps[level][hierarchy.n_leaves]]
    null_label = MISSING if keep_nulls else str(root)
    lookup = np.append(mapped.astype(object), null_label)  # code -1 → the appended null label
    return pd.Series(lookup[codes], index=values.index, name=values.name).astype(str)


def _label_order(hierarchy_labels: np.ndarray, present: pd.Index) -> list[str]:
    """Hierarchy order (bands stay in age order), then MISSING and OTHER last."""
    seen = [str(v) for v in pd.unique(pd.Series(hierarchy_labels, dtype=object).astype(str))]
    ordered = [v for v in seen if v in present]
    extra = [v for v in present if v not in set(ordered) and v not in (MISSING, OTHER)]
    tail = [v for v in (MISSING, OTHER) if v in present]
    return ordered + extra + tail


def risk_rows(risk: Mapping[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """``(measure, before, after)`` for every measure either side reports, in a stable order."""
    if not risk:
        return []
    before = risk.get("before") or {}
    after = risk.get("after") or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, before.get(k), after.get(k)) for k in keys]
