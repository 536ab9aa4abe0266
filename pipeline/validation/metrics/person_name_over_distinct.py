"""Rows whose value holds no person's name, by GiNZA NER on each DISTINCT value (dictionary-confirmed).

Why in the suite as well as in the residual gate: the gate stops a run, but ``anonymize verify`` checks a
release from its files alone; a name typed into a kept category (``山田 太郎`` in 保険種類) must fail there
too. The same detector as the gate's category check (:func:`pipeline.detection.scan.analyze_distinct` with
confirmed names), so a release the gate passed passes here; NER results are cached per process, so the run's
own validation reads no value twice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from pipeline.validation.metrics.pattern_over_distinct import condition, distinct_text, rows_in


def values_with_names(values: pd.Series) -> np.ndarray:
    """Distinct values of ``values`` (as text) in which a person's name is found."""
    from pipeline.config.model import DetectionSpec
    from pipeline.detection.scan import NAME_ENTITIES, analyze_distinct

    uniq = [v for v in distinct_text(values) if v and v != "nan"]
    hits = analyze_distinct(uniq, DetectionSpec(patterns=()), ner_entities=NAME_ENTITIES,
                            confirmed_names=True)
    named = [uniq[i] for i, found in hits.items() if any(r.entity_type == "PERSON" for r in found)]
    return np.asarray(named, dtype=object)


class ColumnValuesWithoutPersonName(ColumnMapMetricProvider):
    condition_metric_name = "column_values.appi_no_person_name"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: object) -> pd.Series:
        named = values_with_names(column)
        if not len(named):
            return condition(pd.Series(True, index=column.index))
        return condition(~rows_in(column, named))
