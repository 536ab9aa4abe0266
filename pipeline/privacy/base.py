"""The contract every privacy model follows: one vectorised predicate over equivalence-class statistics.

A model never sees rows. The search hands it :class:`ClassStats` (per class: rows, distinct persons, and
for each sensitive column the (class, value, count) pairs plus the reference distribution over the whole
input, as ARX uses) and gets back one boolean per class. Classes that fail are suppressed whole, within the
suppression limit (ARX's rule), so a model only has to say which classes it accepts.

Monotonicity decides what the search may prune (Bayardo & Agrawal 2005; Kohlmayer et al., Flash, 2012):

- ``monotonic_without_suppression``: if every class of a node passes, every class of a coarser node passes.
  True for all models here (merging classes keeps sizes, distinct counts, entropy and EMD within bounds).
- ``monotonic_with_suppression``: the rows failing at a coarser node are a subset of those failing at a finer
  one. True only when a merged class that fails is made of classes that all fail: k-anonymity and distinct
  l-diversity. Entropy / recursive l-diversity and t-closeness are not (a failing class merged with a passing
  one can fail), so with suppression the search prunes with their :meth:`necessary` monotone conditions only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class SensitivePairs:
    """Distribution of one sensitive column per class, sparse: one entry per (class, value) present."""

    cls: np.ndarray  # int64 class index per pair, sorted ascending
    value: np.ndarray  # int64 value code per pair (0..n_values-1)
    count: np.ndarray  # int64 rows per pair
    n_values: int
    ordered: bool
    reference: np.ndarray  # share of each value in the whole input (t-closeness's global distribution)


@dataclass(frozen=True)
class ClassStats:
    """Statistics of the equivalence classes of one lattice node."""

    n_classes: int
    rows: np.ndarray  # int64 rows per class
    persons: np.ndarray  # int64 distinct persons per class (== rows when each row is a person)
    sensitive: dict[str, SensitivePairs]

    def pairs(self, column: str | None) -> SensitivePairs:
        assert column is not None
        return self.sensitive[column]


@dataclass(frozen=True)
class Necessary:
    """A monotone necessary condition (with suppression) implied by a model: a class passing the model has at
    least ``min_rows`` rows, ``min_persons`` persons and ``min_distinct`` distinct values of ``column``."""

    min_rows: int = 1
    min_persons: int = 1
    column: str | None = None
    min_distinct: int = 1


class PrivacyModel(ABC):
    """One privacy model: immutable parameters and one predicate per equivalence class."""

    name: ClassVar[str]
    monotonic_with_suppression: ClassVar[bool] = False
    monotonic_without_suppression: ClassVar[bool] = True
    #: The sensitive column the model protects (None for k-anonymity); a dataclass field in subclasses.
    column: str | None

    @abstractmethod
    def satisfied(self, stats: ClassStats) -> np.ndarray:
        """Boolean per class: True if the class meets the model."""

    def necessary(self, reference: dict[str, np.ndarray]) -> Necessary:
        """A weaker, monotone-with-suppression condition every passing class meets (for pruning)."""
        return Necessary()

    @abstractmethod
    def describe(self) -> str:
        """One sentence for reports: what the model guarantees, in plain words."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"


def class_sums(cls: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Per-class sum of ``weights`` (float64)."""
    return np.bincount(cls, weights=weights, minlength=n)
