"""t-closeness with the equal ground distance (Li, Li & Venkatasubramanian 2007, "t-Closeness: Privacy Beyond
k-Anonymity and l-Diversity"), for categorical sensitive values.

The Earth Mover's Distance between a class's distribution P and the distribution Q of the whole input, with
every two distinct values at distance 1, is half the L1 distance: ½ Σ |p_v − q_v|; each class must be within
``t``. Q is the input's distribution before suppression, as in ARX (pycanon recomputes it on the released
rows, so its t can differ slightly when records were suppressed).

Monotone without suppression (the EMD is convex in P), not with suppression. Its necessary monotone
conditions: a class of ``s`` rows cannot get closer to Q than rounding s·Q to integers allows, and a class
holding ``d`` values is at least 1 − (sum of the d largest q) away; the search prunes with both.

P and Q are over the non-null values (the null policy, ``pipeline.privacy.base``). A class holding only
nulls has no distribution: its distance is taken as 1, the largest possible, and it fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from pipeline.privacy.base import ClassStats, Necessary, Parameter, PrivacyModel

_EPS = 1e-12


@dataclass(frozen=True, repr=False)
class EqualDistanceTCloseness(PrivacyModel):
    column: str | None
    t: float
    name: ClassVar[str] = "equal-distance-t-closeness"
    worst: ClassVar[Literal["min", "max"]] = "max"
    parameters: ClassVar[tuple[Parameter, ...]] = (Parameter("t", float, "in [0, 1]", lambda v: 0 <= v <= 1),)

    def distance(self, stats: ClassStats) -> np.ndarray:
        p = stats.pairs(self.column)
        size = stats.values_per_class(self.column)
        q = p.reference[p.value]
        share = p.count / size[p.cls]
        # absent values contribute q_v each; Σ q = 1, so ½(Σ_present (|p−q| − q) + 1)
        present = np.bincount(p.cls, weights=np.abs(share - q) - q, minlength=stats.n_classes)
        return np.where(size > 0, 0.5 * (present + 1.0), 1.0)

    def statistic(self, stats: ClassStats) -> np.ndarray:
        """The earth mover's distance per class (1 for a class without values)."""
        return self.distance(stats)

    def satisfied(self, stats: ClassStats) -> np.ndarray:
        return (stats.values_per_class(self.column) > 0) & (self.distance(stats) <= self.t + _EPS)

    def necessary(self, reference: dict[str, np.ndarray]) -> Necessary:
        q = np.asarray(reference[str(self.column)], dtype=np.float64)
        top = np.cumsum(np.sort(q)[::-1])
        min_distinct = int(np.argmax(1.0 - top <= self.t + _EPS)) + 1
        return Necessary(min_rows=_min_rows(q, self.t), column=self.column, min_distinct=min_distinct)

    def describe(self) -> str:
        return (f"in every class the distribution of {self.column} is within {self.t:g} "
                f"(earth mover's distance, "
                f"equal distance) of its distribution over the whole data")

    def __str__(self) -> str:
        return f"{self.t:g}-closeness({self.column}, equal distance)"


def _min_rows(q: np.ndarray, t: float, limit: int = 100_000) -> int:
    """Smallest class size whose best possible distribution (s·q rounded by largest remainders, the L1
    optimum) is within ``t``; smaller classes always fail."""
    for s in range(1, limit):
        x = s * q
        c = np.floor(x)
        r = round(s - c.sum())
        if r > 0:
            c[np.argsort(-(x - c), kind="stable")[:r]] += 1
        if 0.5 * np.abs(c / s - q).sum() <= t + _EPS:
            return s
    return limit
