"""Local recoding: rows of one column may be released at different levels of its hierarchy.

ARX's problem with local instead of full-domain generalisation: every class of rows equal on all released
quasi-identifier labels meets every privacy model (k persons, l-diversity, t-closeness), suppressed rows stay
within the limit, and the loss (Iyengar's LM, weighted per attribute) is as low as the heuristic finds.
Everything runs on the histogram of distinct tuples (``pipeline.search.local_space``), never on rows.

The algorithm, in two phases:

1. **Bottom-up merging** (this module). Start with every distinct tuple at its original values. Each round,
   the *open* classes (those failing a model) look one level up on each attribute, or stay; a target
   *forms* when the persons proposing it, plus a class already released there, reach k. Classes propose
   their cheapest target that can still form; formed ones are accepted, the others dropped, and the rest
   propose again until nothing more forms; a class left without any moves one level up on its cheapest
   attribute and meets others in a later round. A class still failing at the top takes in the classes under
   the same top values that are cheapest to coarsen (per person); suppression only if even that fails.
2. **Top-down refinement** (``pipeline.search.local_refine``): every class whose persons allow it is split
   again along the hierarchies, giving back detail that bottom-up merging gave away.

Why this and not ARX's iteration of the global search over the records still failing
(``optimizeIterativeFast``): that recodes the failing records in layers, each at one global transformation,
so a sparse record pays for its whole layer's coarsest attribute. Merging along single hierarchy steps
coarsens a sparse combination only as far as it needs to meet k persons, and dense combinations keep their
original values. Tried and measured on Adult (``benchmarks/adult.py``): the global search iterated over the
failing records alone (LM 0.061 at k=2), top-down specialisation alone (0.030), bottom-up merging without
the proposal rounds (0.022); the combination above: 0.0143 / 0.0315 / 0.0472 at k = 2 / 5 / 10, against
ARX's 0.0178 / 0.0329 / 0.0484, suppressing nothing.

The guarantee is ARX's: at least k persons per class of equal *released labels*. A remainder released as
``40-49`` beside classes released as ``40-44`` does not say that its rows are outside ``40-44``; a reader
who knows the algorithm may infer that (subsumption), which narrows such a row to the values of the small
children left in the remainder: still a class of at least k persons, never one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.errors import PrivacyError
from pipeline.histogram import Snapshot, base_snapshot, group
from pipeline.privacy.base import PrivacyModel, non_null_reference
from pipeline.search.engine import QuasiIdentifier, SearchResult, SensitiveColumn, _check_inputs, _space
from pipeline.search.local_refine import refine
from pipeline.search.local_space import LocalSpace, build


@dataclass(frozen=True)
class LocalResult:
    row_levels: dict[str, np.ndarray]  # per quasi-identifier: int8 level per row (suppressed rows: the root)
    keep: np.ndarray  # bool per row; False = suppressed
    class_id: np.ndarray  # int64 per row, −1 for suppressed: classes of equal released labels
    classes: int
    min_class_size: int  # distinct persons
    suppressed_rows: int
    loss: dict  # lm (Iyengar, unweighted), per_attribute, weighted (the objective)
    level_shares: dict[str, dict[int, float]]  # per quasi-identifier: level -> share of released rows
    rounds: int


def local_recoding(
    qis: Sequence[QuasiIdentifier],
    sensitive: Sequence[SensitiveColumn],
    person: np.ndarray | None,
    models: Sequence[PrivacyModel],
    suppression_limit: float,
    weights: Mapping[str, float] | None = None,
    max_levels: Mapping[str, int] | None = None,
    floors: Mapping[str, np.ndarray] | None = None,
) -> LocalResult:
    """Per-row levels of every quasi-identifier such that every released class meets every model.
    ``floors`` (quasi-identifier → level per row): rows never released finer than that (the joined view:
    a person's label as an earlier table released it)."""
    n_rows = _check_inputs(qis, sensitive, person, models, suppression_limit, "loss", ())
    used = {m.column for m in models}
    sensitive = [s for s in sensitive if s.name in used]
    sens_codes = [np.asarray(s.codes) for s in sensitive]
    sens_sizes = [s.n_values for s in sensitive]
    return _local(qis, sensitive, models, suppression_limit, weights, max_levels, floors, n_rows, None,
                  lambda codes, cards: base_snapshot(codes, cards, person, sens_codes, sens_sizes),
                  [s.reference() for s in sensitive])


def local_recoding_histogram(
    qis: Sequence[QuasiIdentifier],
    sensitive: Sequence[SensitiveColumn],
    rows: np.ndarray,
    person_pairs: tuple[np.ndarray, np.ndarray] | None,
    models: Sequence[PrivacyModel],
    suppression_limit: float,
    weights: Mapping[str, float] | None = None,
    max_levels: Mapping[str, int] | None = None,
    floors: Mapping[str, np.ndarray] | None = None,
) -> LocalResult:
    """:func:`local_recoding` on histogram entries, as :func:`pipeline.search.weighted.search_histogram` is
    the global search on them (issue 17: a streaming first pass accumulates exactly this). ``rows``: rows per
    entry; ``person_pairs``: (entry, person) pairs as ``search_histogram`` takes them (None: each row its own
    person); ``floors``: per entry. The result's per-"row" fields are per entry (``suppressed_rows`` and the
    level shares count rows); on the same data it is :func:`local_recoding`'s on the rows the entries stand
    for: the same classes, levels, suppressed rows and loss (``tests/search/test_local_histogram.py``)."""
    n_entries = _check_inputs(qis, sensitive, None, models, suppression_limit, "loss", ())
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) != n_entries or (rows < 1).any():
        raise ValueError("one row count of at least 1 per histogram entry")
    used = {m.column for m in models}
    sensitive = [s for s in sensitive if s.name in used]
    n_rows = int(rows.sum())
    references = [np.bincount(np.asarray(s.codes), weights=rows, minlength=s.n_values) / n_rows
                  for s in sensitive]
    sens_codes = [np.asarray(s.codes) for s in sensitive]
    sens_sizes = [s.n_values for s in sensitive]
    return _local(qis, sensitive, models, suppression_limit, weights, max_levels, floors, n_entries, rows,
                  lambda codes, cards: base_snapshot(codes, cards, None, sens_codes, sens_sizes, weights=rows,
                                                     person_pairs=person_pairs),
                  references)


def _local(qis: Sequence[QuasiIdentifier], sensitive: Sequence[SensitiveColumn],
           models: Sequence[PrivacyModel], suppression_limit: float, weights: Mapping[str, float] | None,
           max_levels: Mapping[str, int] | None, floors: Mapping[str, np.ndarray] | None, n_units: int,
           unit_rows: np.ndarray | None, snapshot: Callable[[list[np.ndarray], list[int]],
                                                             tuple[Snapshot, np.ndarray, int]],
           references: list[np.ndarray]) -> LocalResult:
    """The search on units: rows (``unit_rows`` None) or histogram entries of ``unit_rows`` rows each;
    ``snapshot`` builds the level-0 snapshot from the units' quasi-identifier codes (and the floor key)."""
    heights = [q.hierarchy.height for q in qis]
    space = _space(qis, heights, sensitive)
    n_rows = n_units if unit_rows is None else int(unit_rows.sum())
    floor_rows = np.zeros((n_units, len(qis)), dtype=np.int64)
    for q, qi in enumerate(qis):
        if floors and qi.name in floors:
            floor_rows[:, q] = np.minimum(np.asarray(floors[qi.name], dtype=np.int64), heights[q] - 1)
    # rows with one leaf tuple but different floors are different tuples (an extra grouping column)
    fk, _, n_fk = group([floor_rows[:, q] for q in range(len(qis))], heights) if floors else (
        np.zeros(n_units, dtype=np.int64), None, 1)
    base, row_class, n_persons = snapshot([np.asarray(q.codes) for q in qis] + [fk],
                                          [q.hierarchy.n_leaves + 1 for q in qis] + [n_fk])
    space.n_persons = n_persons
    space.references = references
    refs = {s.name: non_null_reference(ref, s.null)
            for s, ref in zip(sensitive, space.references, strict=True)}
    k = max([m.necessary(refs).min_persons for m in models] + [1])
    if k > n_persons:
        raise PrivacyError(f"k = {k} is larger than the number of persons in the table ({n_persons}); "
                           f"lower k or release more data")
    # the analyst's priorities: the quasi-identifier's own weight / max_level unless overridden here
    w = np.array([float((weights or {}).get(q.name, q.weight)) for q in qis])
    top = np.array([min(h - 1, (max_levels or {}).get(q.name, h - 1 if q.max_level is None else q.max_level))
                    for q, h in zip(qis, heights, strict=True)])
    first_row = np.zeros(base.n, dtype=np.int64)
    first_row[row_class] = np.arange(n_units)
    ls = build(base, space, [q.hierarchy for q in qis], w, top, models, k, floor_rows[first_row])
    lev = ls.floor.copy()
    key = ls.hkey(ls.labels(lev))  # per tuple, kept up to date as tuples move
    rounds = 0
    while True:
        rounds += 1
        if ls.stride is not None:
            _, cls = np.unique(key, return_inverse=True)
            n_cls = int(cls.max()) + 1
        else:
            cls, n_cls = ls.classes(lev)
        fail, stats = ls.fails(cls, n_cls)
        if not fail.any() or not _merge_round(ls, lev, key, cls, n_cls, fail, stats.persons[:n_cls]):
            break
    allowed = int(np.floor(suppression_limit * n_rows + 1e-9))
    keep_t = _settle(ls, lev, allowed, n_rows)
    refined, more = refine(ls, lev, keep_t)
    if _valid(ls, refined, keep_t):  # the refinement keeps classes valid; a label clash could merge two
        lev, rounds = refined, rounds + more
    return _result(ls, lev, keep_t, row_class, qis, n_rows, rounds, unit_rows)


def search_local(qis: Sequence[QuasiIdentifier], sensitive: Sequence[SensitiveColumn],
                 person: np.ndarray | None, models: Sequence[PrivacyModel], suppression_limit: float,
                 weights: Mapping[str, float] | None = None,
                 max_levels: Mapping[str, int] | None = None,
                 floors: Mapping[str, np.ndarray] | None = None) -> SearchResult:
    """:func:`local_recoding` as a :class:`SearchResult` (what the per-table search returns): ``levels`` is
    each column's most frequent level, ``row_levels`` every row's."""
    res = local_recoding(qis, sensitive, person, models, suppression_limit, weights, max_levels, floors)
    rows = np.bincount(res.class_id[res.keep], minlength=res.classes).astype(np.float64)
    n = len(res.keep)
    loss = {**res.loss, "metric": "loss", "value": res.loss["lm"],
            "discernibility": float((rows ** 2).sum() + res.suppressed_rows * float(n)),
            "aecs": float(rows.sum() / len(rows)) if len(rows) else float(n)}
    levels = {name: max(shares, key=lambda b: shares[b]) if shares else 0
              for name, shares in res.level_shares.items()}
    return SearchResult(levels, res.keep, res.class_id, res.classes, res.min_class_size, res.suppressed_rows,
                        loss, exact=False, nodes_evaluated=res.rounds, lattice_size=0,
                        fallback="local recoding: a heuristic, not a proven optimum",
                        row_levels=res.row_levels, level_shares=res.level_shares)


def _merge_round(ls: LocalSpace, lev: np.ndarray, key: np.ndarray, cls: np.ndarray, n_cls: int,
                 fail: np.ndarray, persons: np.ndarray) -> bool:
    """One bottom-up round (see the module docstring); False when no open class can move."""
    rep = np.zeros(n_cls, dtype=np.int64)
    rep[cls] = np.arange(len(cls))
    oc = np.flatnonzero(fail)
    closed = np.flatnonzero(~fail)
    r = rep[oc]
    lv = lev[r]
    w_o = persons[oc].astype(np.float64)
    keys = [key[rep[closed]], key[r]]
    owner, attr, dcost = [np.arange(len(oc))], [np.full(len(oc), -1)], [np.zeros(len(oc))]
    with np.errstate(over="ignore"):
        for q in range(ls.q):
            can = np.flatnonzero(lv[:, q] < ls.top[q])
            if not len(can):
                continue
            rc, lq = r[can], lv[can, q]
            keys.append(key[rc] + (ls.lab[q][lq + 1, rc] - ls.lab[q][lq, rc]) * ls.mult[q])
            owner.append(can)
            attr.append(np.full(len(can), q))
            dcost.append(ls.cost[q][lq + 1, rc] - ls.cost[q][lq, rc])
    _, inv = np.unique(np.concatenate(keys), return_inverse=True)
    n_g = int(inv.max()) + 1
    there = np.bincount(inv[: len(closed)], weights=persons[closed].astype(np.float64),
                        minlength=n_g).astype(np.float64)
    g = inv[len(closed):]
    own, att, dc = np.concatenate(owner), np.concatenate(attr), np.concatenate(dcost)
    w_c = w_o[own]
    # a class that holds k persons yet fails (l-diversity, t-closeness, …) needs company, not just k
    alone_ok = w_c < ls.k
    alive = np.ones(len(g), dtype=bool)
    chosen = np.full(len(oc), -2, dtype=np.int64)  # −2 undecided, −1 stays, else the attribute raised
    while True:
        live = alive & (chosen[own] == -2)
        pot = there + np.bincount(g[live], weights=w_c[live], minlength=n_g)
        cand = np.flatnonzero(live & (pot[g] >= ls.k) & (alone_ok | (pot[g] > w_c)))
        if not len(cand):
            break
        pick = _cheapest(cand, own, dc)
        got = there + np.bincount(g[pick], weights=w_c[pick], minlength=n_g)
        ok = (got[g[pick]] >= ls.k) & ((alone_ok[pick] & (att[pick] >= 0)) | (got[g[pick]] > w_c[pick]))
        chosen[own[pick[ok]]] = att[pick[ok]]
        there += np.bincount(g[pick[ok]], weights=w_c[pick[ok]], minlength=n_g)
        alive[pick[~ok]] = False
    blind = np.flatnonzero((att >= 0) & (chosen[own] == -2))
    if not len(blind) and not (chosen >= 0).any():
        # nobody moves (only possible when hashed keys collide): every movable class moves, so rounds end
        blind = np.flatnonzero(att >= 0)
    if len(blind):
        pick = _cheapest(blind, own, dc)
        chosen[own[pick]] = att[pick]
    if not (chosen >= 0).any():
        return False
    move = np.full(n_cls, -1, dtype=np.int64)
    move[oc] = chosen
    q_t = move[cls]
    with np.errstate(over="ignore"):
        for q in range(ls.q):
            t = np.flatnonzero(q_t == q)
            if len(t):
                key[t] += (ls.lab[q][lev[t, q] + 1, t] - ls.lab[q][lev[t, q], t]) * ls.mult[q]
                lev[t, q] += 1
    return True


def _cheapest(cand: np.ndarray, own: np.ndarray, dc: np.ndarray) -> np.ndarray:
    """Per owner, the candidate of least added loss (ties: the first)."""
    order = cand[np.lexsort((dc[cand], own[cand]))]
    return order[np.r_[True, own[order][1:] != own[order][:-1]]]


def _settle(ls: LocalSpace, lev: np.ndarray, allowed: int, n_rows: int) -> np.ndarray:
    """Tuples kept. A class still failing at the top levels takes in the classes under the same top values
    that are cheapest to coarsen (added loss per person) until it passes; what still fails is suppressed,
    within the limit (else :class:`PrivacyError`)."""
    t_all = np.arange(ls.n)
    top_lev = np.maximum(ls.top, lev)
    _, top_key = np.unique(ls.pack(ls.labels(top_lev, t_all)), return_inverse=True)
    rows = ls.base.rows.astype(np.float64)
    for _ in range(64):
        cls, n_cls = ls.classes(lev)
        fail, stats = ls.fails(cls, n_cls)
        bad = np.unique(cls[fail[cls] & (lev >= ls.top).all(axis=1)])
        if not len(bad):
            break
        for c in bad:
            members = cls == c
            pool = np.flatnonzero((top_key == top_key[np.argmax(members)]) & ~members & ~fail[cls])
            if not len(pool):
                continue
            up = np.maximum(ls.top, lev[pool])
            extra = sum(ls.cost[q][up[:, q], pool] - ls.cost[q][lev[pool, q], pool] for q in range(ls.q))
            per_cls = np.bincount(cls[pool], weights=extra * rows[pool], minlength=n_cls)
            cands = np.unique(cls[pool])
            order = cands[np.argsort(per_cls[cands] / np.maximum(stats.persons[cands], 1), kind="stable")]
            cum = np.cumsum(stats.persons[order])
            take = order[: int(np.searchsorted(cum, max(ls.k - stats.persons[c], 0))) + 1]
            moved = np.isin(cls, take)
            lev[moved] = np.maximum(lev[moved], ls.top)
    cls, n_cls = ls.classes(lev)
    fail, _ = ls.fails(cls, n_cls)
    drop = fail[cls]
    suppressed = int(ls.base.rows[drop].sum())
    if suppressed > allowed:
        raise PrivacyError(
            f"local recoding: {suppressed} of {n_rows} rows fail {', '.join(str(m) for m in ls.models)} "
            f"even at the top levels, more than the suppression limit allows ({allowed} rows); raise the "
            f"limit, allow coarser levels (max_level) or relax the models")
    return ~drop


def _valid(ls: LocalSpace, lev: np.ndarray, keep_t: np.ndarray) -> bool:
    cls, n_cls = ls.classes(lev)
    fail, _ = ls.fails(np.where(keep_t, cls, -1), n_cls)
    return not fail.any()


def _result(ls: LocalSpace, lev: np.ndarray, keep_t: np.ndarray, row_class: np.ndarray,
            qis: Sequence[QuasiIdentifier], n_rows: int, rounds: int,
            unit_rows: np.ndarray | None = None) -> LocalResult:
    base = ls.base
    rows = base.rows.astype(np.float64)
    suppressed = int(base.rows[~keep_t].sum())
    t = np.arange(base.n)
    per_attr, weighted = {}, 0.0
    for q, qi in enumerate(qis):
        cell = np.zeros(base.n)  # unweighted LM from the hierarchy, for the report
        for b in range(qi.hierarchy.height):
            at = lev[:, q] == b
            cell[at] = qi.hierarchy.loss(b)[base.codes[q][at]]
        per_attr[qi.name] = (float((rows * cell)[keep_t].sum()) + suppressed) / n_rows
        weighted += float((rows * ls.cost[q][lev[:, q], t])[keep_t].sum()) / n_rows
    cls_t, n_cls = ls.classes(lev)
    used = np.unique(cls_t[keep_t])
    ids = np.full(n_cls, -1, dtype=np.int64)
    ids[used] = np.arange(len(used))
    cls_t = np.where(keep_t, ids[cls_t], -1)
    fail, stats = ls.fails(cls_t, len(used))
    if fail.any():  # an internal error, never a release: every path above keeps classes valid
        raise AssertionError("local recoding produced a class failing a privacy model")
    class_id = cls_t[row_class]
    keep = class_id >= 0
    row_levels = {qi.name: np.where(keep, lev[row_class, q], qi.hierarchy.height - 1).astype(np.int8)
                  for q, qi in enumerate(qis)}
    shares = {}
    kept_rows = int(keep.sum()) if unit_rows is None else int(unit_rows[keep].sum())
    for qi in qis:
        cnt = np.bincount(row_levels[qi.name][keep], minlength=qi.hierarchy.height,
                          weights=None if unit_rows is None else unit_rows[keep]).astype(np.int64)
        shares[qi.name] = {b: float(c) / max(kept_rows, 1) for b, c in enumerate(cnt) if c}
    persons = stats.persons[: len(used)]
    return LocalResult(row_levels, keep, class_id, len(used), int(persons.min()) if len(persons) else 0,
                       suppressed, {"lm": float(np.mean(list(per_attr.values()))) if per_attr else 0.0,
                                    "per_attribute": per_attr, "weighted": weighted},
                       shares, rounds)
