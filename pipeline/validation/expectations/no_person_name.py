"""No cell contains a person's name (氏名), found by GiNZA NER and confirmed by the dictionary.

施行規則34条 rule 1 — a name typed into a kept category (``山田 太郎`` in 保険種類) identifies its holder
whatever the column is called. Run over the distinct values of every column except linking codes (random
surrogates, checked by their own rule) by the ``column_values.appi_no_person_name`` metric.
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.expectations.expectation import ColumnMapExpectation

from pipeline.validation.expectations.base import BusinessRule


class ExpectNoPersonName(BusinessRule, ColumnMapExpectation):
    business_name: ClassVar[str] = "no person's name (氏名)"
    description_template: ClassVar[str] = "Column {column} contains no person's name."
    map_metric: ClassVar[str] = "column_values.appi_no_person_name"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly",)
