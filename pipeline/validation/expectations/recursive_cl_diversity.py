"""Recursive (c,l)-diversity (Machanavajjhala et al. 2007): in every class r1 < c · (r_l + … + r_m).

r_i is the i-th largest count of a sensitive value in the class: the most frequent value may not dominate
the tail beyond the l-1 most frequent. A class with fewer than l distinct values fails.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.privacy.recursive_cl_diversity import RecursiveCLDiversity
from pipeline.validation.expectations.class_rule import ModelRule


class ExpectClassesToBeRecursiveCLDiverse(ModelRule):
    sensitive: str
    l: float  # noqa: E741 - the literature's name
    c: float

    model: ClassVar[type[RecursiveCLDiversity]] = RecursiveCLDiversity
    business_name: ClassVar[str] = "recursive (c,l)-diversity"
    description_template: ClassVar[str] = (
        "Sensitive attribute {sensitive}: in every equivalence class over ({quasi_identifiers}) the most "
        "frequent value occurs less than {c} times the sum of the counts from the {l}-th most frequent on "
        "— recursive ({c},{l})-diversity."
    )
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "sensitive", "l", "c")
