"""Distinct l-diversity (Machanavajjhala et al. 2007): every class has at least l distinct sensitive values.

Guards against the homogeneity attack (all persons of a class share one diagnosis). Weakness: two values
where one holds 99 % still count as 2; see the entropy and recursive variants.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from pipeline.validation.expectations.class_rule import ClassRule


class ExpectClassesToHaveLDistinctSensitiveValues(ClassRule):
    sensitive: str
    l: float  # noqa: E741 - the literature's name

    business_name: ClassVar[str] = "distinct l-diversity"
    description_template: ClassVar[str] = (
        "Sensitive attribute {sensitive}: every equivalence class over ({quasi_identifiers}) holds at least "
        "{l} distinct values — distinct {l}-diversity."
    )
    metric_dependencies: ClassVar[tuple[str, ...]] = ("appi.class.distinct_values",)
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "sensitive", "l")

    def holds(self, stat: np.ndarray) -> np.ndarray:
        return stat >= self.l
