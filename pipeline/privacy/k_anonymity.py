"""k-anonymity (Samarati & Sweeney 1998; Sweeney 2002), counted in distinct persons.

Each equivalence class holds at least ``k`` distinct persons, so a prosecutor who knows a person's
quasi-identifiers finds at least ``k`` candidates. Counting persons rather than rows matters when a table
has several rows per person (claims): ``k`` rows of one person protect nobody. Weakness: says nothing about
the sensitive values inside a class (homogeneity attack), see l-diversity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from pipeline.privacy.base import ClassStats, Necessary, Parameter, PrivacyModel


@dataclass(frozen=True, repr=False)
class KAnonymity(PrivacyModel):
    k: int
    name: ClassVar[str] = "k-anonymity"
    column: ClassVar[str | None] = None  # type: ignore[misc]
    monotonic_with_suppression: ClassVar[bool] = True
    takes_column: ClassVar[bool] = False
    parameters: ClassVar[tuple[Parameter, ...]] = (
        Parameter("k", int, "at least 2 (k = 1 protects nobody)", lambda v: v >= 2),
    )

    def statistic(self, stats: ClassStats) -> np.ndarray:
        """Distinct persons per class."""
        return stats.persons.astype(np.float64)

    def satisfied(self, stats: ClassStats) -> np.ndarray:
        return stats.persons >= self.k

    def necessary(self, reference: dict[str, np.ndarray]) -> Necessary:
        return Necessary(min_persons=self.k, min_rows=self.k)

    def describe(self) -> str:
        return f"every combination of quasi-identifier values is shared by at least {self.k} persons"

    def __str__(self) -> str:
        return f"{self.k}-anonymity"
