"""The fallback for lattices too large to search exactly (more nodes than ``max_exact_lattice``).

Greedy top-down descent (in the spirit of Sweeney's Datafly and ARX's top-down heuristics): start at the top
of the lattice, which passes whenever anything does; at each step evaluate the nodes one level below on one
attribute and move to the passing one of least loss; stop when none passes. It evaluates at most
(sum of heights) × attributes nodes and returns a locally, not globally, minimal transformation.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.metrics.loss import LossTables
from pipeline.search.evaluator import Evaluator
from pipeline.search.optimal import Outcome


def greedy_descent(ev: Evaluator, heights: Sequence[int], tables: LossTables, metric: str) -> Outcome:
    top = tuple(h - 1 for h in heights)
    res = ev.evaluate(top)
    if not res.valid:
        return Outcome(None, float("inf"), res, ev.evaluated)
    cur, cur_value = top, tables.value(metric, res.snap, res.fail)
    while True:
        best, best_value = None, float("inf")
        for q in range(len(cur)):
            if cur[q] == 0:
                continue
            child = (*cur[:q], cur[q] - 1, *cur[q + 1:])
            r = ev.evaluate(child)
            if r.valid:
                v = tables.value(metric, r.snap, r.fail)
                if v < best_value:
                    best, best_value = child, v
        if best is None or best_value >= cur_value:
            return Outcome(cur, cur_value, None, ev.evaluated)
        cur, cur_value = best, best_value
