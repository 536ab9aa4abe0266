"""Entropy l-diversity (Machanavajjhala et al. 2007): in every class exp(entropy of sensitive values) >= l.

Stronger than distinct l-diversity when one value dominates a class. Assumes the table-wide entropy is at
least log(l), otherwise no generalisation can satisfy it.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from pipeline.validation.expectations.class_rule import ClassRule


class ExpectClassesToBeEntropyLDiverse(ClassRule):
    sensitive: str
    l: float  # noqa: E741 - the literature's name

    business_name: ClassVar[str] = "entropy l-diversity"
    description_template: ClassVar[str] = (
        "Sensitive attribute {sensitive}: in every equivalence class over ({quasi_identifiers}) the entropy "
        "of its values is at least log({l}) — entropy {l}-diversity."
    )
    metric_dependencies: ClassVar[tuple[str, ...]] = ("appi.class.entropy_values",)
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "sensitive", "l")

    def holds(self, stat: np.ndarray) -> np.ndarray:
        return stat >= self.l * (1 - 1e-9)
