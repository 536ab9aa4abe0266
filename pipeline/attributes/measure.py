"""Measure risk over all released columns of every table of a release, and of each joined view.

Measured columns: every released column except the surrogate keys (linking codes), the sensitive values
(what an attacker wants to learn, not what they know) and scrubbed free text (unique by construction; the
residual-PII gate covers it). That is the table's quasi-identifiers and attributes as released.

Joined view: a table sharing its person key with an earlier table (claims → policyholders) is also measured
with each row carrying its person's measured columns from the earlier table (``<table>.<column>``), as a
recipient can join them through the surrogate key; a person the earlier table does not hold is null there.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pipeline.metrics.attribute_risk import AttributeRisk, attribute_risk
from pipeline.release.candidate import TableResult


def measured_columns(t: TableResult) -> list[str]:
    """The released columns an acquaintance may know: quasi-identifiers and attributes, in release order."""
    wanted = set(t.quasi_identifiers) | set(t.attributes)
    return [c for c in t.data.columns if c in wanted]


def joined_frame(t: TableResult, earlier: Mapping[str, TableResult]) -> tuple[pd.DataFrame, list[str]] | None:
    """``t``'s measured columns plus those of every earlier table sharing its person key (None: none does)."""
    if t.person_key is None:
        return None
    columns = measured_columns(t)
    frame = t.data[[*columns, t.person_key]].reset_index(drop=True)
    linked = False
    for name, other in earlier.items():
        if other.person_key != t.person_key or other.spec.person_key != t.spec.person_key:
            continue
        other_cols = measured_columns(other)
        keys = other.data[other.person_key]
        first = ~keys.duplicated().to_numpy()
        index = pd.Index(keys[first].to_numpy())
        at = index.get_indexer(frame[t.person_key].to_numpy())
        for c in other_cols:
            values = other.data[c][first].to_numpy(dtype=object)
            cells = np.full(len(frame), None, dtype=object)
            cells[at >= 0] = values[at[at >= 0]]
            frame[f"{name}.{c}"] = cells
            columns.append(f"{name}.{c}")
        linked = True
    return (frame, columns) if linked else None


def measure_release(tables: Mapping[str, TableResult], m: int,
                    suda_sample: int | None = None) -> dict[str, AttributeRisk]:
    """View name (table, or ``<table>_joined``) → its risk over all measured columns, in release order
    (``suda_sample``: see :func:`~pipeline.metrics.attribute_risk.attribute_risk`)."""
    out: dict[str, AttributeRisk] = {}
    earlier: dict[str, TableResult] = {}
    for name, t in tables.items():
        person = t.data[t.person_key].to_numpy() if t.person_key else None
        out[name] = attribute_risk(t.data, measured_columns(t), person, m, suda_sample)
        joined = joined_frame(t, earlier)
        if joined is not None:
            frame, columns = joined
            out[f"{name}_joined"] = attribute_risk(frame, columns, frame[t.person_key].to_numpy(), m,
                                                   suda_sample)
        earlier[name] = t
    return out
