"""Distinct persons behind each distinct value of one column (特異な記述, APPI.md §1 rule 4)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider


def persons_per_value(df: pd.DataFrame, column: str, person_key: str | None) -> np.ndarray:
    """Persons (``person_key`` distinct values; rows when ``None``) per non-null value, as an array."""
    present = df[column].notna()
    groups = df.loc[present].groupby(column, sort=False, observed=True)  # observed: no empty categories
    if person_key is None:
        return groups.size().to_numpy()
    return groups[person_key].nunique().to_numpy()


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
