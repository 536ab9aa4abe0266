"""No cell contains a full postal code (〒 or 3+4 digits with a hyphen).

施行規則34条 rule 1 — a full 7-digit postal code narrows an address to a block; the 3-digit area the
postal-code
hierarchy releases does not match. The pattern is data: the profile's ``patterns`` in
``expectations/<profile>.json``. It is matched on the NFKC form of every distinct cell (full-width digits,
``＠`` and ``－`` become ASCII first) by the ``column_values.appi_not_match_pattern`` metric; linking-code
columns (random surrogates) are excluded by the profile and checked by their own rule.
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.expectations.core.expect_column_values_to_not_match_regex import (
    ExpectColumnValuesToNotMatchRegex,
)

from pipeline.validation.expectations.base import BusinessRule


class ExpectNoPostalCode(BusinessRule, ExpectColumnValuesToNotMatchRegex):
    business_name: ClassVar[str] = "no postal code"
    description_template: ClassVar[str] = "Column {column} contains no full postal code."
    map_metric: ClassVar[str] = "column_values.appi_not_match_pattern"
