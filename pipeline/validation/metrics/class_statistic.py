"""Per-equivalence-class statistics over the quasi-identifier set, one GX table metric per statistic.

An equivalence class is the set of rows sharing one combination of quasi-identifier values (nulls are a
value: a suppressed cell groups with the other suppressed cells). Every statistic is computed with one
``groupby(...).ngroup()`` and one ``bincount`` over a class × sensitive-value count matrix: no Python loop
over classes or rows. Sensitive nulls are ignored (a null discloses nothing, and it must not count as a
"value" that makes a class look diverse). Each metric returns one float per class, never a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider


def class_ids(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> tuple[np.ndarray, int]:
    """Class number per row and the number of classes (no QI: the whole table is one class)."""
    if not quasi_identifiers:
        return np.zeros(len(df), dtype=np.int64), 1 if len(df) else 0
    ids = df.groupby(list(quasi_identifiers), dropna=False, sort=False, observed=True).ngroup().to_numpy()
    return ids.astype(np.int64), int(ids.max()) + 1 if len(ids) else 0


def persons_per_class(
    df: pd.DataFrame, quasi_identifiers: Sequence[str], person_key: str | None
) -> np.ndarray:
    """Distinct persons per class (rows per class when there is no person key)."""
    ids, n = class_ids(df, quasi_identifiers)
    if person_key is None:
        return np.bincount(ids, minlength=n).astype(float)
    person_codes = pd.factorize(df[person_key], use_na_sentinel=False)[0]
    pairs = pd.DataFrame({"c": ids, "p": person_codes}).drop_duplicates()
    return np.bincount(pairs["c"].to_numpy(), minlength=n).astype(float)


def count_matrix(
    df: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str, order: Sequence[str] | None = None
) -> np.ndarray:
    """Rows per (class, sensitive value); columns follow ``order`` when given (unknown values go last)."""
    ids, n = class_ids(df, quasi_identifiers)
    values = df[sensitive]
    present = values.notna().to_numpy()
    if order:
        known = pd.Index(list(order))
        extra = pd.Index(pd.unique(values[present].astype(object))).difference(known, sort=False)
        codes = known.append(extra).get_indexer(values[present].astype(object))
        m = len(known) + len(extra)
    else:
        codes, uniq = pd.factorize(values[present])
        m = len(uniq)
    if m == 0 or n == 0:
        return np.zeros((n, max(m, 1)))
    flat = ids[present] * m + codes
    return np.bincount(flat, minlength=n * m).reshape(n, m).astype(float)


def _shares(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def distinct_values(counts: np.ndarray, l: float | None = None) -> np.ndarray:  # noqa: E741
    return (counts > 0).sum(axis=1).astype(float)


def effective_entropy_values(counts: np.ndarray, l: float | None = None) -> np.ndarray:  # noqa: E741
    """exp(entropy) per class: entropy l-diversity holds when it is >= l (Machanavajjhala et al. 2007)."""
    p = _shares(counts)
    logs = np.log(p, out=np.zeros_like(p), where=p > 0)
    h = -(p * logs).sum(axis=1)
    return np.where(counts.sum(axis=1) > 0, np.exp(h), 0.0)


def recursive_ratio(counts: np.ndarray, l: float | None = None) -> np.ndarray:  # noqa: E741
    """r1 / (r_l + … + r_m) per class: recursive (c,l)-diversity holds when it is < c (inf: < l values)."""
    lv = max(int(l or 1), 1)
    s = -np.sort(-counts, axis=1)
    tail = s[:, lv - 1 :].sum(axis=1)
    return np.divide(s[:, 0], tail, out=np.full(len(s), np.inf), where=tail > 0)


def equal_distance(counts: np.ndarray, l: float | None = None) -> np.ndarray:  # noqa: E741
    """Earth mover's distance with equal ground distance = total variation (Li et al. 2007)."""
    q = counts.sum(axis=0) / max(counts.sum(), 1)
    p = _shares(counts)
    d = 0.5 * np.abs(p - q).sum(axis=1)
    return np.where(counts.sum(axis=1) > 0, d, 0.0)


def ordered_distance(counts: np.ndarray, l: float | None = None) -> np.ndarray:  # noqa: E741
    """Earth mover's distance with ordered ground distance |i − j| / (m − 1) (Li et al. 2007)."""
    m = counts.shape[1]
    if m < 2:
        return np.zeros(len(counts))
    q = counts.sum(axis=0) / max(counts.sum(), 1)
    p = _shares(counts)
    d = np.abs(np.cumsum(p - q, axis=1)).sum(axis=1) / (m - 1)
    return np.where(counts.sum(axis=1) > 0, d, 0.0)


class ClassStatistic(TableMetricProvider):
    """Base: ``statistic`` maps the class × value count matrix to one number per class."""

    value_keys = ("quasi_identifiers", "person_key", "sensitive", "l", "order")
    statistic: ClassVar[Any] = None

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
        qis = list(metric_value_kwargs.get("quasi_identifiers") or [])
        if cls.statistic is None:
            return persons_per_class(df, qis, metric_value_kwargs.get("person_key"))
        counts = count_matrix(df, qis, metric_value_kwargs["sensitive"], metric_value_kwargs.get("order"))
        return cls.statistic(counts, metric_value_kwargs.get("l"))


class ClassPersons(ClassStatistic):
    metric_name = "appi.class.persons"


class ClassDistinctValues(ClassStatistic):
    metric_name = "appi.class.distinct_values"
    statistic = staticmethod(distinct_values)


class ClassEntropyValues(ClassStatistic):
    metric_name = "appi.class.entropy_values"
    statistic = staticmethod(effective_entropy_values)


class ClassRecursiveRatio(ClassStatistic):
    metric_name = "appi.class.recursive_ratio"
    statistic = staticmethod(recursive_ratio)


class ClassEqualDistance(ClassStatistic):
    metric_name = "appi.class.equal_distance"
    statistic = staticmethod(equal_distance)


class ClassOrderedDistance(ClassStatistic):
    metric_name = "appi.class.ordered_distance"
    statistic = staticmethod(ordered_distance)
