"""The search on a histogram instead of rows (issue 17): what a streaming first pass accumulates is enough.

A streaming pass (``pipeline.stream.first_pass``) never holds the rows; it keeps each distinct
(quasi-identifier leaf codes, sensitive values) entry with its row count, and the distinct
(quasi-identifier tuple, person) pairs. :func:`search_histogram` takes exactly that: one code per
*entry* in each :class:`QuasiIdentifier` and :class:`SensitiveColumn`, ``rows`` per entry, and (entry,
person) pairs. It builds the same level-0 snapshot as the row search
(``pipeline.histogram.base_snapshot`` with weights) and runs the same search
(``pipeline.search.engine.search_base``), so on the same data it returns the same levels, classes,
suppressed rows and loss as :func:`pipeline.search.engine.search` on the rows
(``tests/search/test_weighted.py``). Its ``keep`` and ``class_id`` are per entry: the second pass
applies them to each row by its entry.

Memory: the entries and the pairs, never the rows. The pairs grow with the persons whose tuples differ,
so a table of one row per person (policyholders) needs none (each entry's rows are its persons).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.histogram import base_snapshot
from pipeline.privacy.base import PrivacyModel
from pipeline.search.engine import (
    QuasiIdentifier,
    SearchResult,
    SensitiveColumn,
    _check_inputs,
    _space,
    search_base,
)


def search_histogram(
    qis: Sequence[QuasiIdentifier],
    sensitive: Sequence[SensitiveColumn],
    rows: np.ndarray,
    person_pairs: tuple[np.ndarray, np.ndarray] | None,
    models: Sequence[PrivacyModel],
    suppression_limit: float,
    metric: str = "loss",
    max_exact_lattice: int = 2_000_000,
    max_search_nodes: int = 20_000,
    entries: np.ndarray | None = None,
) -> SearchResult:
    """:func:`~pipeline.search.engine.search` on histogram entries. ``rows``: rows per entry (≥ 1);
    ``person_pairs``: (entry index, person id) pairs, the entry being any one holding that person's
    quasi-identifier tuple (duplicates allowed), or None when every row is its own person.

    ``entries``: the indices of the entries to search, the others left out (their person was suppressed in
    an earlier table); ``keep`` and ``class_id`` are then per searched entry, in that order. Why here and not
    a copy of every column by the caller: the subsets live only while the level-0 snapshot is built, not
    through the whole search (at 10M policyholders, six quasi-identifiers and three sensitive columns of the
    claims' 5.9M entries, about 200 MiB under the search's peak)."""
    n_entries = _check_inputs(qis, sensitive, None, models, suppression_limit, metric, ())
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) != n_entries:
        raise ValueError(f"{len(rows)} row counts for {n_entries} histogram entries")
    if (rows < 1).any():
        raise ValueError("every histogram entry holds at least one row")
    if person_pairs is not None:
        entry = np.asarray(person_pairs[0])
        if len(entry) and (entry.min() < 0 or entry.max() >= n_entries):
            raise ValueError("a person pair names no histogram entry")
    if entries is not None:
        entries = np.asarray(entries, dtype=np.int64)
        rows = rows[entries]
        if person_pairs is not None:  # the pairs of the searched entries, renumbered
            new_index = np.full(n_entries, -1, dtype=np.int64)
            new_index[entries] = np.arange(len(entries), dtype=np.int64)
            renumbered = new_index[np.asarray(person_pairs[0])]
            mine = renumbered >= 0
            person_pairs = (renumbered[mine], np.asarray(person_pairs[1])[mine])
            del new_index, renumbered
    n_rows = int(rows.sum())
    used = {m.column for m in models}
    sensitive = [s for s in sensitive if s.name in used]
    heights = [q.height for q in qis]
    space = _space(qis, heights, sensitive)

    def pick(codes: np.ndarray) -> np.ndarray:
        return np.asarray(codes) if entries is None else np.asarray(codes)[entries]

    base, entry_class, n_persons = base_snapshot(
        [pick(q.codes) for q in qis], [q.hierarchy.n_leaves + 1 for q in qis], None,
        [pick(s.codes) for s in sensitive], [s.n_values for s in sensitive],
        weights=rows, person_pairs=person_pairs)
    # each value's share of the rows (SensitiveColumn.reference, weighted by the entries' rows)
    space.references = [np.bincount(pick(s.codes), weights=rows, minlength=s.n_values) / n_rows
                        for s in sensitive]
    # the base holds what the search needs from them: the entries' rows and pairs (renumbered copies when
    # ``entries`` is given: 134 MiB of the claims' joint view at 10M) are not held through the search
    del rows, person_pairs
    return search_base(qis, models, suppression_limit, metric, max_exact_lattice, max_search_nodes, heights,
                       space, base, entry_class, n_persons, n_rows)
