"""Column helpers shared by the search of one table and the assembly of its release: a kept column's values
at its fixed level and the table's privacy models with output names (sensitive values are coded by
``pipeline.privacy.base.code_values``, which the gate shares)."""

from __future__ import annotations

import pandas as pd

from pipeline.config.model import ColumnSpec, ModelSpec, TableSpec
from pipeline.prepare import PreparedTable


def fixed_level(col: ColumnSpec, prepared: PreparedTable) -> pd.Series:
    """A kept column's released values before rare-value handling: generalised to its fixed level if any."""
    values = prepared.values[col.name]
    if col.name in prepared.leaves:
        h = prepared.leaves[col.name][1]
        level = min(col.level, h.height - 1)
        codes = prepared.leaf_codes(col.name)
        return pd.Series(h.generalise(codes, level), index=values.index, name=col.output_name)
    if col.type == "date":
        return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)
    return values


def input_of(spec: TableSpec, output_name: str) -> str:
    """The input column name of an output column."""
    return next(c.name for c in spec.columns if c.output_name == output_name)


def model_dict(m: ModelSpec) -> dict:
    """A model as the manifest lists it (its set parameters only)."""
    keys = ("name", "column", "k", "l", "c", "t")
    return {key: getattr(m, key) for key in keys if getattr(m, key) is not None}
