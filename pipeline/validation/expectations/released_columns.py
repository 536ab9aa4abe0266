"""The release's columns are exactly its published items (法43条3項): nothing more, nothing less.

An identifier, identification code or free-text column that slipped through would add a column; a column
missing from the data but published would make the published item list false.
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.expectations.core.expect_table_columns_to_match_set import (
    ExpectTableColumnsToMatchSet,
)

from pipeline.validation.expectations.base import BusinessRule


class ExpectColumnsToBePublishedItems(BusinessRule, ExpectTableColumnsToMatchSet):
    exact_match: bool = True

    business_name: ClassVar[str] = "columns are exactly the published items"
    description_template: ClassVar[str] = (
        "The columns are exactly the published items ({column_set}): no identifier, identification code "
        "or free-text column, none missing."
    )
