"""A linking-code column (証券番号, 請求番号) holds only per-release random surrogates (施行規則34条 rule 3).

A source policy number left in place would fail the surrogate format. The format is the profile rule's
``regex``: the ``pipeline.identifiers.surrogate`` tokens, 14 lower-case letters (a drift test pins the two
together). It is matched once per distinct value, on the value as it is (no NFKC), by the
``column_values.appi_match_pattern`` metric.
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.expectations.core.expect_column_values_to_match_regex import (
    ExpectColumnValuesToMatchRegex,
)

from pipeline.validation.expectations.base import BusinessRule


class ExpectLinkingCodeToBeSurrogate(BusinessRule, ExpectColumnValuesToMatchRegex):
    business_name: ClassVar[str] = "linking codes are random surrogates"
    description_template: ClassVar[str] = (
        "Linking code {column} holds only per-release random surrogates, never a source code."
    )
    map_metric: ClassVar[str] = "column_values.appi_match_pattern"
