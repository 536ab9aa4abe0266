"""Terminal progress for long steps (rows per second), and the end-of-run summary table.

No dependency: one status line redrawn in place on stderr is all a batch tool needs, and tqdm's
auto-detection (notebooks, nested bars) would be more than we use. Progress is shown only where a person
watches: never with ``--quiet``, never when stderr is not a terminal (cron, pipes, log files) and never
when ``CI`` is set. The summary is printed regardless; it goes to stdout.

Usage (the pipeline's steps)::

    with progress.step("read claims", total=n) as bar:
        ...
        bar.advance(len(batch))

Phase timings: inside :func:`recording`, every step and every :func:`phase` (a part of a step that draws
nothing) adds its wall-clock and CPU time to a table keyed by nesting and name (``anonymize --phases``),
so that one can see where a run's time goes. Names and times only: never a value.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, TextIO

#: Seconds between redraws of a running step (a redraw per advance would slow tight loops down).
REDRAW_EVERY = 0.1
_BAR = 24
_quiet = False
_depth = 0
_muted = 0
#: Whether the terminal line holds a status without its newline yet (a nested step must start below it).
_open_line = False
#: Phase timings while :func:`recording` (keyed by (parent key, name)), else None; and the open phase's key.
_timings: dict[tuple[object, str], PhaseTiming] | None = None
_phase_key: object = None


def set_quiet(quiet: bool) -> None:
    """``--quiet``: no progress output at all. Without it, progress still only goes to a terminal."""
    global _quiet
    _quiet = bool(quiet)


def enabled(stream: TextIO | None = None) -> bool:
    """Whether a step would draw now: not quiet, stderr is a TTY, not in CI."""
    stream = stream or sys.stderr
    if _quiet or os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


class Step:
    """One running step: counts what it has done and redraws its line at most every :data:`REDRAW_EVERY`."""

    def __init__(self, name: str, total: int | None, unit: str, stream: TextIO | None, draw: bool,
                 indent: int = 0) -> None:
        self.name = name
        self.total = total
        self.unit = unit
        self.done = 0
        self.started = time.monotonic()
        self._stream = stream
        self._draw = draw
        self._indent = "  " * indent
        self._last = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += int(n)
        if self._draw:
            now = time.monotonic()
            if now - self._last >= REDRAW_EVERY:
                self._last = now
                self._write("\r" + self.line() + "\x1b[K")

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def line(self, finished: bool = False, failed: bool = False) -> str:
        """The status text (no control characters): name, bar or count, rate, time."""
        parts = [f"{self._indent}{self.name}"]
        if self.total and not finished:
            share = min(self.done / self.total, 1.0)
            filled = round(share * _BAR)
            parts.append(f"[{'#' * filled}{'-' * (_BAR - filled)}] {share:4.0%}")
            parts.append(f"{self.done:,}/{self.total:,} {self.unit}")
        elif self.done:
            parts.append(f"{self.done:,} {self.unit}")
        if self.done:
            parts.append(f"{_human(self.rate)} {self.unit}/s")
        if self.total and not finished and self.done and self.rate > 0:
            parts.append(f"eta {_seconds((self.total - self.done) / self.rate)}")
        else:
            parts.append(_seconds(self.elapsed))
        if finished:
            parts.append("failed" if failed else "done")
        return "  ".join(parts)

    def _write(self, text: str) -> None:
        global _open_line
        stream = self._stream or sys.stderr
        stream.write(text)
        stream.flush()
        _open_line = not text.endswith("\n")

    def _finish(self, failed: bool) -> None:
        if self._draw:
            self._write("\r" + self.line(finished=True, failed=failed) + "\x1b[K\n")


@contextlib.contextmanager
def step(
    name: str, total: int | None = None, unit: str = "rows", stream: TextIO | None = None
) -> Iterator[Step]:
    """A long step shown as one line while it runs and one line when it ends (``unit``/s as it goes)."""
    global _depth
    draw = enabled(stream) and not _muted
    s = Step(name, total, unit, stream, draw, indent=_depth)
    if draw:
        if _open_line:
            s._write("\n")  # an enclosing step's line stays; this one goes below it
        s._write("\r" + s.line() + "\x1b[K")
    _depth += 1
    try:
        with phase(name):
            yield s
    except BaseException:
        s._finish(failed=True)
        raise
    else:
        s._finish(failed=False)
    finally:
        _depth -= 1


# --- phase timings ------------------------------------------------------------------------------------


@dataclass
class PhaseTiming:
    """Accumulated time of one named phase under one parent phase: a phase entered in a loop (a search per
    joined-view round) is one row with its number of calls."""

    name: str
    depth: int
    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0


@contextlib.contextmanager
def recording() -> Iterator[list[PhaseTiming]]:
    """Record every step and phase entered inside; the yielded list is filled, in first-entered order
    (a parent before its children), when the block ends."""
    global _timings, _phase_key
    outer, outer_key = _timings, _phase_key
    _timings, _phase_key = {}, None
    result: list[PhaseTiming] = []
    try:
        yield result
    finally:
        result.extend(_timings.values())
        _timings, _phase_key = outer, outer_key


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Time a part of the run under ``name`` (nested in the enclosing phase or step); draws nothing, and
    costs two clock reads when not :func:`recording`."""
    global _phase_key
    if _timings is None:
        yield
        return
    parent = _phase_key
    key = (parent, name)
    if key not in _timings:
        depth = _timings[parent].depth + 1 if parent in _timings else 0
        _timings[key] = PhaseTiming(name, depth)
    entry = _timings[key]
    _phase_key = key
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        entry.calls += 1
        entry.wall += time.perf_counter() - wall
        entry.cpu += time.process_time() - cpu
        _phase_key = parent


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
    head = ("phase", "calls", "wall s", "cpu s", "share")
    widths = [max(width(r[i]) for r in [head, *cells]) for i in range(len(head))]

    def line(r: Sequence[str]) -> str:
        first = r[0] + " " * (widths[0] - width(r[0]))
        return "  ".join([first, *(" " * (widths[i] - width(c)) + c for i, c in enumerate(r) if i)]).rstrip()

    return "\n".join([line(head), "  ".join("-" * w for w in widths), *(line(r) for r in cells)])


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Steps started inside draw nothing: a caller with its own bar (the explorer runs the whole pipeline
    per grid point) keeps one tidy line instead of a screenful of inner steps."""
    global _muted
    _muted += 1
    try:
        yield
    finally:
        _muted -= 1


def _human(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"


def _seconds(sec: float) -> str:
    if sec < 60:
        return f"{sec:.1f} s"
    minutes, sec = divmod(int(sec), 60)
    return f"{minutes} min {sec:02d} s"


# --- the final summary --------------------------------------------------------------------------------


def width(text: str) -> int:
    """Display width in a terminal: East Asian wide and full-width characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> tuple[str, bool]:
    """Text of a cell and whether it is a number (numbers are right-aligned)."""
    if value is None:
        return "-", True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, Integral):
        return f"{int(value):,}", True
    if isinstance(value, Real):
        v = float(value)
        return (f"{v:,.0f}" if v.is_integer() and abs(v) >= 1000 else f"{v:.4g}"), True
    return str(value), False


def format_summary(rows: Sequence[Mapping[str, Any]], notes: Iterable[str] = ()) -> str:
    """An aligned plain-text table: one mapping per row, columns in first-seen order, numbers
    right-aligned with thousands separators, missing cells as ``-``; ``notes`` are lines printed below
    (e.g. where the published item list is)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([width(c), *(width(r[i][0]) for r in cells)]) for i, c in enumerate(columns)]

    def pad(text: str, w: int, right: bool) -> str:
        fill = " " * (w - width(text))
        return fill + text if right else text + fill

    lines = ["  ".join(pad(c, widths[i], False) for i, c in enumerate(columns)).rstrip(),
             "  ".join("-" * w for w in widths).rstrip()]
    for r in cells:
        lines.append("  ".join(pad(text, widths[i], num) for i, (text, num) in enumerate(r)).rstrip())
    lines.extend(notes)
    return "\n".join(lines)


def release_summary_rows(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One summary row per table of a release manifest: rows in/out, k reached, suppression, risk."""
    rows = []
    for name, t in manifest.get("tables", {}).items():
        risk = t.get("risk") or {}
        before = risk.get("before") or {}
        after = risk.get("after") or {}
        loss = t.get("information_loss") or {}
        rows.append({
            "table": name,
            "rows in": t.get("rows_in"),
            "rows out": t.get("rows"),
            "suppressed": t.get("suppressed_rows"),
            "k": t.get("k"),
            "k reached": t.get("min_class_size"),
            "info loss": loss.get("lm", loss.get("overall")),
            "optimum": _optimum(t.get("search") or {}),
            "risk max before": before.get("prosecutor_max"),
            "risk max after": after.get("prosecutor_max"),
            "risk avg after": after.get("prosecutor_avg"),
        })
    return rows


def risk_summary_rows(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Re-identification risk per table before and after anonymisation (``pipeline.metrics.risk``): two rows
    a table, every measure the manifest records (shares of records, so comparable across tables)."""
    rows = []
    for name, t in manifest.get("tables", {}).items():
        risk = t.get("risk") or {}
        for when in ("before", "after"):
            r = risk.get(when) or {}
            rows.append({
                "table": name,
                "risk": when,
                "prosecutor max": r.get("prosecutor_max"),
                "prosecutor avg": r.get("prosecutor_avg"),
                "records at risk": r.get("records_at_risk"),
                "sample uniques": r.get("sample_uniques"),
                "marketer": r.get("marketer"),
                "threshold": r.get("threshold"),
            })
    return rows


def _optimum(search: Mapping[str, Any]) -> str | None:
    """``proven`` when the search proved its levels optimal, ``heuristic`` for the fallback
    (pipeline.search)."""
    if not search:
        return None
    return "proven" if search.get("exact", True) else "heuristic"
