"""t-closeness with ordered ground distance (Li et al. 2007), for ordinal sensitive attributes (bands).

Values are ordered as listed in ``order`` (the hierarchy level's labels, from the manifest's value set);
distance = Σ_i |Σ_{j<=i} (p_j − q_j)| / (m − 1). Moving mass to a neighbouring band costs less than moving
it to the far end.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from pipeline.validation.expectations.class_rule import ClassRule


class ExpectClassesToBeOrderedDistanceTClose(ClassRule):
    sensitive: str
    t: float
    order: list[str] | None = None

    business_name: ClassVar[str] = "t-closeness (ordered distance)"
    description_template: ClassVar[str] = (
        "Sensitive attribute {sensitive}: the distribution in every equivalence class over "
        "({quasi_identifiers}) is within {t} of the whole table's (earth mover's distance over the ordered "
        "values) — {t}-closeness."
    )
    worst: ClassVar[str] = "max"
    metric_dependencies: ClassVar[tuple[str, ...]] = ("appi.class.ordered_distance",)
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "sensitive", "t", "order")

    def holds(self, stat: np.ndarray) -> np.ndarray:
        return stat <= self.t + 1e-9
