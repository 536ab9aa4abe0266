"""Distinct l-diversity (Machanavajjhala et al. 2006, "ℓ-Diversity: Privacy Beyond k-Anonymity").

Each class holds at least ``l`` distinct values of the sensitive column, against the homogeneity attack.
Weakness: one value may still dominate a class (skewness), see entropy / recursive l-diversity.
Monotone with suppression: a merged class has at least as many distinct values as each of its parts.
Nulls are not values (``pipeline.privacy.base``, the null policy): a class {flu, null, null} holds one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from pipeline.privacy.base import ClassStats, Necessary, Parameter, PrivacyModel


@dataclass(frozen=True, repr=False)
class DistinctLDiversity(PrivacyModel):
    column: str | None
    l: float  # noqa: E741 - the literature's name
    name: ClassVar[str] = "distinct-l-diversity"
    monotonic_with_suppression: ClassVar[bool] = True
    parameters: ClassVar[tuple[Parameter, ...]] = (
        Parameter("l", float, "at least 1", lambda v: v >= 1, whole=True),
    )

    def statistic(self, stats: ClassStats) -> np.ndarray:
        """Distinct non-null values per class."""
        p = stats.pairs(self.column)
        return np.bincount(p.cls, minlength=stats.n_classes).astype(np.float64)

    def satisfied(self, stats: ClassStats) -> np.ndarray:
        return self.statistic(stats) >= self.l

    def necessary(self, reference: dict[str, np.ndarray]) -> Necessary:
        n = math.ceil(self.l)
        return Necessary(min_rows=n, column=self.column, min_distinct=n)

    def describe(self) -> str:
        return f"every class holds at least {self.l:g} distinct values of {self.column}"

    def __str__(self) -> str:
        return f"distinct-{self.l:g}-diversity({self.column})"
