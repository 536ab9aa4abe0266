"""A generalised column takes only the labels of its released hierarchy level (``30-34歳``, ``90歳以上``).

A raw age, a full postal code or a municipality left in a column released at prefecture level would fail.
The allowed labels come from the manifest (``tables.<t>.value_sets.<column>``): generalised labels only,
never raw values. Nulls (suppressed cells) are allowed.
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.expectations.core.expect_column_values_to_be_in_set import ExpectColumnValuesToBeInSet

from pipeline.validation.expectations.base import BusinessRule


class ExpectValuesToBeHierarchyLabels(BusinessRule, ExpectColumnValuesToBeInSet):
    business_name: ClassVar[str] = "generalised values only"
    description_template: ClassVar[str] = (
        "Column {column} takes only the labels of its released generalisation level."
    )
