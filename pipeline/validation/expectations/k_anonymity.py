"""k-anonymity per person (Sweeney 2002; APPI.md §1 rule 5): every class has at least k DISTINCT persons.

Counting persons, not rows: a policyholder with five claims in one class is one person. Without a person
key each row is a person. Weakness: says nothing about the sensitive values inside a class (see the
l-diversity and t-closeness rules).
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.privacy.k_anonymity import KAnonymity
from pipeline.validation.expectations.class_rule import ModelRule


class ExpectClassesToHaveKPersons(ModelRule):
    k: int

    model: ClassVar[type[KAnonymity]] = KAnonymity
    business_name: ClassVar[str] = "k-anonymity (distinct persons per equivalence class)"
    description_template: ClassVar[str] = (
        "Re-identification risk: every equivalence class over the quasi-identifiers ({quasi_identifiers}) "
        "holds at least {k} distinct persons (counted by {person_key}) — {k}-anonymity."
    )
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "k")
