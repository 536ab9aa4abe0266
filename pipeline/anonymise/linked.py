"""The joined view's building blocks: an earlier release's quasi-identifiers per person, named by a typed
:class:`LinkedColumn`, and their encodings for a later table's search (from the released level up, or fixed).

Why per person and per value: a later table (claims) has a row per claim, but an earlier release holds one
value per person and a few hundred values per level; looking values up by surrogate-space position and
relabelling per value avoids a string per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.hierarchies.base import Hierarchy, truncate
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.prepare import PreparedTable
from pipeline.search.engine import QuasiIdentifier


@dataclass(frozen=True, order=True)
class LinkedColumn:
    """An earlier table's released quasi-identifier as it appears in a later table's joined view.

    ``str()`` gives ``table.column``: the name the search and the manifest (``linked_quasi_identifiers``)
    know it by; code compares the typed fields, never the string."""

    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass
class Linked:
    """An earlier table's released quasi-identifiers per person, memory only: for each distinct person-key
    value (its position in the release's surrogate space), the leaf code of each quasi-identifier, or -1
    for a person absent from that release (suppressed there, or not in that table)."""

    table: str
    hierarchies: dict[str, tuple[Hierarchy, int]]
    codes: dict[str, np.ndarray]
    #: Column → (weight, max_level) of the earlier table's config: the joined view honours them too.
    priorities: dict[str, tuple[float, int | None]] = field(default_factory=dict)
    #: Locally recoded release: per quasi-identifier, each person's released level (dense like ``codes``).
    person_levels: dict[str, np.ndarray] | None = None

    def levels_of(self, name: str, keys: np.ndarray, unknown: int) -> np.ndarray:
        """Released level of ``name`` for rows with person ``keys``; ``unknown`` (the root) when absent."""
        assert self.person_levels is not None
        lv = np.where(keys >= 0, self.person_levels[name][np.maximum(keys, 0)], -1)
        return np.where(lv < 0, unknown, lv)

    def leaf_codes(self, name: str, keys: np.ndarray, unknown: int) -> np.ndarray:
        """Leaf codes of ``name`` for rows with person ``keys`` (surrogate-space positions, -1 for null);
        an absent or null person gets ``unknown`` (the hierarchy's null leaf: the root)."""
        codes = np.where(keys >= 0, self.codes[name][np.maximum(keys, 0)], -1)
        return np.where(codes < 0, unknown, codes).astype(np.int32)

    def released(self, keys: np.ndarray) -> np.ndarray:
        """Per row of a later table (person ``keys``): whether the person is in this release."""
        first = next(iter(self.codes.values()), None)
        if first is None:
            return np.ones(len(keys), dtype=bool)
        return (keys >= 0) & (first[np.maximum(keys, 0)] >= 0)

    def column(self, name: str) -> LinkedColumn:
        return LinkedColumn(self.table, name)


def linked_release(t: PreparedTable, levels: dict[str, int], kept: np.ndarray,
                   surrogates: dict[str, SurrogateSpace],
                   row_levels: dict[str, np.ndarray] | None = None) -> Linked:
    """Per person, the leaf codes of the QIs released at ``levels`` from the ``kept`` rows (suppressed
    persons absent); with local recoding (``row_levels``: level per row) each person's level too."""
    key = t.spec.person_key
    assert key is not None
    space = surrogates[key]
    keys = space.codes(t.values[key])
    released = np.zeros(space.size, dtype=bool)
    released[keys[kept & (keys >= 0)]] = True  # a person is present if any of their rows was kept
    present = (keys >= 0) & released[np.maximum(keys, 0)]
    persons, first = np.unique(keys[present], return_index=True)  # a person's values: their first row's
    codes = {}
    hierarchies = {}
    priorities = {}
    person_levels: dict[str, np.ndarray] | None = None if row_levels is None else {}
    for col in t.spec.by_role("quasi_identifier"):
        priorities[col.output_name] = (col.weight, col.max_level)
        h = t.leaves[col.name][1]
        dense = np.full(space.size, -1, dtype=np.int32)
        dense[persons] = t.leaf_codes(col.name)[present][first]
        codes[col.output_name] = dense
        hierarchies[col.output_name] = (h, levels[col.output_name])
        if person_levels is not None and row_levels is not None:
            lv = np.full(space.size, -1, dtype=np.int64)
            lv[persons] = row_levels[col.output_name][present][first]
            person_levels[col.output_name] = lv
    return Linked(t.spec.name, hierarchies, codes, priorities, person_levels)


def at_least(name: str, h: Hierarchy, codes: np.ndarray, level: int) -> QuasiIdentifier:
    """The quasi-identifier searched from ``level`` up (its values at ``level`` become the leaves)."""
    if level <= 0:
        return QuasiIdentifier(name, codes, h)
    t = truncate(h, level)
    at_level, present, labels = _labels_at(h, codes, level)
    return QuasiIdentifier(name, _encode_present(t, at_level, present, labels, len(h.labels[level])), t)


def fixed(name: str, h: Hierarchy, codes: np.ndarray, level: int) -> QuasiIdentifier:
    """The quasi-identifier held at ``level`` exactly (a one-level hierarchy: the search cannot move it)."""
    at_level, present, labels = _labels_at(h, codes, level)
    uniq = sorted(set(labels.dropna())) or ["-"]
    one = Hierarchy.from_rows(name, [[u] for u in uniq], None, source=f"{h.source} fixed at level {level}")
    codes_fixed = _encode_present(one, at_level, present, labels, len(h.labels[level]))
    return QuasiIdentifier(name, codes_fixed, one)


def fixed_per_row(name: str, h: Hierarchy, codes: np.ndarray, levels: np.ndarray) -> QuasiIdentifier:
    """The quasi-identifier held at each row's own ``levels`` (a locally recoded earlier release: each
    person's label as released), as a one-level hierarchy of the released labels: the search cannot move
    it. Rows with equal labels at different levels are one value, as a reader of the release sees them.
    Labels are handled once per (level, value present); rows only carry integer codes."""
    root = str(h.labels[-1][0])
    value = np.full(len(codes), -1, dtype=np.int64)
    names: dict[str, int] = {}
    for b in (int(b) for b in np.unique(levels)):
        at = levels == b
        at_level = h.maps[b][codes[at]]
        present = np.flatnonzero(np.bincount(at_level, minlength=len(h.labels[b])))
        ids = np.full(len(h.labels[b]), -1, dtype=np.int64)
        for v in present:
            label = str(h.labels[b][v])
            if label != root:
                ids[v] = names.setdefault(label, len(names))
        value[at] = ids[at_level]
    labels = list(names)
    one = Hierarchy.from_rows(name, [[u] for u in labels] or [["-"]], None,
                              source=f"{h.source} fixed at each person's released level")
    lookup = np.append(one.encode(pd.Series(labels, dtype=object)), one.n_leaves).astype(np.int32)
    return QuasiIdentifier(name, lookup[np.where(value >= 0, value, len(labels))], one)


def _labels_at(h: Hierarchy, codes: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Each row's value code at ``level``, the value codes present, and their labels (root / unknown → null).

    Why per value: a linked column has a row per claim but a few hundred values at its level; relabelling
    the values and mapping the codes back gives the rows' labels without a string per row.
    """
    at_level = h.maps[level][codes]
    present = np.flatnonzero(np.bincount(at_level, minlength=len(h.labels[level])))
    labels = pd.Series(h.labels[level][present], dtype=object)
    return at_level, present, labels.where(labels != str(h.labels[-1][0]), None)


def _encode_present(target: Hierarchy, at_level: np.ndarray, present: np.ndarray, labels: pd.Series,
                    n_values: int) -> np.ndarray:
    """``target.encode`` of every row's label, computed once per value present and mapped back."""
    lookup = np.zeros(n_values, dtype=np.int32)
    lookup[present] = target.encode(labels)
    return lookup[at_level]
