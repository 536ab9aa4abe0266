"""The privacy engine's entry point: find the full-domain generalisation of minimal information loss that
meets every privacy model with record suppression within the limit (ARX's problem, ARX's suppression rule).

``search`` encodes the histogram of distinct quasi-identifier tuples once (with person and sensitive-value
counts), then searches the lattice of hierarchy levels on it: exactly (``pipeline.search.optimal``) while the
lattice has at most ``max_exact_lattice`` nodes (default 2,000,000) and the search proves its optimum within
``max_search_nodes`` evaluated nodes (default 20,000); otherwise by greedy descent
(``pipeline.search.heuristic``), keeping the better of the greedy node and the exact search's best so far.
``SearchResult.exact`` says which happened and ``fallback`` why.

Measured with ``benchmarks/large_lattice.py`` (115,200 nodes, 100,000 rows, k-anonymity): the exact search
takes 0.14-0.94 s and evaluates 90-300 nodes; Adult (4,320 nodes) needs 10-1,000 (``benchmarks/adult.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from pipeline.config.model import METRICS
from pipeline.errors import PrivacyError
from pipeline.hierarchies.base import Hierarchy
from pipeline.histogram import CODE, Snapshot, Space, base_snapshot, group
from pipeline.metrics.loss import ADDITIVE, LossTables
from pipeline.metrics.risk import risk_profile as _risk_profile
from pipeline.privacy.base import PrivacyModel, code_values, non_null_reference
from pipeline.privacy.k_anonymity import KAnonymity
from pipeline.search.evaluator import Evaluator
from pipeline.search.heuristic import greedy_descent
from pipeline.search.lattice import Lattice
from pipeline.search.optimal import Outcome, optimal_search, top_down_search


@dataclass(frozen=True)
class QuasiIdentifier:
    name: str  # output column name
    codes: np.ndarray  # int32 leaf code per row (Hierarchy.encode), nulls = hierarchy.n_leaves
    hierarchy: Hierarchy
    #: Analyst priority: this attribute's share of an additive metric is weighted by it (ARX's attribute
    #: weights); equal weights give the unweighted metric.
    weight: float = 1.0
    #: The coarsest level of ``hierarchy`` the search may choose (None: up to the root). The lattice is cut
    #: there, so no node above it is ever evaluated.
    max_level: int | None = None

    @property
    def height(self) -> int:
        """Levels the search may choose from: the hierarchy's, cut at ``max_level``."""
        h = self.hierarchy.height
        return h if self.max_level is None else min(h, self.max_level + 1)


@dataclass(frozen=True)
class SensitiveColumn:
    name: str
    codes: np.ndarray  # int32 value code per row, 0..n_values-1
    n_values: int
    ordered: bool = False  # ordinal / numeric: codes sorted by value (ordered distance for t-closeness)
    #: The code of a null (the last one), which no model counts as a value (``pipeline.privacy.base``, the
    #: null policy); None when the codes hold no null.
    null: int | None = None

    @classmethod
    def of(cls, name: str, values: pd.Series, numeric: bool) -> SensitiveColumn:
        """A released column's values, coded as the gate codes them (:func:`code_values`)."""
        codes, n_values, null = code_values(values, numeric)
        return cls(name, codes, n_values, ordered=numeric, null=null)

    def reference(self) -> np.ndarray:
        """Share of each code among all rows (the null's included; models see it without, see
        :func:`non_null_reference`)."""
        return np.bincount(np.asarray(self.codes), minlength=self.n_values) / max(len(self.codes), 1)


@dataclass(frozen=True)
class SearchResult:
    levels: dict[str, int]
    keep: np.ndarray  # bool per row; False = suppressed (whole records of failing classes)
    class_id: np.ndarray  # int64 per row, -1 for suppressed
    classes: int
    min_class_size: int  # distinct persons
    suppressed_rows: int
    loss: dict
    exact: bool
    nodes_evaluated: int
    lattice_size: int
    fallback: str | None = None  # why the result is not proven optimal (None when exact)
    #: Of ``suppressed_rows``, those removed before the search because their person was suppressed in an
    #: earlier table of the release (``pipeline.anonymise.table``).
    removed_with_person: int = 0
    #: Local recoding only: per quasi-identifier, the level of every row (``levels`` then holds the level
    #: most rows are released at), and the share of released rows per level.
    row_levels: dict[str, np.ndarray] | None = None
    level_shares: dict[str, dict[int, float]] | None = None


def risk_profile(class_id: np.ndarray, person: np.ndarray | None, threshold: float) -> dict:
    """Prosecutor (max, avg), records at risk, sample uniques, marketer; see ``pipeline.metrics.risk``."""
    return _risk_profile(class_id, person, threshold)


def class_ids(qis: Sequence[QuasiIdentifier], levels: dict[str, int] | None = None) -> np.ndarray:
    """Equivalence class per row at ``levels`` (default: the original values), e.g. for risk before."""
    cols = []
    cards = []
    for qi in qis:
        lv = (levels or {}).get(qi.name, 0)
        cols.append(qi.hierarchy.maps[lv][np.asarray(qi.codes)].astype(np.int64))
        cards.append(len(qi.hierarchy.labels[lv]))
    inv, _, _ = group(cols, cards)
    return inv


def search(
    qis: Sequence[QuasiIdentifier],
    sensitive: Sequence[SensitiveColumn],
    person: np.ndarray | None,
    models: Sequence[PrivacyModel],
    suppression_limit: float,
    metric: str = "loss",
    max_exact_lattice: int = 2_000_000,
    fixed: Sequence[QuasiIdentifier] = (),
    max_search_nodes: int = 20_000,
) -> SearchResult:
    """Optimal generalisation levels per quasi-identifier, and which rows survive suppression."""
    n_rows = _check_inputs(qis, sensitive, person, models, suppression_limit, metric, fixed)
    used = {m.column for m in models}
    sensitive = [s for s in sensitive if s.name in used]  # the others play no part in the search
    all_qis = list(qis) + list(fixed)
    heights = [qi.height for qi in qis] + [1] * len(fixed)
    space = _space(all_qis, heights, sensitive)
    base, row_class, n_persons = base_snapshot(
        [np.asarray(q.codes) for q in all_qis], [q.hierarchy.n_leaves + 1 for q in all_qis], person,
        [np.asarray(s.codes) for s in sensitive], [s.n_values for s in sensitive])
    space.references = [s.reference() for s in sensitive]
    return search_base(qis, models, suppression_limit, metric, max_exact_lattice, max_search_nodes, heights,
                       space, base, row_class, n_persons, n_rows)


def search_base(qis: Sequence[QuasiIdentifier], models: Sequence[PrivacyModel], suppression_limit: float,
                metric: str, max_exact_lattice: int, max_search_nodes: int, heights: list[int], space: Space,
                base: Snapshot, row_class: np.ndarray, n_persons: int, n_rows: int) -> SearchResult:
    """The search once the level-0 histogram (``base``) is built, from rows (:func:`search`) or from a
    histogram a streaming pass accumulated (``pipeline.search.weighted``): one implementation for both, so
    that they cannot drift. ``row_class``: each input entry's (row's, or histogram entry's) base class;
    ``SearchResult.keep`` and ``class_id`` are per input entry."""
    space.n_persons = n_persons
    for m in models:
        if isinstance(m, KAnonymity) and m.k > n_persons:
            raise PrivacyError(f"{m}: k = {m.k} is larger than the number of persons in the table "
                               f"({n_persons}); lower k or release more data")
    allowed = int(np.floor(suppression_limit * n_rows + 1e-9))
    zero = allowed == 0
    prune_with = [m for m in models if zero or m.monotonic_with_suppression]
    references = {name: non_null_reference(ref, null) for name, ref, null
                  in zip(space.sensitive_names, space.references, space.nulls, strict=True)}
    necessary = [m.necessary(references) for m in models if m not in prune_with]
    tables = LossTables([q.hierarchy for q in qis], base, space, n_rows, [q.name for q in qis],
                        [q.weight for q in qis])
    ev = Evaluator(space, base, models, allowed, n_rows, prune_with, necessary, track_origin=False)
    lattice_size = Lattice.size_of(heights)
    fallback = None
    if lattice_size <= max_exact_lattice:
        # Top-down pays when the valid region is small and high (no suppression, or models that are not
        # monotone with suppression); bound order from the bottom when suppression makes low nodes valid.
        top_down = metric in ADDITIVE and (zero or bool(necessary))
        fn = top_down_search if top_down else optimal_search
        ev.budget = max_search_nodes
        outcome = fn(ev, Lattice(heights), tables, metric, exact_prune=not necessary, zero_suppression=zero)
        ev.budget = None
        if outcome.exhausted:
            fallback = (f"the exact search evaluated max_search_nodes = {max_search_nodes:,} nodes without "
                        f"proving the optimum: the better of its best node and the greedy descent's")
            greedy = greedy_descent(ev, heights, tables, metric)
            if greedy.best is not None and (outcome.best is None or greedy.best_value < outcome.best_value):
                outcome = greedy
            else:
                outcome = replace(outcome, nodes_evaluated=greedy.nodes_evaluated, top=greedy.top)
    else:
        fallback = (f"the lattice has {lattice_size:,} nodes, more than max_exact_lattice = "
                    f"{max_exact_lattice:,}: greedy descent")
        outcome = greedy_descent(ev, heights, tables, metric)
    if outcome.best is None:
        raise PrivacyError(_infeasible(outcome, models, allowed, n_rows, suppression_limit, qis))
    return _result(outcome, space, base, row_class, ev, tables, qis, metric, fallback, lattice_size)


def _check_inputs(qis, sensitive, person, models, suppression_limit, metric, fixed) -> int:
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; allowed: {', '.join(METRICS)}")
    if not 0.0 <= suppression_limit < 1.0:
        raise PrivacyError(f"suppression limit must be in [0, 1), found {suppression_limit}")
    lengths = {len(q.codes) for q in [*qis, *fixed]} | {len(s.codes) for s in sensitive}
    if person is not None:
        lengths.add(len(person))
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    n_rows = lengths.pop() if lengths else 0
    if n_rows == 0:
        raise PrivacyError("the table has no rows: nothing to anonymise")
    names = {s.name for s in sensitive}
    for m in models:
        if m.column is not None and m.column not in names:
            raise PrivacyError(f"{m}: column {m.column} is not a sensitive column of this table")
    for q in [*qis, *fixed]:
        codes = np.asarray(q.codes)
        if codes.min() < 0 or codes.max() > q.hierarchy.n_leaves:
            raise ValueError(f"column {q.name}: codes outside the hierarchy's leaves (use Hierarchy.encode)")
    for s in sensitive:
        codes = np.asarray(s.codes)
        if codes.min() < 0 or codes.max() >= s.n_values:
            raise ValueError(f"sensitive column {s.name}: codes outside 0..{s.n_values - 1}")
    return n_rows


def _space(all_qis: Sequence[QuasiIdentifier], heights: Sequence[int],
           sensitive: Sequence[SensitiveColumn]) -> Space:
    cards, up = [], []
    for qi, h in zip(all_qis, heights, strict=True):
        hier = qi.hierarchy
        cards.append([len(hier.labels[b]) for b in range(h)] if h > 1 else [hier.n_leaves + 1])
        per_a: list[list[np.ndarray | None]] = []
        for a in range(h):
            row: list[np.ndarray | None] = []
            for b in range(h):
                if b <= a or h == 1:
                    row.append(None)
                    continue
                m = np.zeros(len(hier.labels[a]), dtype=CODE)
                m[hier.maps[a]] = hier.maps[b]
                row.append(m)
            per_a.append(row)
        up.append(per_a)
    # level 0 codes are leaf codes (0..n_leaves, null = n_leaves), not label indices of level 0
    for q, (qi, h) in enumerate(zip(all_qis, heights, strict=True)):
        cards[q][0] = qi.hierarchy.n_leaves + 1
        for b in range(1, h):
            up[q][0][b] = np.asarray(qi.hierarchy.maps[b], dtype=CODE)
    return Space(tuple(heights), cards, up, 0, [s.n_values for s in sensitive],
                 [s.ordered for s in sensitive], [], [s.name for s in sensitive], [s.null for s in sensitive])


def _infeasible(outcome: Outcome, models, allowed: int, n_rows: int, limit: float,
                qis: Sequence[QuasiIdentifier]) -> str:
    top = outcome.top
    parts = []
    if top is not None:
        for name, failing in top.failing_by_model.items():
            if failing:
                parts.append(f"{name}: {failing} of {n_rows} rows fail ({failing / n_rows:.1%})")
    detail = "; ".join(parts) if parts else "the models together fail too many rows"
    capped = [q for q in qis if q.height < q.hierarchy.height]
    if not capped:
        return (f"no generalisation meets {', '.join(str(m) for m in models)} within the suppression limit "
                f"{limit:.1%} ({allowed} rows): even with every quasi-identifier fully generalised, "
                f"{detail}. Raise the suppression limit, relax the models, or release fewer "
                f"quasi-identifiers")
    persons = int(top.snap.persons[top.fail].sum()) if top is not None else 0
    caps = ", ".join(f"{q.name} at most {q.hierarchy.level_descriptions[q.height - 1]} (max_level)"
                     for q in capped)
    return (f"the analyst constraint {caps} cannot be met: even at that level with every other "
            f"quasi-identifier fully generalised, {persons:,} persons could not be placed in a class meeting "
            f"{', '.join(str(m) for m in models)} within the suppression limit {limit:.1%} ({allowed} rows; "
            f"{detail}). Raise max_level, the suppression limit, or lower k")


def _result(outcome: Outcome, space: Space, base, row_class: np.ndarray, ev: Evaluator,
            tables: LossTables, qis: Sequence[QuasiIdentifier], metric: str, fallback: str | None,
            lattice_size: int) -> SearchResult:
    assert outcome.best is not None
    res = ev.evaluate(outcome.best)  # cached by the search
    snap, fail = res.snap, res.fail
    # classes are numbered by their packed key in both grouping paths, so regrouping the base tuples at the
    # chosen levels yields the same numbering as the cached snapshot: base tuple -> class
    cols = [c if a == b else space.up[q][a][b][c]
            for q, (c, a, b) in enumerate(zip(base.codes, base.levels, outcome.best, strict=True))]
    tuple_class, _, n = group(cols, [space.cards[q][b] for q, b in enumerate(outcome.best)])
    assert n == snap.n
    new_id = np.full(snap.n, -1, dtype=np.int64)
    new_id[~fail] = np.arange(int((~fail).sum()))
    class_id = new_id[tuple_class[row_class]]
    keep = class_id >= 0
    loss = tables.report(snap, fail, metric)
    persons = snap.persons[~fail]
    return SearchResult(
        levels={q.name: int(outcome.best[i]) for i, q in enumerate(qis)},
        keep=keep,
        class_id=class_id,
        classes=int((~fail).sum()),
        min_class_size=int(persons.min()) if len(persons) else 0,
        suppressed_rows=int(snap.rows[fail].sum()),
        loss=loss,
        exact=fallback is None,
        nodes_evaluated=outcome.nodes_evaluated,
        lattice_size=lattice_size,
        fallback=fallback,
    )
