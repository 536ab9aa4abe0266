"""Custom Great Expectations metrics (pandas only). Importing this package registers them with GX."""

from pipeline.validation.metrics.class_statistic import ClassStatistics
from pipeline.validation.metrics.pattern_over_distinct import (
    ColumnValuesMatchPatternOverDistinct,
    ColumnValuesNotMatchPatternOverDistinct,
)
from pipeline.validation.metrics.person_name_over_distinct import ColumnValuesWithoutPersonName
from pipeline.validation.metrics.unique_rows import UniqueRows
from pipeline.validation.metrics.value_persons import ValuePersons

__all__ = [
    "ClassStatistics",
    "ColumnValuesMatchPatternOverDistinct",
    "ColumnValuesNotMatchPatternOverDistinct",
    "ColumnValuesWithoutPersonName",
    "UniqueRows",
    "ValuePersons",
]
