"""No cell contains a My Number (個人番号, 12 digits in any width, spaced or hyphenated; check digit valid or
not).

施行規則34条 rule 2 — every 12-digit run is flagged, check digit valid or not: a release has no legitimate
12-digit number, and a mistyped number is still a number. The pattern is data: the profile's ``patterns`` in
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


class ExpectNoMyNumber(BusinessRule, ExpectColumnValuesToNotMatchRegex):
    business_name: ClassVar[str] = "no My Number (個人番号)"
    description_template: ClassVar[str] = "Column {column} contains no My Number."
    map_metric: ClassVar[str] = "column_values.appi_not_match_pattern"
