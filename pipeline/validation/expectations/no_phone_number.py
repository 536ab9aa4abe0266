"""No cell contains a phone number.

施行規則34条 rule 1 — Japanese fixed and mobile numbers, hyphenated or not, and +81 forms. The pattern is
data:
the profile's ``patterns`` in ``expectations/<profile>.json``. It is matched on the NFKC form of every
distinct cell (full-width digits, ``＠`` and ``－`` become ASCII first) by the
``column_values.appi_not_match_pattern`` metric; linking-code columns (random surrogates) are excluded
by the profile and checked by their own rule.
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.expectations.core.expect_column_values_to_not_match_regex import (
    ExpectColumnValuesToNotMatchRegex,
)

from pipeline.validation.expectations.base import BusinessRule


class ExpectNoPhoneNumber(BusinessRule, ExpectColumnValuesToNotMatchRegex):
    business_name: ClassVar[str] = "no phone number"
    description_template: ClassVar[str] = "Column {column} contains no phone number."
    map_metric: ClassVar[str] = "column_values.appi_not_match_pattern"
