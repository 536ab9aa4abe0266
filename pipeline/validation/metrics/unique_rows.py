"""Rows alone (one person) in their class over a column set: the gate's check of risk over all released
columns (issue 15; the release-side measure is :mod:`pipeline.metrics.attribute_risk`).

Returns counts only: ``{"unique_rows", "rows", "min_class_size"}``, never a value or a combination.
"""

from __future__ import annotations

from typing import Any

from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider

from pipeline.validation.metrics.class_statistic import class_ids, persons_per_class


def unique_rows(df: Any, columns: list[str], person_key: str | None) -> dict[str, int]:
    """Rows whose class over ``columns`` holds one distinct person, all rows, and the smallest class."""
    if len(df) == 0:
        return {"unique_rows": 0, "rows": 0, "min_class_size": 0}
    ids, n = class_ids(df, columns)
    persons = persons_per_class(df, columns, person_key)
    return {"unique_rows": int((persons[ids] == 1).sum()), "rows": len(df),
            "min_class_size": int(persons.min()) if n else 0}


class UniqueRows(TableMetricProvider):
    metric_name = "appi.rows.unique_over_columns"
    value_keys = ("quasi_identifiers", "person_key")

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(
        cls,
        execution_engine: PandasExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> dict[str, int]:
        df, _, _ = execution_engine.get_compute_domain(
            metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
        )
        return unique_rows(df, list(metric_value_kwargs.get("quasi_identifiers") or []),
                           metric_value_kwargs.get("person_key"))


__all__ = ["UniqueRows", "unique_rows"]
