"""Recursive (c,l)-diversity (Machanavajjhala et al. 2006): with the value counts of a class sorted
r1 >= r2 >= … >= rm, require r1 < c · (rl + … + rm): the most frequent value does not dominate the
less frequent ones, even after an attacker rules out l-2 values.

Monotone without suppression (the paper's Theorem), not with suppression; with suppression the search
prunes only with the implied distinct-l condition (rl must exist). Counts are of non-null values (the null
policy, ``pipeline.privacy.base``): a class without any has no r_l and fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from pipeline.privacy.base import ClassStats, Necessary, Parameter, PrivacyModel


@dataclass(frozen=True, repr=False)
class RecursiveCLDiversity(PrivacyModel):
    column: str | None
    c: float
    l: float  # noqa: E741 - the literature's name
    name: ClassVar[str] = "recursive-cl-diversity"
    worst: ClassVar[Literal["min", "max"]] = "max"
    parameters: ClassVar[tuple[Parameter, ...]] = (
        Parameter("c", float, "above 0", lambda v: v > 0),
        Parameter("l", float, "at least 1", lambda v: v >= 1, whole=True),
    )

    def _ranks(self, stats: ClassStats) -> tuple[np.ndarray, np.ndarray]:
        """r1 (the most frequent value's count) and r_l + … + r_m per class."""
        p = stats.pairs(self.column)
        n = stats.n_classes
        order = np.lexsort((-p.count, p.cls))  # by class, then count descending
        cls = p.cls[order]
        cnt = p.count[order].astype(np.float64)
        start = np.searchsorted(cls, np.arange(n))
        rank = np.arange(len(cls)) - start[cls]
        r1 = np.zeros(n)
        r1[cls[rank == 0]] = cnt[rank == 0]
        tail_sel = rank >= int(self.l) - 1
        tail = np.bincount(cls[tail_sel], weights=cnt[tail_sel], minlength=n)
        return r1, tail

    def statistic(self, stats: ClassStats) -> np.ndarray:
        """r1 / (r_l + … + r_m) per class, compared with c (inf: fewer than l values)."""
        r1, tail = self._ranks(stats)
        return np.divide(r1, tail, out=np.full(len(r1), np.inf), where=tail > 0)

    def satisfied(self, stats: ClassStats) -> np.ndarray:
        r1, tail = self._ranks(stats)
        return r1 < self.c * tail

    def necessary(self, reference: dict[str, np.ndarray]) -> Necessary:
        d = max(int(self.l), 1)
        return Necessary(min_rows=d, column=self.column, min_distinct=d)

    def describe(self) -> str:
        return (f"in every class the most frequent value of {self.column} is rarer than {self.c:g} times the "
                f"values from the {math.floor(self.l)}-th most frequent on")

    def __str__(self) -> str:
        return f"recursive-({self.c:g},{self.l:g})-diversity({self.column})"
