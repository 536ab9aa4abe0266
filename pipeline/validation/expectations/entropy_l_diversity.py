"""Entropy l-diversity (Machanavajjhala et al. 2007): in every class exp(entropy of sensitive values) >= l.

Stronger than distinct l-diversity when one value dominates a class. Assumes the table-wide entropy is at
least log(l), otherwise no generalisation can satisfy it.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.privacy.entropy_l_diversity import EntropyLDiversity
from pipeline.validation.expectations.class_rule import ModelRule


class ExpectClassesToBeEntropyLDiverse(ModelRule):
    sensitive: str
    l: float  # noqa: E741 - the literature's name

    model: ClassVar[type[EntropyLDiversity]] = EntropyLDiversity
    business_name: ClassVar[str] = "entropy l-diversity"
    description_template: ClassVar[str] = (
        "Sensitive attribute {sensitive}: in every equivalence class over ({quasi_identifiers}) the entropy "
        "of its values is at least log({l}) — entropy {l}-diversity."
    )
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "sensitive", "l")
