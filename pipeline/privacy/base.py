"""The contract every privacy model follows: declared parameters, and one vectorised predicate over
equivalence-class statistics, used by both the search and the gate.

A model never sees rows. The search hands it :class:`ClassStats` (per class: rows, distinct persons, and
for each sensitive column the (class, value, count) pairs plus the reference distribution, as ARX uses) and
gets back one boolean per class. Classes that fail are suppressed whole, within the suppression limit (ARX's
rule), so a model only has to say which classes it accepts. The validation gate (``pipeline.validation``)
builds the same :class:`ClassStats` from the released rows (:func:`pairs_from_rows`) and calls the same
:meth:`PrivacyModel.satisfied`: one rule, two callers. A model's parameters are declared once
(:attr:`PrivacyModel.parameters`) and checked by :meth:`PrivacyModel.from_params`, which the config loader
calls at load time, so a bad parameter stops the run before any input is read.

**The null policy** (one, for the search and the gate): a null sensitive value is *not a value*. It is left
out of every class's distribution and of the reference distribution, so it adds no diversity and no mass
(:meth:`ClassStats.pairs` drops it; every model reads its column through that method). Why: a null
discloses nothing about a person, but counting it as a value of its own inflates diversity — a class
holding {HIV, null} would be "2-diverse" while everyone in it with a recorded diagnosis has HIV (for a
claims table, the persons an attacker is after). A class with no non-null value has no distribution at all
and fails every model on that column (fail closed: we do not know what a null means in the source — "not
recorded" or "none" — and a class whose values are all null is homogeneous in that). Values are coded by
:func:`code_values`, sorted (numbers by value), a null as the last code.

Monotonicity decides what the search may prune (Bayardo & Agrawal 2005; Kohlmayer et al., Flash, 2012):

- ``monotonic_without_suppression``: if every class of a node passes, every class of a coarser node passes.
  True for all models here (merging classes keeps sizes, distinct counts, entropy and EMD within bounds).
- ``monotonic_with_suppression``: the rows failing at a coarser node are a subset of those failing at a finer
  one. True only when a merged class that fails is made of classes that all fail: k-anonymity and distinct
  l-diversity. Entropy / recursive l-diversity and t-closeness are not (a failing class merged with a passing
  one can fail), so with suppression the search prunes with their :meth:`necessary` monotone conditions only.
  Leaving nulls out keeps these properties: distinct non-null values of a merged class are the union of its
  parts'.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

import numpy as np
import pandas as pd

from pipeline.errors import ConfigError


@dataclass(frozen=True)
class SensitivePairs:
    """Distribution of one sensitive column per class, sparse: one entry per (class, value) present."""

    cls: np.ndarray  # int64 class index per pair, sorted ascending
    value: np.ndarray  # int64 value code per pair (0..n_values-1)
    count: np.ndarray  # int64 rows per pair
    n_values: int
    ordered: bool
    reference: np.ndarray  # share of each code in the whole input (t-closeness's global distribution)
    #: The code that stands for a null (always the last, ``n_values - 1``), or None when none is coded.
    null: int | None = None

    def __post_init__(self) -> None:
        if self.null is not None and self.null != self.n_values - 1:
            raise ValueError(f"the null code must be the last code ({self.n_values - 1}), found {self.null}")

    def without_nulls(self) -> SensitivePairs:
        """The pairs as every model sees them (the null policy, module docstring): no null pair, the codes
        0..n_values-2, the reference renormalised over the non-null values."""
        if self.null is None:
            return self
        keep = self.value != self.null
        return SensitivePairs(self.cls[keep], self.value[keep], self.count[keep], self.n_values - 1,
                              self.ordered, non_null_reference(self.reference, self.null))


@dataclass(frozen=True)
class ClassStats:
    """Statistics of the equivalence classes of one lattice node (or of a released table)."""

    n_classes: int
    rows: np.ndarray  # int64 rows per class
    persons: np.ndarray  # int64 distinct persons per class (== rows when each row is a person)
    sensitive: dict[str, SensitivePairs]
    _values: dict[str, SensitivePairs] = field(default_factory=dict, repr=False, compare=False)

    def pairs(self, column: str | None) -> SensitivePairs:
        """The non-null values of ``column`` per class: the only way a model reads a sensitive column."""
        assert column is not None
        if column not in self._values:
            self._values[column] = self.sensitive[column].without_nulls()
        return self._values[column]

    def values_per_class(self, column: str | None) -> np.ndarray:
        """Non-null rows of ``column`` per class (float64; 0 for a class holding only nulls)."""
        p = self.pairs(column)
        return class_sums(p.cls, p.count.astype(np.float64), self.n_classes)


def non_null_reference(reference: np.ndarray, null: int | None) -> np.ndarray:
    """The reference distribution over the non-null values only (the null's share dropped, the rest
    renormalised to sum to 1; all zeros when the column holds nothing but nulls)."""
    q = np.asarray(reference, dtype=np.float64)
    if null is None:
        return q
    q = np.delete(q, null)
    total = q.sum()
    return q / total if total > 0 else q


def code_values(values: pd.Series, numeric: bool = False) -> tuple[np.ndarray, int, int]:
    """Sensitive values as codes: ``(codes, n_values, null_code)``. Values are sorted (numbers by value;
    ``numeric`` reads the values as numbers first, text that is not a number becoming null), and a null
    gets the last code, ``n_values - 1``, whether or not any row is null. Used by the search and the gate
    alike, so that both see the same values in the same order (the order ordered t-closeness measures)."""
    if numeric:
        num = pd.to_numeric(values, errors="coerce")
        uniq = np.sort(num.dropna().unique())
        codes = np.searchsorted(uniq, num.to_numpy(dtype="float64", na_value=np.nan))
        codes = np.where(num.isna().to_numpy(), len(uniq), codes)
        return codes.astype(np.int32), len(uniq) + 1, len(uniq)
    raw, uniq = pd.factorize(values, sort=True)
    codes = np.where(raw < 0, len(uniq), raw)
    return codes.astype(np.int32), len(uniq) + 1, len(uniq)


def pairs_from_rows(class_id: np.ndarray, n_classes: int, codes: np.ndarray, n_values: int,
                    null: int | None, ordered: bool = False) -> SensitivePairs:
    """The (class, value, count) pairs of rows, and the rows' own distribution as the reference (the gate's
    view: a released table is all it has)."""
    cls = np.asarray(class_id, dtype=np.int64)
    code = np.asarray(codes, dtype=np.int64)
    key, count = np.unique(cls * n_values + code, return_counts=True)
    reference = np.bincount(code, minlength=n_values) / max(len(code), 1)
    return SensitivePairs(key // n_values, key % n_values, count.astype(np.int64), n_values, ordered,
                          reference, null)


@dataclass(frozen=True)
class Necessary:
    """A monotone necessary condition (with suppression) implied by a model: a class passing the model has at
    least ``min_rows`` rows, ``min_persons`` persons and ``min_distinct`` distinct values of ``column``."""

    min_rows: int = 1
    min_persons: int = 1
    column: str | None = None
    min_distinct: int = 1


class ParameterError(ConfigError):
    """A model parameter is missing, of the wrong kind or out of range; ``key`` names it (the config loader
    turns it into the YAML path, ``tables.<t>.models[<i>].<key>``)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True)
class Parameter:
    """One parameter of a model: its name in the config, its kind and its allowed range."""

    name: str
    kind: type[int] | type[float]
    #: The allowed range in words, for the error ("at least 1", "in [0, 1]").
    allowed: str
    ok: Callable[[float], bool]
    #: Must be a whole number (a count of values), even when written as ``2.0``.
    whole: bool = False

    def check(self, model: str, value: Any) -> int | float:
        if value is None:
            raise ParameterError(self.name, f"{model} needs {self.name!r} ({self.allowed})")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(self.name, f"{model}: {self.name} must be a number {self.allowed}, "
                                            f"found {type(value).__name__}")
        if self.kind is int and not isinstance(value, int):
            raise ParameterError(self.name, f"{model}: {self.name} must be an integer {self.allowed}, "
                                            f"found {value}")
        if not math.isfinite(value) or not self.ok(value):
            raise ParameterError(self.name, f"{model}: {self.name} must be {self.allowed}, found {value}")
        if self.whole and float(value) != int(value):
            raise ParameterError(self.name, f"{model}: {self.name} counts values, so it must be a whole "
                                            f"number {self.allowed}, found {value}")
        return self.kind(value)


class PrivacyModel(ABC):
    """One privacy model: its declared parameters, and one predicate per equivalence class."""

    name: ClassVar[str]
    monotonic_with_suppression: ClassVar[bool] = False
    monotonic_without_suppression: ClassVar[bool] = True
    #: The model's parameters besides the column, in the config's spelling (``k``, ``l``, ``c``, ``t``).
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    #: Whether the model protects a sensitive column (config key ``column``); k-anonymity does not.
    takes_column: ClassVar[bool] = True
    #: Which end of :meth:`statistic` is the worst class ("min": the smallest figure is the worst).
    worst: ClassVar[Literal["min", "max"]] = "min"
    #: The sensitive column the model protects (None for k-anonymity); a dataclass field in subclasses.
    column: str | None

    @classmethod
    def from_params(cls, column: str | None, values: Mapping[str, Any]) -> Self:
        """The model from its config parameters, each checked against its declared range; raises
        :class:`ParameterError` naming the parameter (``column`` when it is missing or not taken)."""
        unknown = sorted(set(values) - {p.name for p in cls.parameters})
        if unknown:
            raise ParameterError(unknown[0], f"{cls.name} takes no {unknown[0]!r}; its parameters: "
                                             f"{', '.join(cls.parameter_names())}")
        if cls.takes_column and not column:
            raise ParameterError("column", f"{cls.name} needs 'column' (the sensitive column it protects)")
        if not cls.takes_column and column is not None:
            raise ParameterError("column", f"{cls.name} protects no single column; it takes no 'column'")
        checked = {p.name: p.check(cls.name, values.get(p.name)) for p in cls.parameters}
        make: Callable[..., Self] = cls  # a dataclass subclass: its fields are the column and parameters
        return make(column, **checked) if cls.takes_column else make(**checked)

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        return (("column",) if cls.takes_column else ()) + tuple(p.name for p in cls.parameters)

    @abstractmethod
    def statistic(self, stats: ClassStats) -> np.ndarray:
        """One figure per class that the predicate bounds (persons, distinct values, a distance …): what the
        gate reports for the worst class (see :attr:`worst`). Never a value of the data."""

    @abstractmethod
    def satisfied(self, stats: ClassStats) -> np.ndarray:
        """Boolean per class: True if the class meets the model."""

    def necessary(self, reference: dict[str, np.ndarray]) -> Necessary:
        """A weaker, monotone-with-suppression condition every passing class meets (for pruning);
        ``reference``: the non-null reference distribution per column."""
        return Necessary()

    @abstractmethod
    def describe(self) -> str:
        """One sentence for reports: what the model guarantees, in plain words."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"


def class_sums(cls: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Per-class sum of ``weights`` (float64)."""
    return np.bincount(cls, weights=weights, minlength=n)
