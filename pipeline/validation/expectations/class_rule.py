"""Base of the re-identification expectations: one predicate over per-equivalence-class statistics.

Like ARX's privacy criteria, each subclass names one model from the literature and states one predicate
(``holds``) over the statistic its metric computes per class (``appi.class.*``, see
``pipeline.validation.metrics.class_statistic``). The result reports counts only: the worst class's figure,
the number of classes and how many fail; never a quasi-identifier combination or a sensitive value.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from great_expectations.expectations.expectation import BatchExpectation

from pipeline.validation.expectations.base import BusinessRule


class ClassRule(BusinessRule, BatchExpectation):
    quasi_identifiers: list[str]
    person_key: str | None = None

    #: "min": the worst class has the smallest statistic; "max": the largest.
    worst: ClassVar[str] = "min"
    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "row_condition", "condition_parser")
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key")

    def holds(self, stat: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _validate(
        self, metrics: dict, runtime_configuration: dict | None = None, execution_engine: Any = None
    ) -> dict[str, Any]:
        stat = np.asarray(metrics[self.metric_dependencies[0]], dtype=float)
        ok = self.holds(stat)
        worst = None
        if len(stat):
            worst = float(stat.min() if self.worst == "min" else stat.max())
            worst = round(worst, 6) if np.isfinite(worst) else None
        return {
            "success": bool(ok.all()),
            "result": {"observed_value": worst, "classes": len(stat), "failing_classes": int((~ok).sum())},
        }
