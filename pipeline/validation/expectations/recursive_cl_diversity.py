"""Recursive (c,l)-diversity (Machanavajjhala et al. 2007): in every class r1 < c · (r_l + … + r_m).

r_i is the i-th largest count of a sensitive value in the class: the most frequent value may not dominate
the tail beyond the l-1 most frequent. A class with fewer than l distinct values fails.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from pipeline.validation.expectations.class_rule import ClassRule


class ExpectClassesToBeRecursiveCLDiverse(ClassRule):
    sensitive: str
    l: float  # noqa: E741 - the literature's name
    c: float

    business_name: ClassVar[str] = "recursive (c,l)-diversity"
    description_template: ClassVar[str] = (
        "Sensitive attribute {sensitive}: in every equivalence class over ({quasi_identifiers}) the most "
        "frequent value occurs less than {c} times the sum of the counts from the {l}-th most frequent on "
        "— recursive ({c},{l})-diversity."
    )
    worst: ClassVar[str] = "max"
    metric_dependencies: ClassVar[tuple[str, ...]] = ("appi.class.recursive_ratio",)
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "sensitive", "l", "c")

    def holds(self, stat: np.ndarray) -> np.ndarray:
        return stat < self.c
