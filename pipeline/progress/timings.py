"""Phase timings: where a run's time goes (``anonymize --phases``, ``benchmarks/pipeline_1m.py --phases``).

Inside :func:`recording`, every step (:func:`pipeline.progress.bars.step`) and every :func:`phase` (a part of
a step that draws nothing) adds its wall-clock and CPU time to a table keyed by nesting and name. Names and
times only: never a value. Outside :func:`recording` a phase costs one context-variable read.

The recording and the open phase are context variables, set and restored by the context managers, so that a
recording ends with its block whatever happens inside it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from pipeline.progress.tables import render_table


@dataclass
class PhaseTiming:
    """Accumulated time of one named phase under one parent phase: a phase entered in a loop (a search per
    joined-view round) is one row with its number of calls."""

    name: str
    depth: int
    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0


#: The timings being recorded, keyed by (parent key, name), in first-entered order; None: not recording.
_recorded: ContextVar[dict[tuple[object, str], PhaseTiming] | None] = ContextVar("phases_recorded",
                                                                                 default=None)
#: The key of the open phase (the parent of a phase entered now).
_open: ContextVar[tuple[object, str] | None] = ContextVar("phase_open", default=None)


@contextlib.contextmanager
def recording() -> Iterator[list[PhaseTiming]]:
    """Record every step and phase entered inside; the yielded list is filled, in first-entered order
    (a parent before its children), when the block ends."""
    timings: dict[tuple[object, str], PhaseTiming] = {}
    tokens = _recorded.set(timings), _open.set(None)
    result: list[PhaseTiming] = []
    try:
        yield result
    finally:
        result.extend(timings.values())
        _open.reset(tokens[1])
        _recorded.reset(tokens[0])


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Time a part of the run under ``name`` (nested in the enclosing phase or step); draws nothing."""
    timings = _recorded.get()
    if timings is None:
        yield
        return
    parent = _open.get()
    key = (parent, name)
    if key not in timings:
        above = timings.get(parent) if parent is not None else None
        timings[key] = PhaseTiming(name, above.depth + 1 if above is not None else 0)
    entry = timings[key]
    token = _open.set(key)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        entry.calls += 1
        entry.wall += time.perf_counter() - wall
        entry.cpu += time.process_time() - cpu
        _open.reset(token)


def format_timings(timings: Sequence[PhaseTiming], total_wall: float | None = None,
                   total_cpu: float | None = None) -> str:
    """The phase table: nesting by indentation, calls, wall and CPU seconds, share of the total wall time
    (the top-level phases' sum, or ``total_wall`` when given: the rest is then a row of its own)."""
    top_wall = sum(t.wall for t in timings if t.depth == 0)
    top_cpu = sum(t.cpu for t in timings if t.depth == 0)
    total = total_wall if total_wall is not None else top_wall
    rows: list[tuple[str, int | None, float, float | None]] = [
        ("  " * t.depth + t.name, t.calls, t.wall, t.cpu) for t in timings]
    if total_wall is not None:
        rest_cpu = total_cpu - top_cpu if total_cpu is not None else None
        rows.append(("other (start-up, imports, config)", None, total_wall - top_wall, rest_cpu))
        rows.append(("total", None, total_wall, total_cpu))

    def share(wall: float) -> str:
        return f"{wall / total:.1%}" if total > 0 else "-"

    cells = [(name, "" if calls is None else f"{calls:,}", f"{wall:.2f}",
              "-" if cpu is None else f"{cpu:.2f}", share(wall)) for name, calls, wall, cpu in rows]
    right = (False, True, True, True, True)
    return render_table([[(c, r) for c, r in zip(row, right, strict=True)] for row in cells],
                        header=[(h, r) for h, r in zip(("phase", "calls", "wall s", "cpu s", "share"), right,
                                                       strict=True)])
