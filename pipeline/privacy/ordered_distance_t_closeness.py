"""t-closeness with the ordered ground distance (Li, Li & Venkatasubramanian 2007), for ordinal and numeric
sensitive values: values are ranked 0..m−1 and the EMD is (1/(m−1)) Σ_i |Σ_{j≤i} (p_j − q_j)|, so moving
mass between neighbouring values costs little and between extremes a lot.

Q is the distribution over the whole input (before suppression), as in ARX. Monotone without suppression,
not with it; the necessary monotone condition used for pruning is the minimal class size (rounding the
cumulative distribution s·Q to integers is the best a class of ``s`` rows can do).

P and Q are over the non-null values (the null policy, ``pipeline.privacy.base``), ranked as
:func:`~pipeline.privacy.base.code_values` codes them (sorted; numbers by value). A class holding only nulls
has no distribution: its distance is taken as 1, the largest possible, and it fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from pipeline.privacy.base import ClassStats, Necessary, Parameter, PrivacyModel

_EPS = 1e-12
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True, repr=False)
class OrderedDistanceTCloseness(PrivacyModel):
    column: str | None
    t: float
    name: ClassVar[str] = "ordered-distance-t-closeness"
    worst: ClassVar[Literal["min", "max"]] = "max"
    parameters: ClassVar[tuple[Parameter, ...]] = (Parameter("t", float, "in [0, 1]", lambda v: 0 <= v <= 1),)

    def distance(self, stats: ClassStats) -> np.ndarray:
        p = stats.pairs(self.column)
        size = stats.values_per_class(self.column)
        m = p.n_values
        out = np.where(size > 0, 0.0, 1.0)
        if m < 2:
            return out
        rows = np.where(size > 0, size, 1.0)
        cum_q = np.cumsum(p.reference)
        step = max(1, _CHUNK_CELLS // m)
        bounds = np.searchsorted(p.cls, np.arange(0, stats.n_classes + step, step))
        for i, lo in enumerate(range(0, stats.n_classes, step)):
            hi = min(lo + step, stats.n_classes)
            a, b = bounds[i], bounds[i + 1]
            dense = np.zeros((hi - lo, m))
            dense[p.cls[a:b] - lo, p.value[a:b]] = p.count[a:b]
            dense /= rows[lo:hi, None]
            d = np.abs(np.cumsum(dense, axis=1) - cum_q).sum(axis=1) / (m - 1)
            out[lo:hi] = np.where(size[lo:hi] > 0, d, 1.0)
        return out

    def statistic(self, stats: ClassStats) -> np.ndarray:
        """The earth mover's distance per class (1 for a class without values)."""
        return self.distance(stats)

    def satisfied(self, stats: ClassStats) -> np.ndarray:
        return (stats.values_per_class(self.column) > 0) & (self.distance(stats) <= self.t + _EPS)

    def necessary(self, reference: dict[str, np.ndarray]) -> Necessary:
        q = np.asarray(reference[str(self.column)], dtype=np.float64)
        m = len(q)
        if m < 2:
            return Necessary()
        cum_q = np.cumsum(q)
        for s in range(1, 100_000):
            best = np.abs(np.round(s * cum_q) / s - cum_q).sum() / (m - 1)
            if best <= self.t + _EPS:
                return Necessary(min_rows=s)
        return Necessary(min_rows=100_000)

    def describe(self) -> str:
        return (f"in every class the distribution of {self.column} is within {self.t:g} "
                f"(earth mover's distance, "
                f"ordered distance) of its distribution over the whole data")

    def __str__(self) -> str:
        return f"{self.t:g}-closeness({self.column}, ordered distance)"
