"""The fallback when the exact search cannot be used or cannot finish.

Used (see :func:`pipeline.search.engine.search`) when the lattice has more nodes than ``max_exact_lattice``
(the exact search keeps per-node arrays), and when the exact search has evaluated ``max_search_nodes`` nodes
without proving its optimum; then the better of the two results is taken, and the release says it is not
proven optimal (``search.exact`` false, ``search.fallback`` the reason).

Greedy top-down descent (in the spirit of Sweeney's Datafly and ARX's top-down heuristics): start at the top
of the lattice, which is valid whenever any node is; at each step evaluate the nodes one level below on one
attribute and move to the valid one of least loss; stop at a node with no valid node below it. The result is
the least-loss node met on the way (with suppression a lower node can cost more than the one above it, so
the walk does not stop at the first such step). It evaluates at most (sum of heights) × attributes nodes and
returns a locally, not globally, minimal transformation. Measured (``benchmarks/large_lattice.py``): on a
115,200-node lattice its loss is 14-56 % above the exact optimum, which is why the exact search is tried
first up to two million nodes.
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
    cur = top
    best, best_value = top, tables.value(metric, res.snap, res.fail)
    while True:
        step, step_value = None, float("inf")
        for q in range(len(cur)):
            if cur[q] == 0:
                continue
            child = (*cur[:q], cur[q] - 1, *cur[q + 1:])
            r = ev.evaluate(child)
            if r.valid:
                v = tables.value(metric, r.snap, r.fail)
                if v < step_value:
                    step, step_value = child, v
        if step is None:
            return Outcome(best, best_value, None, ev.evaluated)
        cur = step
        if step_value < best_value:
            best, best_value = step, step_value
