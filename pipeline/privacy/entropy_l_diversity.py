"""Entropy l-diversity (Machanavajjhala et al. 2006): the entropy of the sensitive values in each class is at
least log(l), so no value dominates a class.

Monotone without suppression (entropy is concave: a merged class is at least as diverse as its least diverse
part) but not with suppression: a failing class merged with a passing one may fail, so more rows can fail
at a coarser node. With suppression the search prunes only with the implied distinct-⌈l⌉ condition.
The entropy is over the non-null values (the null policy, ``pipeline.privacy.base``); a class holding only
nulls has none and fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from pipeline.privacy.base import ClassStats, Necessary, Parameter, PrivacyModel, class_sums

_EPS = 1e-9


@dataclass(frozen=True, repr=False)
class EntropyLDiversity(PrivacyModel):
    column: str | None
    l: float  # noqa: E741 - the literature's name
    name: ClassVar[str] = "entropy-l-diversity"
    parameters: ClassVar[tuple[Parameter, ...]] = (Parameter("l", float, "at least 1", lambda v: v >= 1),)

    def entropy(self, stats: ClassStats) -> np.ndarray:
        """Entropy (natural log) of the non-null values per class; 0 for a class without any."""
        p = stats.pairs(self.column)
        size = class_sums(p.cls, p.count.astype(np.float64), stats.n_classes)
        share = p.count / size[p.cls]
        return -class_sums(p.cls, share * np.log(share), stats.n_classes)

    def statistic(self, stats: ClassStats) -> np.ndarray:
        """exp(entropy) per class, the "effective number of values" compared with l (0 without values)."""
        return np.where(stats.values_per_class(self.column) > 0, np.exp(self.entropy(stats)), 0.0)

    def satisfied(self, stats: ClassStats) -> np.ndarray:
        has_values = stats.values_per_class(self.column) > 0
        return has_values & (self.entropy(stats) >= math.log(self.l) - _EPS)

    def necessary(self, reference: dict[str, np.ndarray]) -> Necessary:
        # H <= log(distinct values), so H >= log l needs at least ⌈l⌉ distinct values (and rows).
        n = math.ceil(self.l - 1e-12)
        return Necessary(min_rows=n, column=self.column, min_distinct=n)

    def describe(self) -> str:
        return f"in every class the entropy of {self.column} is at least log({self.l:g})"

    def __str__(self) -> str:
        return f"entropy-{self.l:g}-diversity({self.column})"
