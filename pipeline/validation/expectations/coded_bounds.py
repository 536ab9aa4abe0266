"""Numbers stay within their top/bottom codes (特異な記述: an extreme age or amount singles a person out)."""

from __future__ import annotations

from typing import ClassVar

from great_expectations.expectations.core.expect_column_values_to_be_between import (
    ExpectColumnValuesToBeBetween,
)

from pipeline.validation.expectations.base import BusinessRule


class ExpectValuesWithinCodes(BusinessRule, ExpectColumnValuesToBeBetween):
    business_name: ClassVar[str] = "within top/bottom codes"
    description_template: ClassVar[str] = (
        "Column {column} stays within its bottom and top codes ({min_value} to {max_value})."
    )
