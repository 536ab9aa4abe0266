"""t-closeness with ordered ground distance (Li et al. 2007), for ordinal sensitive attributes (bands).

Values are ranked as the search ranks them (``pipeline.privacy.base.code_values``: sorted, numbers by
value); distance = Σ_i |Σ_{j<=i} (p_j − q_j)| / (m − 1), the rule of
``pipeline.privacy.ordered_distance_t_closeness``. Moving mass to a neighbouring band costs less than
moving it to the far end.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.privacy.ordered_distance_t_closeness import OrderedDistanceTCloseness
from pipeline.validation.expectations.class_rule import ModelRule


class ExpectClassesToBeOrderedDistanceTClose(ModelRule):
    sensitive: str
    t: float

    model: ClassVar[type[OrderedDistanceTCloseness]] = OrderedDistanceTCloseness
    business_name: ClassVar[str] = "t-closeness (ordered distance)"
    description_template: ClassVar[str] = (
        "Sensitive attribute {sensitive}: the distribution in every equivalence class over "
        "({quasi_identifiers}) is within {t} of the whole table's (earth mover's distance over the ordered "
        "values) — {t}-closeness."
    )
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "sensitive", "t")
