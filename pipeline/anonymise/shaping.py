"""Shaping an earlier table for the joined view under local recoding, without biasing claim rates.

The joined view (claims × policyholders) needs every class of claim rows, keyed by the policyholder's
released quasi-identifiers plus the claim's own, to hold at least k persons. With the claim's own
quasi-identifiers at their coarsest, such a class is the set of *claimants* of one released policyholder
class. So a policyholder class with 1 to k − 1 claimants cannot be released as it is, whatever the claims
table does. Coarsening only those claimants' policyholder rows (what the joined rounds did first) takes
claimants out of the classes released in detail, and the claim rate among the detailed rows collapses
(measured on the 5,000-row demo: 20–29歳 × 女 0.19 in the input, 0.0 in the release).

Here the policyholder search itself sees, per row, whether the person has rows in a later linked table
(:func:`later_flags`) and must release classes holding either no such person or at least k of them
(:class:`JoinedPersons`). A class that fails is coarsened *whole*, claimants and non-claimants together, along
its cheapest attribute (the analyst weights), like any class failing k-anonymity; the claims search then
finds joined classes of k persons without touching the policyholders in nearly every case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.prepare import Prepared
from pipeline.privacy.base import ClassStats, PrivacyModel
from pipeline.search.engine import SensitiveColumn

#: The helper column's name in the search (never released: it is not a column of any table).
FLAG = "\0joined persons"


@dataclass(frozen=True, repr=False)
class JoinedPersons(PrivacyModel):
    """Every class holds no person with rows in a later linked table, or at least ``k`` of them (counted on
    the person's first row, so in persons)."""

    column: str | None
    k: int
    name: ClassVar[str] = "joined-view persons"
    monotonic_without_suppression: ClassVar[bool] = False  # 3 + 0 claimants fail where 3 + 2 pass

    def statistic(self, stats: ClassStats) -> np.ndarray:
        """Persons per class with rows in a later linked table."""
        p = stats.pairs(self.column)
        return np.bincount(p.cls[p.value == 1], weights=p.count[p.value == 1], minlength=stats.n_classes)

    def satisfied(self, stats: ClassStats) -> np.ndarray:
        linked = self.statistic(stats)
        return (linked == 0) | (linked >= self.k)

    def describe(self) -> str:
        return (f"every class holds no person with rows in a later linked table, or at least {self.k} of "
                "them (the joined view's classes can then hold k persons)")

    def __str__(self) -> str:
        return f"joined-view {self.k} persons"


def later_flags(prepared: Prepared, surrogates: dict[str, SurrogateSpace], name: str) -> np.ndarray | None:
    """Per row of table ``name``: 1 on the first row of a person who has rows in a later table sharing the
    person key, else 0; None when no later table shares it."""
    names = list(prepared.tables)
    t = prepared.tables[name]
    key = t.spec.person_key
    later = [prepared.tables[n] for n in names[names.index(name) + 1:]
             if key is not None and prepared.tables[n].spec.person_key == key]
    if key is None or not later:
        return None
    space = surrogates[key]
    seen = np.zeros(space.size, dtype=bool)
    for lt in later:
        codes = space.codes(lt.values[key])
        seen[codes[codes >= 0]] = True
    codes = space.codes(t.values[key])
    first = np.zeros(len(codes), dtype=bool)
    _, at = np.unique(np.where(codes >= 0, codes, -1), return_index=True)
    first[at] = True
    return ((codes >= 0) & first & seen[np.maximum(codes, 0)]).astype(np.int32)


def joined_model(flags: np.ndarray, k: int) -> tuple[SensitiveColumn, PrivacyModel]:
    """The helper column and model the earlier table's local search gets."""
    return SensitiveColumn(FLAG, flags, 2), JoinedPersons(FLAG, k)
