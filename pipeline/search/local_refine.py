"""Top-down refinement of a local recoding: give back detail where a class holds enough persons.

Bottom-up merging (``local_recoding``) coarsens a small class until it meets others; the class it forms may
then hold far more than k persons, some of whom would need less. Here every class tries, round by round, to
*specialise* one attribute one level down (the hierarchy-respecting Mondrian / top-down specialisation of
LeFevre et al. 2006 and Fung et al. 2005): its tuples are grouped by their value one level lower (the
*children*); children holding at least k persons become classes of their own, the others (and children that
gain nothing) stay together at the class's current value, the *remainder*, which takes in the smallest
children when it would hold fewer than k. Each class picks the attribute whose split lowers the weighted loss
the most. New classes failing a model (l-diversity, t-closeness, …) go back to the remainder, a failing
remainder undoes the split: every class stays one that passed all models. Stops when nothing splits.
"""

from __future__ import annotations

import numpy as np

from pipeline.histogram import _combine, group
from pipeline.search.local_space import LocalSpace


class _State:
    """Classes over the distinct tuples: ``part[t]`` (−1 suppressed), per class its level per attribute and
    the attributes it can no longer split."""

    def __init__(self, part: np.ndarray, levels: np.ndarray) -> None:
        self.part = part
        self.levels = levels
        self.done = np.zeros(levels.shape, dtype=bool)

    @property
    def n(self) -> int:
        return len(self.levels)


def refine(ls: LocalSpace, lev: np.ndarray, keep_t: np.ndarray) -> tuple[np.ndarray, int]:
    """(levels per tuple after refinement, rounds). ``lev`` must give every class one level per attribute."""
    cls, n = ls.classes(lev)
    cls = np.where(keep_t, cls, -1)
    first = np.zeros(n, dtype=np.int64)  # a representative tuple per class
    first[cls[keep_t]] = np.flatnonzero(keep_t)
    state = _State(cls.copy(), lev[first].copy())
    rounds = 0
    while _round(ls, state):
        rounds += 1
    out = lev.copy()
    t = np.flatnonzero(state.part >= 0)
    out[t] = state.levels[state.part[t]]
    return out, rounds


def _round(ls: LocalSpace, state: _State) -> bool:
    """Split every class on its best attribute; False when nothing could split."""
    n_p = state.n
    # only classes that may still split somewhere (most classes sit at their original values)
    active = np.asarray(((state.levels > 0) & ~state.done).any(axis=1), dtype=bool)
    t_idx = np.flatnonzero(state.part >= 0)
    t_idx = t_idx[active[state.part[t_idx]]]
    if not len(t_idx):
        return False
    p = state.part[t_idx]
    best_gain = np.zeros(n_p)
    best_q = np.full(n_p, -1, dtype=np.int64)
    plans: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for q in range(ls.q):
        lv = state.levels[p, q]
        # a class splits on q only if none of its tuples would go below its floor
        below = np.bincount(p[ls.floor[t_idx, q] >= lv], minlength=n_p) > 0
        can = (lv > 0) & ~state.done[p, q] & ~below[p]
        if not can.any():
            continue
        ti, pi, li = t_idx[can], p[can], lv[can]
        child = ls.anc[q][li - 1, ti]
        gain_row = ls.cost[q][li, ti] - ls.cost[q][li - 1, ti]
        (pos, cid), gain = _plan(ls, pi, child, ti, gain_row, n_p)
        plans[q] = (ti[pos], cid)
        better = gain > best_gain + 1e-12
        best_gain[better] = gain[better]
        best_q[better] = q
    if not (best_q >= 0).any():
        return False
    old_part = state.part.copy()
    n_before = state.n
    for q, (ti, cid) in plans.items():
        state.done[np.flatnonzero(best_q == q), q] = True  # the remainder cannot separate anything more on q
        sel = best_q[old_part[ti]] == q
        ti, cid = ti[sel], cid[sel]
        if not len(ti):
            continue
        _, inv = np.unique(cid, return_inverse=True)
        parents = old_part[ti][np.unique(inv, return_index=True)[1]]
        lev = state.levels[parents].copy()
        lev[:, q] -= 1
        state.part[ti] = state.n + inv
        state.levels = np.vstack([state.levels, lev])
        state.done = np.vstack([state.done, np.zeros(lev.shape, dtype=bool)])
    if state.n > n_before:
        _repair(ls, state, old_part, n_before)
    return True


def _plan(ls: LocalSpace, pi: np.ndarray, child: np.ndarray, ti: np.ndarray, gain_row: np.ndarray,
          n_p: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The split of every class on one attribute: ((positions into ``ti`` that split off, their child id),
    gain per class). Children are (class, value one level down) groups."""
    base = ls.base
    inv, first, n_c = group([pi, child], [n_p, int(child.max()) + 1])
    cp = pi[first]  # class of each child
    rows = np.bincount(inv, weights=base.rows[ti], minlength=n_c)
    if base.person_pairs is None and base.single is None:
        persons = rows
    else:
        persons = np.zeros(n_c, dtype=np.float64)
        if base.person_pairs is not None:
            t2c = np.full(base.n, -1, dtype=np.int64)
            t2c[ti] = inv
            pc = t2c[base.person_pairs[0]]
            ok = pc >= 0
            c2, _, _ = _combine(pc[ok], base.person_pairs[1][ok], ls.space.n_persons, None)
            persons += np.bincount(c2, minlength=n_c)
        if base.single is not None:  # persons in one base tuple (Snapshot.single)
            persons += np.bincount(inv, weights=base.single[ti], minlength=n_c)
    gain_c = np.bincount(inv, weights=base.rows[ti] * gain_row, minlength=n_c)
    stay = (persons < ls.k) | (gain_c <= 1e-12)
    # per class: staying children first, then by persons ascending; the remainder is a prefix
    order = np.lexsort((persons, ~stay, cp))
    cp_o, pers_o, stay_o = cp[order], persons[order], stay[order]
    start = np.flatnonzero(np.r_[True, cp_o[1:] != cp_o[:-1]])
    seg = np.repeat(np.arange(len(start)), np.diff(np.r_[start, len(cp_o)]))
    cum = np.cumsum(pers_o)
    cum = cum - np.r_[0, cum[start[1:] - 1]][seg]
    n_stay = np.bincount(seg, weights=stay_o.astype(np.float64)).astype(np.int64)
    pos = np.arange(len(cp_o)) - start[seg]
    # remainder length: the staying children, extended until it holds k persons (may exceed the class:
    # then nothing splits)
    reach = np.where(cum >= ls.k, pos, len(cp_o))
    first_k = np.minimum.reduceat(reach, start) + 1
    cut = np.where(n_stay > 0, np.maximum(n_stay, first_k), 0)
    splits = np.zeros(n_c, dtype=bool)
    splits[order] = pos >= cut[seg]
    gain = np.bincount(cp, weights=np.where(splits, gain_c, 0.0), minlength=n_p)
    cid = np.where(splits[inv], inv, -1)
    keep = np.flatnonzero(cid >= 0)
    return (keep, cid[keep]), gain


def _repair(ls: LocalSpace, state: _State, old_part: np.ndarray, n_before: int) -> None:
    """Failing new children go back to their remainder; a failing remainder undoes its class's split."""
    fail, _ = ls.fails(state.part, state.n)
    if not fail.any():
        return
    child_fail = np.flatnonzero(fail[n_before:]) + n_before
    if len(child_fail):
        back = np.isin(state.part, child_fail)
        state.part[back] = old_part[back]
        fail, _ = ls.fails(state.part, state.n)
    bad = np.flatnonzero(fail[:n_before])
    if len(bad):
        undo = np.isin(old_part, bad)
        state.part[undo] = old_part[undo]
