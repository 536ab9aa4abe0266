"""Business-rule expectations, registered by their GX snake-case name in one explicit dict.

Importing this package also registers the classes (and their metrics) with Great Expectations, which is
what lets a suite JSON name them. Profiles in ``expectations/*.json`` refer to these names only.
"""

from __future__ import annotations

from typing import cast

import pipeline.validation.metrics  # noqa: F401 - registers the custom metrics with GX
from pipeline.validation.expectations.attribute_risk import ExpectFewRowsUniqueOverReleasedColumns
from pipeline.validation.expectations.class_rule import ClassRule, ModelRule
from pipeline.validation.expectations.coded_bounds import ExpectValuesWithinCodes
from pipeline.validation.expectations.distinct_l_diversity import ExpectClassesToHaveLDistinctSensitiveValues
from pipeline.validation.expectations.entropy_l_diversity import ExpectClassesToBeEntropyLDiverse
from pipeline.validation.expectations.equal_distance_t_closeness import ExpectClassesToBeEqualDistanceTClose
from pipeline.validation.expectations.hierarchy_labels import ExpectValuesToBeHierarchyLabels
from pipeline.validation.expectations.k_anonymity import ExpectClassesToHaveKPersons
from pipeline.validation.expectations.no_email_address import ExpectNoEmailAddress
from pipeline.validation.expectations.no_my_number import ExpectNoMyNumber
from pipeline.validation.expectations.no_person_name import ExpectNoPersonName
from pipeline.validation.expectations.no_phone_number import ExpectNoPhoneNumber
from pipeline.validation.expectations.no_postal_code import ExpectNoPostalCode
from pipeline.validation.expectations.ordered_distance_t_closeness import (
    ExpectClassesToBeOrderedDistanceTClose,
)
from pipeline.validation.expectations.rare_values import ExpectNoRareValues
from pipeline.validation.expectations.recursive_cl_diversity import ExpectClassesToBeRecursiveCLDiverse
from pipeline.validation.expectations.released_columns import ExpectColumnsToBePublishedItems
from pipeline.validation.expectations.row_count import ExpectRowCountToMatchManifest
from pipeline.validation.expectations.surrogate_codes import ExpectLinkingCodeToBeSurrogate

_CLASSES = (
    ExpectColumnsToBePublishedItems,
    ExpectRowCountToMatchManifest,
    ExpectNoMyNumber,
    ExpectNoPhoneNumber,
    ExpectNoEmailAddress,
    ExpectNoPostalCode,
    ExpectNoPersonName,
    ExpectLinkingCodeToBeSurrogate,
    ExpectValuesToBeHierarchyLabels,
    ExpectValuesWithinCodes,
    ExpectNoRareValues,
    ExpectClassesToHaveKPersons,
    ExpectClassesToHaveLDistinctSensitiveValues,
    ExpectClassesToBeEntropyLDiverse,
    ExpectClassesToBeRecursiveCLDiverse,
    ExpectClassesToBeEqualDistanceTClose,
    ExpectClassesToBeOrderedDistanceTClose,
    ExpectFewRowsUniqueOverReleasedColumns,
)

#: GX expectation type (snake case of the class name) → class.
EXPECTATIONS: dict[str, type] = {cls.expectation_type: cls for cls in _CLASSES}

#: The expectations that run a privacy model's rule (``ClassRule.model``), one per model.
MODEL_RULES: tuple[type[ModelRule], ...] = tuple(
    cast(type[ModelRule], c) for c in _CLASSES if issubclass(c, ModelRule)
)

#: Privacy model name (``pipeline.config.model.MODEL_NAMES``) → the expectation that checks it
#: (``tests/privacy/test_model_drift.py``: exactly one each way).
MODEL_EXPECTATIONS: dict[str, type[ModelRule]] = {c.model.name: c for c in MODEL_RULES}

__all__ = ["EXPECTATIONS", "MODEL_EXPECTATIONS", "MODEL_RULES", "ClassRule", "ModelRule"]
