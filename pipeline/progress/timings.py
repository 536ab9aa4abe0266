"""Phase timings: where a run's time goes (``anonymize --phases``, ``benchmarks/pipeline_1m.py --phases``).

Inside :func:`recording`, every step (:func:`pipeline.progress.bars.step`) and every :func:`phase` (a part of
a step that draws nothing) adds its wall-clock and CPU time to a table keyed by nesting and name. Names and
times only: never a value. Outside :func:`recording` a phase costs one context-variable read.

The recording and the open phase are context variables, set and restored by the context managers, so that a
recording ends with its block whatever happens inside it.

Peak memory: on Linux each phase also records this process's peak resident set while it ran (``VmHWM`` of
``/proc/self/status``, reset at each phase's start through ``/proc/self/clear_refs``; the peak before the
reset is carried to the enclosing phases, so a parent's peak covers its children). It is where a run's memory
goes (issue 17); Dask workers are other processes and not counted. Elsewhere the peak is not recorded.
The reset is the kernel's own peak counter, so with phases recorded an outside measure of the process's peak
(``/usr/bin/time -v``, ``ru_maxrss``) sees only the peak since the last phase began: the table's "total" row
holds the run's peak (``benchmarks/pipeline_1m.py --phases`` reads it there).
"""

from __future__ import annotations

import contextlib
import re
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
    #: this process's peak resident set while the phase ran, in bytes (the largest over its calls); None
    #: where it cannot be read
    peak: int | None = None
    #: this process's resident set when the phase last ended, in bytes: what the phase left held (a peak
    #: far above the next phase's start is transient; a resident set that stays is what later phases pay)
    end: int | None = None
    #: this process's resident set when the phase was first entered, in bytes: with ``peak``, what the phase
    #: itself added (a peak is the phase's own work on top of what earlier phases left held)
    start: int | None = None


#: The timings being recorded, keyed by (parent key, name), in first-entered order; None: not recording.
_recorded: ContextVar[dict[tuple[object, str], PhaseTiming] | None] = ContextVar("phases_recorded",
                                                                                 default=None)
#: The key of the open phase (the parent of a phase entered now).
_open: ContextVar[tuple[object, str] | None] = ContextVar("phase_open", default=None)
#: The open phase's peak carried over its children's resets (a one-item list, updated in place).
_carried: ContextVar[list[int] | None] = ContextVar("phase_carried", default=None)


def _status(field: str) -> int | None:
    """A size field of ``/proc/self/status`` (``VmHWM``, ``VmRSS``) in bytes; None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
    except OSError:
        return None
    return int(m.group(1)) * 1024 if m else None


def _peak_rss() -> int | None:
    """This process's peak resident set since the last reset, in bytes; None off Linux."""
    return _status("VmHWM")


def _reset_peak() -> None:
    """Start a new peak from the resident set now (Linux 4.0+: ``echo 5 > /proc/self/clear_refs``)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        pass


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
    if entry.calls == 0:
        entry.start = _status("VmRSS")
    outer = _carried.get()
    before = _peak_rss()
    if outer is not None and before is not None:
        outer[0] = max(outer[0], before)
    _reset_peak()
    mine = [0]
    token, carried = _open.set(key), _carried.set(mine)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        entry.calls += 1
        entry.wall += time.perf_counter() - wall
        entry.cpu += time.process_time() - cpu
        _carried.reset(carried)
        _open.reset(token)
        entry.end = _status("VmRSS")
        after = _peak_rss()
        if after is not None:
            peak = max(mine[0], after)
            entry.peak = max(entry.peak or 0, peak)
            if outer is not None:
                outer[0] = max(outer[0], peak)


def format_timings(timings: Sequence[PhaseTiming], total_wall: float | None = None,
                   total_cpu: float | None = None) -> str:
    """The phase table: nesting by indentation, calls, wall and CPU seconds, share of the total wall time
    (the top-level phases' sum, or ``total_wall`` when given: the rest is then a row of its own), and each
    phase's resident set when first entered, its peak and the resident set it left (at its end), in MiB ("-"
    where not recorded)."""
    top_wall = sum(t.wall for t in timings if t.depth == 0)
    top_cpu = sum(t.cpu for t in timings if t.depth == 0)
    total = total_wall if total_wall is not None else top_wall
    rows: list[tuple[str, int | None, float, float | None, int | None, int | None, int | None]] = [
        ("  " * t.depth + t.name, t.calls, t.wall, t.cpu, t.start, t.peak, t.end) for t in timings]
    if total_wall is not None:
        rest_cpu = total_cpu - top_cpu if total_cpu is not None else None
        top_peak = max((t.peak for t in timings if t.depth == 0 and t.peak is not None), default=None)
        rows.append(("other (start-up, imports, config)", None, total_wall - top_wall, rest_cpu, None, None,
                     None))
        rows.append(("total", None, total_wall, total_cpu, None, top_peak, None))

    def share(wall: float) -> str:
        return f"{wall / total:.1%}" if total > 0 else "-"

    def mib(size: int | None) -> str:
        return "-" if size is None else f"{size / 2**20:,.0f}"

    cells = [(name, "" if calls is None else f"{calls:,}", f"{wall:.2f}",
              "-" if cpu is None else f"{cpu:.2f}", share(wall), mib(start), mib(peak), mib(end))
             for name, calls, wall, cpu, start, peak, end in rows]
    right = (False, True, True, True, True, True, True, True)
    return render_table([[(c, r) for c, r in zip(row, right, strict=True)] for row in cells],
                        header=[(h, r) for h, r in zip(("phase", "calls", "wall s", "cpu s", "share",
                                                        "start MiB", "peak MiB", "end MiB"), right,
                                                       strict=True)])
