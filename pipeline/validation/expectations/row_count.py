"""The table has exactly the rows the manifest declares: no row added or dropped after the manifest."""

from __future__ import annotations

from typing import ClassVar

from great_expectations.expectations.core.expect_table_row_count_to_equal import ExpectTableRowCountToEqual

from pipeline.validation.expectations.base import BusinessRule


class ExpectRowCountToMatchManifest(BusinessRule, ExpectTableRowCountToEqual):
    business_name: ClassVar[str] = "row count matches the manifest"
    description_template: ClassVar[str] = "The table has exactly {value} rows, as manifest.json declares."
