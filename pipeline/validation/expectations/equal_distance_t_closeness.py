"""t-closeness with equal ground distance (Li et al. 2007), for categorical sensitive attributes.

The distance of a class's distribution P from the table's Q is the earth mover's distance with every pair of
values one apart, i.e. ½ Σ |p_i − q_i|. Limits what a class reveals beyond the table as a whole.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.privacy.equal_distance_t_closeness import EqualDistanceTCloseness
from pipeline.validation.expectations.class_rule import ModelRule


class ExpectClassesToBeEqualDistanceTClose(ModelRule):
    sensitive: str
    t: float

    model: ClassVar[type[EqualDistanceTCloseness]] = EqualDistanceTCloseness
    business_name: ClassVar[str] = "t-closeness (equal distance)"
    description_template: ClassVar[str] = (
        "Sensitive attribute {sensitive}: the distribution in every equivalence class over "
        "({quasi_identifiers}) is within {t} of the whole table's (earth mover's distance, equal ground "
        "distance) — {t}-closeness."
    )
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "sensitive", "t")
