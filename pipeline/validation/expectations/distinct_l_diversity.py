"""Distinct l-diversity (Machanavajjhala et al. 2007): every class has at least l distinct sensitive values.

Guards against the homogeneity attack (all persons of a class share one diagnosis). Weakness: two values
where one holds 99 % still count as 2; see the entropy and recursive variants.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.privacy.distinct_l_diversity import DistinctLDiversity
from pipeline.validation.expectations.class_rule import ModelRule


class ExpectClassesToHaveLDistinctSensitiveValues(ModelRule):
    sensitive: str
    l: float  # noqa: E741 - the literature's name

    model: ClassVar[type[DistinctLDiversity]] = DistinctLDiversity
    business_name: ClassVar[str] = "distinct l-diversity"
    description_template: ClassVar[str] = (
        "Sensitive attribute {sensitive}: every equivalence class over ({quasi_identifiers}) holds at least "
        "{l} distinct values — distinct {l}-diversity."
    )
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "sensitive", "l")
