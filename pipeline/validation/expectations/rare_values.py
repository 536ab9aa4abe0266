"""特異な記述 (施行規則34条 rule 4): no kept categorical value is held by fewer than k distinct persons.

A rare occupation or a disease with a handful of cases singles a person out even when the
quasi-identifier classes are large. Checked per column over its non-null values; nulls are what
suppression leaves and disclose nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from great_expectations.expectations.expectation import BatchExpectation

from pipeline.validation.expectations.base import BusinessRule


class ExpectNoRareValues(BusinessRule, BatchExpectation):
    column: str
    person_key: str | None = None
    k: int

    business_name: ClassVar[str] = "no idiosyncratic values (特異な記述)"
    description_template: ClassVar[str] = (
        "特異な記述: every value of column {column} is held by at least {k} distinct persons "
        "(counted by {person_key})."
    )
    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "row_condition", "condition_parser")
    metric_dependencies: ClassVar[tuple[str, ...]] = ("appi.value_persons",)
    success_keys: ClassVar[tuple[str, ...]] = ("column", "person_key", "k")

    def _validate(
        self, metrics: dict, runtime_configuration: dict | None = None, execution_engine: Any = None
    ) -> dict[str, Any]:
        persons = np.asarray(metrics["appi.value_persons"], dtype=float)
        rare = int((persons < self.k).sum())
        return {
            "success": rare == 0,
            "result": {
                "observed_value": int(persons.min()) if len(persons) else None,
                "distinct_values": len(persons),
                "rare_values": rare,
            },
        }
