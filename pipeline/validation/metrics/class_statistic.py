"""The equivalence classes of a released table as the privacy models see them: one GX table metric.

An equivalence class is the set of rows sharing one combination of quasi-identifier values (nulls are a
value: a suppressed cell groups with the other suppressed cells). :func:`class_stats` builds the same
:class:`~pipeline.privacy.base.ClassStats` the search evaluates (rows and distinct persons per class, the
sensitive column's (class, value, count) pairs coded by :func:`~pipeline.privacy.base.code_values`), so the
expectations in ``pipeline.validation.expectations`` call the models' own rule
(:meth:`~pipeline.privacy.base.PrivacyModel.satisfied`) on the released data, nulls included under the one
null policy (``pipeline.privacy.base``). One ``groupby(...).ngroup()`` and a few ``bincount`` / ``unique``
calls: no Python loop over classes or rows. The reference distribution for t-closeness is the released
table's own (the input's is not in the release). Nothing here returns a value of the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider

from pipeline.histogram import sorted_unique
from pipeline.privacy.base import ClassStats, code_values, pairs_from_rows
from pipeline.validation.metrics.keys import person_codes


def class_ids(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> tuple[np.ndarray, int]:
    """Class number per row and the number of classes (no QI: the whole table is one class)."""
    if not quasi_identifiers:
        return np.zeros(len(df), dtype=np.int64), 1 if len(df) else 0
    ids = df.groupby(list(quasi_identifiers), dropna=False, sort=False, observed=True).ngroup().to_numpy()
    return ids.astype(np.int64), int(ids.max()) + 1 if len(ids) else 0


def _persons(df: pd.DataFrame, ids: np.ndarray, n: int, person_key: str | None) -> np.ndarray:
    """Distinct persons per class: the distinct (class, person) keys by one sort (``sorted_unique``), not a
    frame's ``drop_duplicates`` (hashing two columns: several times the memory on 10M rows); the person key
    coded by :func:`~pipeline.validation.metrics.keys.person_codes` (once per column for all the rules; rows
    per class when each row is its own person)."""
    coded = None if person_key is None else person_codes(df[person_key])
    if coded is None:
        return np.bincount(ids, minlength=n).astype(np.int64)
    codes, n_keys = coded  # a null key is one person of its own (code n_keys)
    n_persons = n_keys + 1
    persons = np.where(codes >= 0, codes, n_keys).astype(np.int64)
    distinct = sorted_unique(ids * n_persons + persons)
    return np.bincount(distinct // n_persons, minlength=n).astype(np.int64)


def persons_per_class(
    df: pd.DataFrame, quasi_identifiers: Sequence[str], person_key: str | None
) -> np.ndarray:
    """Distinct persons per class (rows per class when there is no person key)."""
    ids, n = class_ids(df, quasi_identifiers)
    return _persons(df, ids, n, person_key).astype(float)


def sensitive_values(values: pd.Series) -> tuple[np.ndarray, int, int, bool]:
    """A released sensitive column coded as the search codes it: ``(codes, n_values, null, numeric)``.
    The gate hands GX text as categoricals (``pipeline.validation.runner.as_categories``); their values are
    coded, not their category order."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories
        if not _is_numeric(categories.dtype):  # coded through the categories: no row turns back into text
            return (*_coded_categories(values.cat.codes.to_numpy(), categories), False)
        values = values.astype(categories.dtype)
    numeric = _is_numeric(values.dtype)
    codes, n_values, null = code_values(values, numeric)
    return codes, n_values, null, numeric


def _is_numeric(dtype: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _coded_categories(raw: np.ndarray, categories: pd.Index) -> tuple[np.ndarray, int, int]:
    """:func:`~pipeline.privacy.base.code_values` of a categorical column from its category codes: the
    categories some row uses are coded (sorted, as ``code_values`` codes the rows' values), then mapped to
    the rows through the codes; a null row gets the null code."""
    used = np.bincount(raw[raw >= 0], minlength=len(categories)) > 0
    codes, n_values, null = code_values(pd.Series(categories[used]), False)
    per_category = np.full(len(categories), null, dtype=np.int32)
    per_category[used] = codes
    return np.where(raw >= 0, per_category[np.maximum(raw, 0)], null).astype(np.int32), n_values, null


def class_stats(
    df: pd.DataFrame, quasi_identifiers: Sequence[str], person_key: str | None, sensitive: str | None
) -> ClassStats:
    """The classes of ``df`` over ``quasi_identifiers`` with the pairs of ``sensitive`` (if any)."""
    ids, n = class_ids(df, quasi_identifiers)
    rows = np.bincount(ids, minlength=n).astype(np.int64)
    pairs = {}
    if sensitive is not None:
        codes, n_values, null, numeric = sensitive_values(df[sensitive])
        pairs[sensitive] = pairs_from_rows(ids, n, codes, n_values, null, ordered=numeric)
    return ClassStats(n, rows, _persons(df, ids, n, person_key), pairs)


class ClassStatistics(TableMetricProvider):
    """``appi.class.stats``: the :class:`ClassStats` of the batch, for the privacy models' rules."""

    metric_name = "appi.class.stats"
    value_keys = ("quasi_identifiers", "person_key", "sensitive")

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(
        cls,
        execution_engine: PandasExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> ClassStats:
        df, _, _ = execution_engine.get_compute_domain(
            metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
        )
        qis = list(metric_value_kwargs.get("quasi_identifiers") or [])
        person_key, sensitive = metric_value_kwargs.get("person_key"), metric_value_kwargs.get("sensitive")
        return class_stats(df, qis, person_key, sensitive)
