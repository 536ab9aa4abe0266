"""Recursive (c,l)-diversity (Machanavajjhala et al. 2006): with the value counts of a class sorted
r1 >= r2 >= … >= rm, require r1 < c · (rl + … + rm): the most frequent value does not dominate the
less frequent ones, even after an attacker rules out l-2 values.

Monotone without suppression (the paper's Theorem), not with suppression; with suppression the search
prunes only with the implied distinct-l condition (rl must exist).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from pipeline.privacy.base import ClassStats, Necessary, PrivacyModel


@dataclass(frozen=True, repr=False)
class RecursiveCLDiversity(PrivacyModel):
    column: str | None
    c: float
    l: float  # noqa: E741 - the literature's name
    name: ClassVar[str] = "recursive-cl-diversity"

    def satisfied(self, stats: ClassStats) -> np.ndarray:
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
        return r1 < self.c * tail

    def necessary(self, reference: dict[str, np.ndarray]) -> Necessary:
        d = max(int(self.l), 1)
        return Necessary(min_rows=d, column=self.column, min_distinct=d)

    def describe(self) -> str:
        return (f"in every class the most frequent value of {self.column} is rarer than {self.c:g} times the "
                f"values from the {math.floor(self.l)}-th most frequent on")

    def __str__(self) -> str:
        return f"recursive-({self.c:g},{self.l:g})-diversity({self.column})"
