"""Columns released at a level per row (local recoding): their labels, and the joined view's fixed form.

A locally recoded quasi-identifier has one level per row. The release writes each row's label at its own
level; a later table linked by the person key sees each person's *released label* (whatever its level) and
cannot make it finer or coarser: the joined view holds it fixed, a one-level hierarchy of the labels that
occur, exactly as a recipient assembles it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.hierarchies.base import Hierarchy
from pipeline.search.engine import QuasiIdentifier


def generalise_rows(h: Hierarchy, codes: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Label of each leaf code at its row's level (object array of str); one lookup per level used."""
    codes = np.asarray(codes)
    levels = np.asarray(levels)
    out = np.empty(len(codes), dtype=object)
    for b in np.unique(levels):
        at = levels == b
        out[at] = h.generalise(codes[at], int(b))
    return out


def fixed_mixed(name: str, h: Hierarchy, codes: np.ndarray, levels: np.ndarray) -> QuasiIdentifier:
    """The quasi-identifier held at each row's released label (``levels`` per row; the root = unknown)."""
    labels = pd.Series(generalise_rows(h, codes, levels), dtype=object)
    root = str(h.labels[-1][0])
    labels = labels.where(labels != root, None)
    codes_l, uniq = pd.factorize(labels, sort=True)
    values = [str(u) for u in uniq] or ["-"]
    fixed = Hierarchy.from_rows(name, [[u] for u in values], None, source=f"{h.source} as released per row")
    out = np.where(codes_l < 0, fixed.n_leaves, codes_l).astype(np.int32)
    return QuasiIdentifier(name, out, fixed)


def shares_of(levels: np.ndarray) -> dict[int, float]:
    """Share of rows per level (levels present only)."""
    if not len(levels):
        return {}
    counts = np.bincount(np.asarray(levels, dtype=np.int64))
    return {int(b): float(c) / len(levels) for b, c in enumerate(counts) if c}
