"""What local recoding works on: the histogram of distinct quasi-identifier tuples, and per tuple its value,
loss and released-label id at every level of every hierarchy.

Levels are per *tuple* (all rows of one distinct tuple share them), classes are tuples equal on every released
label. Labels are compared as released strings: two levels of one hierarchy may hold the same string, and a
reader of the release cannot tell them apart, so neither may the classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.hierarchies.base import Hierarchy
from pipeline.histogram import Snapshot, Space, group
from pipeline.privacy.base import ClassStats, PrivacyModel

_MAX_KEY = 1 << 62


@dataclass
class LocalSpace:
    base: Snapshot  # level-0 snapshot: the distinct tuples
    space: Space
    anc: list[np.ndarray]  # per attribute: (height, tuples) code at each level
    cost: list[np.ndarray]  # per attribute: (height, tuples) weighted Iyengar LM at each level
    lab: list[np.ndarray]  # per attribute: (height, tuples) released-label id at each level
    top: np.ndarray  # per attribute: the highest level allowed (max_level, else the root)
    models: list[PrivacyModel]
    k: int  # persons a class needs at least (the models' necessary condition)
    stride: np.ndarray | None  # packing of label ids into one int64 key; None when it would overflow
    mult: np.ndarray  # ``stride``, or random multipliers (wrapping int64) when packing would overflow
    floor: np.ndarray  # (tuples, attributes) the lowest level each tuple may be released at

    def hkey(self, labels: np.ndarray) -> np.ndarray:
        """A key per row of label ids: exact when packing fits, else a 64-bit hash. Used only to *find*
        candidate merges; classes themselves are always formed exactly (:meth:`classes`)."""
        with np.errstate(over="ignore"):
            return labels @ self.mult

    @property
    def q(self) -> int:
        return len(self.lab)

    @property
    def n(self) -> int:
        return self.base.n

    def labels(self, lev: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
        """(tuples, attributes) label ids of tuples ``t`` (default all) at levels ``lev`` (same rows)."""
        t = np.arange(self.n) if t is None else t
        return np.stack([self.lab[q][lev[:, q], t] for q in range(self.q)], axis=1)

    def pack(self, labels: np.ndarray) -> np.ndarray:
        """One int64 key per row of label ids, equal iff the labels are equal (within one call)."""
        if self.stride is not None:
            return labels @ self.stride
        inv, _, _ = group([labels[:, q] for q in range(self.q)], [int(lb.max()) + 1 for lb in self.lab])
        return inv

    def classes(self, lev: np.ndarray) -> tuple[np.ndarray, int]:
        """Tuple -> class (tuples equal on every released label), number of classes."""
        _, inv = np.unique(self.pack(self.labels(lev)), return_inverse=True)
        return inv.astype(np.int64), int(inv.max()) + 1 if len(inv) else 0

    def stats(self, part: np.ndarray, n: int) -> ClassStats:
        """Statistics of the classes ``part`` (tuple -> class; −1: excluded, gathered in an extra class n)."""
        inv = np.where(part >= 0, part, n)
        snap = self.space._build((), [], inv, n + 1, self.base, False)
        return ClassStats(n + 1, snap.rows, snap.persons, self.space.stats(snap).sensitive)

    def fails(self, part: np.ndarray, n: int) -> tuple[np.ndarray, ClassStats]:
        """Per class (n of them): fails some model (empty classes never fail)."""
        stats = self.stats(part, n)
        fail = np.zeros(stats.n_classes, dtype=bool)
        for m in self.models:
            fail |= ~m.satisfied(stats)
        return fail[:n] & (stats.rows[:n] > 0), stats


def build(base: Snapshot, space: Space, hierarchies: Sequence[Hierarchy], weights: np.ndarray,
          top: np.ndarray, models: Sequence[PrivacyModel], k: int, floor: np.ndarray) -> LocalSpace:
    """Per tuple and level: codes, weighted loss and released-label ids; the key packing."""
    anc, cost, lab = [], [], []
    for q, h in enumerate(hierarchies):
        a = np.empty((h.height, base.n), dtype=np.int64)
        a[0] = base.codes[q]
        for b in range(1, h.height):
            m = space.up[q][0][b]
            assert m is not None
            a[b] = m[base.codes[q]]
        denom = max(h.n_leaves - 1, 1)
        # level 0 codes are leaf codes; the leaf's label index at level 0 is maps[0][leaf]
        under = [np.asarray(h.leaf_counts[0])[np.asarray(h.maps[0])][a[0]]] + [
            np.asarray(h.leaf_counts[b])[a[b]] for b in range(1, h.height)]
        cost.append(np.stack([(u.astype(np.float64) - 1) / denom * weights[q] for u in under]))
        offs = np.cumsum([0] + [len(h.labels[b]) for b in range(h.height)])
        flat = np.concatenate([np.asarray(h.labels[b], dtype=object) for b in range(h.height)]).astype(str)
        _, ids = np.unique(flat, return_inverse=True)
        lab.append(np.stack([ids[offs[b] + a[b]] for b in range(h.height)]).astype(np.int64))
        anc.append(a)
    cards = [int(lb.max()) + 1 for lb in lab]
    total = 1
    for c in cards:
        total *= c
    stride = None
    if total < _MAX_KEY:
        stride = np.ones(len(cards), dtype=np.int64)
        for q in range(len(cards) - 2, -1, -1):
            stride[q] = stride[q + 1] * cards[q + 1]
    mult = stride if stride is not None else (
        np.random.default_rng(0).integers(1, 1 << 62, size=len(cards), dtype=np.int64) | 1)
    return LocalSpace(base, space, anc, cost, lab, top, list(models), k, stride, mult, floor)
