"""Risk over *all* released columns: uniqueness, smallest class and SUDA special uniques.

k-anonymity holds on the declared quasi-identifiers only. A release also carries attributes (保険料 to the
yen, 代理店コード, 契約日 …) that an acquaintance may know as well; grouped over every released column a
k-anonymous table can still leave almost every row alone in its class. This module measures that, on the
released values:

- **uniqueness**: rows whose class over all measured columns holds one person (sample uniques), their share,
  and the smallest class (in persons). Nulls are a value, as in the validation gate.
- **special uniques** (SUDA, Elliot, Manning, Ford, Skinner 2002; sdcMicro's ``suda2``): a *minimal sample
  unique* (MSU) of a row is a set of columns on which the row is unique while no proper subset is. Rows with
  small MSUs are the riskiest: fewer facts single them out. Every subset of up to ``m`` columns is grouped;
  an MSU of size ``s`` scores ``∏_{i=s}^{m-1} (p − i)`` with ``p`` columns (the original SUDA score;
  sdcMicro ``suda2(original_scores=TRUE)``), a row's score is the sum over its MSUs, and a column's
  contribution is the share of the total score from MSUs containing it ("which columns make rows unique").

Vectorised: every column is encoded once to integer codes; a subset's classes are one integer key per row
(codes mixed arithmetically), counted with ``bincount`` when the key space is small and ``pd.factorize``
(hashing, no sort) otherwise. Uniqueness is monotone (unique on S ⇒ unique on every superset), so only rows
unique over all columns can have an MSU, and an MSU needs checking against its immediate subsets only; a
table with no unique row costs one grouping. Persons, not rows: with several rows per person, a class's size
is its number of distinct persons.

Weakness (as SUDA's): subsets larger than ``m`` are not searched, so a row unique only on five columns has
score 0 although it counts as unique; the uniqueness figures cover that case.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations

import numpy as np
import pandas as pd

#: Persons with at most this many rows are de-duplicated by comparing their rows, the rest by hashing.
_WINDOW = 8
#: Above this many possible keys per row a subset's key is hashed (``factorize``) instead of counted densely.
_DENSE_FACTOR = 4


@dataclass(frozen=True)
class AttributeRisk:
    """Risk of one table (or joined view) over its measured columns. Counts and column names only."""

    columns: tuple[str, ...]
    rows: int
    persons: int
    classes: int
    #: Rows whose class over all measured columns holds one person, and those persons.
    unique_rows: int
    unique_persons: int
    #: Smallest class over all measured columns, in persons (0 for an empty table).
    min_class_size: int
    max_msu_size: int
    #: Rows with at least one MSU of at most ``max_msu_size`` columns (special uniques).
    special_unique_rows: int
    #: MSU size → rows having an MSU of that size.
    msu_rows_by_size: dict[int, int] = field(default_factory=dict)
    #: Column → share of the total SUDA score from MSUs containing it (0..1; sums to ≥ 1 over columns).
    contribution: dict[str, float] = field(default_factory=dict)
    #: The column sets that are MSUs of most rows: (columns, rows), largest first (at most 5).
    top_msus: tuple[tuple[tuple[str, ...], int], ...] = ()
    #: SUDA score per row (in memory only; the report draws its distribution).
    row_score: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)

    @property
    def unique_share(self) -> float:
        return self.unique_rows / self.rows if self.rows else 0.0

    def ranked_columns(self) -> list[str]:
        """Columns by contribution, largest first (only those contributing)."""
        return [c for c, v in sorted(self.contribution.items(), key=lambda kv: -kv[1]) if v > 0]

    def as_dict(self) -> dict:
        return {
            "columns": list(self.columns),
            "rows": self.rows,
            "persons": self.persons,
            "classes": self.classes,
            "unique_rows": self.unique_rows,
            "unique_share": self.unique_share,
            "unique_persons": self.unique_persons,
            "min_class_size": self.min_class_size,
            "max_msu_size": self.max_msu_size,
            "special_unique_rows": self.special_unique_rows,
            "msu_rows_by_size": {str(k): v for k, v in self.msu_rows_by_size.items()},
            "contribution": dict(self.contribution),
            "top_msus": [{"columns": list(c), "rows": n} for c, n in self.top_msus],
        }


def encode(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes 0..n-1 of a column (null is one more value) and the number of codes; int32 (a column has
    fewer than 2**31 values: half the memory of int64 for every column of a release and its joined view,
    the groupings' keys are int64 all the same)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int32)
        n = len(values.cat.categories)
        return np.where(codes < 0, np.int32(n), codes), n + 1
    codes, uniq = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int32), max(len(uniq), 1)


@dataclass(frozen=True)
class Persons:
    """One dense person number per row (``codes`` in ``0..n-1``) and ``n``, the number of persons."""

    codes: np.ndarray
    n: int

    @classmethod
    def of(cls, person: np.ndarray | pd.Series) -> Persons:
        codes, uniq = pd.factorize(person if isinstance(person, pd.Series) else np.asarray(person),
                                   use_na_sentinel=False)
        return cls(codes.astype(np.int64), len(uniq))

    def take(self, rows: np.ndarray) -> Persons:
        """The persons of ``rows`` (numbers kept: ``n`` still bounds them)."""
        return Persons(self.codes[rows], self.n)

    def distinct(self, mask: np.ndarray | None = None) -> int:
        """Distinct persons among the rows (those of ``mask``)."""
        codes = self.codes if mask is None else self.codes[mask]
        return int(np.count_nonzero(np.bincount(codes, minlength=self.n)))


class _Grouper:
    """Class sizes (in persons) of column subsets over encoded columns.

    With several rows per person a class counts distinct (class, person) pairs. The rows are put in an order
    that makes this cheap, once (:attr:`order`: the callers' per-row results come in it): first the persons
    with one row, then those with two rows, three, … up to :data:`_WINDOW`, each person's rows together,
    then the persons with more. A person's only row is one pair by itself (``bincount``); the rows of a
    person with ``r`` rows are one row of an ``(persons, r)`` block, and a row repeats a pair when an earlier
    row of its block has the same class: a few comparisons of contiguous columns per subset instead of
    hashing every pair (3M policyholders' joined view: hashing was 9 of 23 s). Only the rows of persons with
    more rows are hashed."""

    def __init__(self, codes: list[np.ndarray], cards: list[int], person: Persons | None) -> None:
        self.codes, self.cards = codes, cards
        self.n = len(codes[0]) if codes else 0
        self.person: Persons | None = None
        self.order: np.ndarray | None = None
        if person is not None:
            per = np.bincount(person.codes, minlength=person.n)
            rows_of = per[person.codes]
            if (rows_of > 1).any():  # several rows per person: classes count distinct persons
                bucket = np.minimum(rows_of, _WINDOW + 1)
                self.order = np.lexsort((person.codes, bucket))
                # in place, one column at a time: a caller that handed its only references over frees each
                # column as its reordered copy is made (a list comprehension held both of every column)
                self.codes = codes
                for i in range(len(codes)):
                    codes[i] = codes[i][self.order]
                self.person = person.take(self.order)
                ends = np.cumsum(np.bincount(bucket, minlength=_WINDOW + 2))
                self.blocks = [(r, int(ends[r - 1]), int(ends[r])) for r in range(1, _WINDOW + 1)
                               if ends[r] > ends[r - 1]]
                self.many = int(ends[_WINDOW])

    def classes(self, subset: Sequence[int]) -> tuple[np.ndarray, int]:
        """Dense class number per row and the number of classes."""
        key = np.zeros(self.n, dtype=np.int64)
        space = 1
        for j in subset:
            if space * self.cards[j] > 2**62:
                key, space = self._dense(key, space)
            key = key * self.cards[j] + self.codes[j]
            space *= self.cards[j]
        return self._dense(key, space)

    def _dense(self, key: np.ndarray, space: int) -> tuple[np.ndarray, int]:
        """Dense class numbers of ``key`` (< ``space``): through a table of ``space`` entries while it is
        at most :data:`_DENSE_FACTOR` times the rows, marked as bytes and numbered as int32 (5 bytes an
        entry: with int64 counts and sums it was 17, up to 0.7 GB per subset at 10M rows, the run's peak in
        the claims' joined view), else hashed."""
        if space <= _DENSE_FACTOR * max(self.n, 1):
            present = np.zeros(space, dtype=bool)
            present[key] = True
            remap = np.cumsum(present, dtype=np.int32 if space < 2**31 else np.int64)
            classes = remap[key].astype(np.int64)
            classes -= 1
            return classes, int(remap[-1]) if space else 0
        dense, uniq = pd.factorize(key)
        return dense.astype(np.int64), len(uniq)

    def persons_per_row(self, subset: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Persons in each row's class over ``subset``, and persons per class."""
        cls, n_cls = self.classes(subset)
        if self.person is None:
            size = np.bincount(cls, minlength=n_cls)
        else:
            size = np.zeros(n_cls, dtype=np.int64)
            for r, a, b in self.blocks:
                block = cls[a:b].reshape(-1, r)  # one person's rows per line
                if r == 1:
                    size += np.bincount(block[:, 0], minlength=n_cls)
                    continue
                first = np.ones(block.shape, dtype=bool)
                for j in range(1, r):
                    for i in range(j):
                        first[:, j] &= block[:, j] != block[:, i]
                size += np.bincount(block[first], minlength=n_cls)
            if self.many < self.n:
                pairs = pd.unique(cls[self.many:] * self.person.n + self.person.codes[self.many:])
                size += np.bincount(pairs // self.person.n, minlength=n_cls)
        return size[cls], size


def suda_weight(size: int, m: int, p: int) -> float:
    """SUDA score of one MSU of ``size`` columns (Elliot et al. 2002): ∏_{i=size}^{m-1} (p − i)."""
    return float(math.prod(p - i for i in range(size, m)))


def attribute_risk(frame: pd.DataFrame, columns: Sequence[str], person: np.ndarray | None = None,
                   m: int = 3, suda_sample: int | None = None) -> AttributeRisk:
    """Uniqueness and special uniques of ``frame`` over ``columns``; ``person`` (one id per row) makes every
    class size count distinct persons (``None``: each row is a person).

    ``suda_sample``: above this many rows, the SUDA part (not the uniqueness) runs on a fixed random sample of
    rows. Only for deciding *which* columns drive uniques (``protect_attributes``' first round): a sample has
    more uniques than the whole, so it flags at least the columns the whole would; reported figures are
    always computed on every row."""
    columns = tuple(columns)
    encoded = [encode(frame[c]) for c in columns] if len(frame) else []
    return attribute_risk_codes(columns, encoded, len(frame),
                                Persons.of(person) if person is not None else None, m, suda_sample)


def attribute_risk_codes(columns: Sequence[str], encoded: Sequence[tuple[np.ndarray, int]], n: int,
                         person: Persons | None = None, m: int = 3,
                         suda_sample: int | None = None, consume: bool = False) -> AttributeRisk:
    """:func:`attribute_risk` on columns encoded already (:func:`encode`: codes and their number, one pair per
    column of ``columns``) over ``n`` rows: what ``pipeline.attributes.measure`` calls, encoding each released
    column once for the table and its joined view. ``consume`` (``encoded`` a list nobody else reads): the
    list is emptied and each column's codes let go of as soon as the grouping holds them in its own row
    order, so that a joined view is not held twice (10M claims: 13 columns, 300 MiB)."""
    columns = tuple(columns)
    persons = person.distinct() if person is not None and n else n
    m = max(1, min(int(m), len(columns)))
    if not columns or n == 0:
        return AttributeRisk(columns, n, persons, 1 if n else 0, 0, 0, persons, m, 0)
    codes, cards = [e[0] for e in encoded], [e[1] for e in encoded]
    sampled = suda_sample is not None and n > suda_sample
    if consume and not sampled and isinstance(encoded, list):
        encoded.clear()
    g = _Grouper(codes, cards, person)
    del codes
    size_row, size = g.persons_per_row(range(len(columns)))
    unique = size_row == 1  # in the grouper's row order
    unique_rows = int(unique.sum())
    rows_person = g.person if g.person is not None else person  # the grouper's row order
    unique_persons = rows_person.distinct(unique) if rows_person is not None else unique_rows
    base = dict(columns=columns, rows=n, persons=persons, classes=len(size), unique_rows=unique_rows,
                unique_persons=unique_persons, min_class_size=int(size.min()), max_msu_size=m)
    if unique_rows == 0:
        return AttributeRisk(**base, special_unique_rows=0, row_score=np.zeros(n))  # type: ignore[arg-type]
    if suda_sample is not None and n > suda_sample:
        rows = np.sort(np.random.default_rng(0).choice(n, suda_sample, replace=False))
        g = _Grouper([e[0][rows] for e in encoded], g.cards, None if person is None else person.take(rows))
        unique = g.persons_per_row(range(len(columns)))[0] == 1
        return _suda(g, columns, unique, m, base)  # row scores of the sample, in the sample's grouper's order
    risk = _suda(g, columns, unique, m, base)
    if g.order is None:
        return risk
    score = np.empty_like(risk.row_score)
    score[g.order] = risk.row_score  # back to the rows' own order
    return replace(risk, row_score=score)


def _suda(g: _Grouper, columns: tuple[str, ...], unique: np.ndarray, m: int, base: dict) -> AttributeRisk:
    """MSUs of up to ``m`` columns of the rows unique over all columns (the only rows that can have one)."""
    p = len(columns)
    rows = np.flatnonzero(unique)
    score = np.zeros(len(rows))
    column_score = np.zeros(p)
    by_size: dict[int, int] = {}
    found: list[tuple[tuple[str, ...], int]] = []
    has_msu = np.zeros(len(rows), dtype=bool)
    # each subset's unique rows, kept for the next size only, as bits (a byte holds 8 rows: the 220 subsets
    # of three of 12 columns over 6M rows were 1.3 GB as booleans); the last size keeps none
    previous: dict[tuple[int, ...], np.ndarray] = {}
    for s in range(1, m + 1):
        weight = suda_weight(s, m, p)
        current: dict[tuple[int, ...], np.ndarray] = {}
        any_of_size = np.zeros(len(rows), dtype=bool)
        for subset in combinations(range(p), s):
            size_row, _ = g.persons_per_row(subset)
            uniq = size_row[rows] == 1
            if s < m:
                current[subset] = np.packbits(uniq)
            if not uniq.any():
                continue
            msu = uniq.copy()
            if s > 1:
                for drop in range(s):
                    below = previous[subset[:drop] + subset[drop + 1:]]
                    msu &= ~np.unpackbits(below, count=len(rows)).view(bool)
            count = int(msu.sum())
            if count:
                score[msu] += weight
                column_score[list(subset)] += weight * count
                any_of_size |= msu
                found.append((tuple(columns[j] for j in subset), count))
        by_size[s] = int(any_of_size.sum())
        has_msu |= any_of_size
        previous = current
    total = float(score.sum())
    row_score = np.zeros(len(unique))
    row_score[rows] = score
    contribution = {c: (float(column_score[j]) / total if total else 0.0) for j, c in enumerate(columns)}
    top = tuple(sorted(found, key=lambda x: (-x[1], len(x[0])))[:5])
    return AttributeRisk(**base, special_unique_rows=int(has_msu.sum()),
                         msu_rows_by_size=by_size, contribution=contribution, top_msus=top,
                         row_score=row_score)
