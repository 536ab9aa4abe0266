"""Distinct persons behind each distinct value of one column (特異な記述, APPI.md §1 rule 4)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider

from pipeline.validation.metrics.keys import person_codes


def persons_per_value(df: pd.DataFrame, column: str, person_key: str | None) -> np.ndarray:
    """Persons (``person_key`` distinct non-null values; rows when ``None``) per non-null value, as an
    array (one entry per value some row holds; order is not part of the result's meaning)."""
    if isinstance(df[column].dtype, pd.CategoricalDtype):
        return _persons_per_category(df, column, person_key)
    present = df[column].notna()
    groups = df.loc[present].groupby(column, sort=False, observed=True)  # observed: no empty categories
    if person_key is None:
        return groups.size().to_numpy()
    return groups[person_key].nunique().to_numpy()


def _persons_per_category(df: pd.DataFrame, column: str, person_key: str | None) -> np.ndarray:
    """``persons_per_value`` through the category codes (the gate hands GX text as categoricals): what
    ``groupby(column, observed=True)[person_key].nunique()`` counts, with one ``bincount`` of the distinct
    (value, person) code pairs instead of a hash of a million person keys per column. Values are in
    category order, persons are distinct non-null ``person_key`` values as ``nunique`` counts them."""
    codes = df[column].cat.codes.to_numpy().astype(np.int64)
    present = codes >= 0
    m = len(df[column].cat.categories)
    values = codes[present]
    used = np.bincount(values, minlength=m) > 0
    coded = None if person_key is None else person_codes(df[person_key])
    if coded is None:
        return np.bincount(values, minlength=m)[used]
    keys, n = coded  # nulls: -1, as nunique drops them
    persons = keys[present].astype(np.int64)
    known = persons >= 0
    pairs = pd.unique(values[known] * max(n, 1) + persons[known])
    return np.bincount(pairs // max(n, 1), minlength=m)[used]


class ValuePersons(TableMetricProvider):
    metric_name = "appi.value_persons"
    value_keys = ("column", "person_key")

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(
        cls,
        execution_engine: PandasExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> np.ndarray:
        df, _, _ = execution_engine.get_compute_domain(
            metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
        )
        return persons_per_value(df, metric_value_kwargs["column"], metric_value_kwargs.get("person_key"))
