"""Progress bars for long steps (rows per second), drawn by rich's ``Progress`` on stderr.

Shown only where a person watches: never inside :func:`quiet` (``--quiet``), never when the stream is not a
terminal (cron, pipes, log files) and never when ``CI`` is set; counting goes on regardless. A step inside
another step is a row of the enclosing step's display, indented; inside :func:`muted` a step draws nothing
(the explorer runs the whole pipeline per grid point under its own bar). A step's line names the step,
shows a bar and a percentage when its total is known, the count in its unit, the rate, the time left (or
taken) and, when it ends, ``done`` or ``failed``: names and counts only, never a value.

Why rich: the library already in the tree (through typer) that handles the terminal for us: redrawing several
lines in place, cell widths of Japanese names, colours only where the terminal has them (``NO_COLOR``), the
cursor restored when a step ends or fails. It redraws when a step advances, at most every
:data:`REDRAW_EVERY` seconds, not from rich's refresh thread: no thread runs beside the pipeline (whose scan
forks NER workers), and a tight loop pays one clock read per advance.

State is per context (``contextvars``), not module globals: whether output is quiet or muted and which display
is open are set by context managers and restored when they end, so an in-process caller (a test running
``main(["--quiet", …])``) leaves nothing behind for the next.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, TextIO

from pipeline.progress.timings import phase

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

#: Seconds between redraws of a running step (a redraw per advance would slow tight loops down).
REDRAW_EVERY = 0.1
_BAR = 24

_quiet: ContextVar[bool] = ContextVar("progress_quiet", default=False)
_muted: ContextVar[bool] = ContextVar("progress_muted", default=False)
_display: ContextVar[_Display | None] = ContextVar("progress_display", default=None)


@contextlib.contextmanager
def quiet(on: bool = True) -> Iterator[None]:
    """``--quiet``: no progress output inside the block. Without it, progress still only goes to a
    terminal."""
    token = _quiet.set(bool(on))
    try:
        yield
    finally:
        _quiet.reset(token)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Steps started inside draw nothing: a caller with its own bar (the explorer runs the whole pipeline
    per grid point) keeps one tidy line instead of a screenful of inner steps."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def enabled(stream: TextIO | None = None) -> bool:
    """Whether a step would draw now: not quiet, stderr (or ``stream``) is a TTY, not in CI."""
    stream = stream or sys.stderr
    if _quiet.get() or os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


class _Display:
    """The rich ``Progress`` of the outermost drawing step; each step inside it is one task (one row)."""

    def __init__(self, stream: TextIO | None) -> None:
        # rich is imported here, on the first step that draws: about 0.1 s that most commands never need
        from rich.console import Console
        from rich.progress import Progress

        from pipeline.progress._columns import columns

        console = Console(file=stream) if stream is not None else Console(stderr=True)
        # stdout is left alone (it may be piped: the summary, --json); a line written to stderr while the
        # bars are up is printed above them
        self.progress: Progress = Progress(*columns(_BAR), console=console, auto_refresh=False,
                                           redirect_stdout=False)
        self.depth = 0
        self._drawn = 0.0

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._drawn >= REDRAW_EVERY:
            self._drawn = now
            self.progress.refresh()


class Step:
    """One running step: counts what it has done; draws as a row of ``display`` when there is one."""

    def __init__(self, name: str, total: int | None, unit: str, display: _Display | None) -> None:
        self.name = name
        self.total = total
        self.unit = unit
        self.done = 0
        self._display = display
        self._task: TaskID | None = None
        if display is not None:
            self._task = display.progress.add_task("  " * display.depth + name, total=total, unit=unit,
                                                   status="")

    def advance(self, n: int = 1) -> None:
        self.done += int(n)
        if self._display is not None and self._task is not None:
            self._display.progress.update(self._task, completed=self.done)
            self._display.refresh()

    def _finish(self, failed: bool) -> None:
        if self._display is not None and self._task is not None:
            self._display.progress.update(self._task, status="failed" if failed else "done")
            self._display.progress.stop_task(self._task)
            self._display.refresh(force=True)


@contextlib.contextmanager
def step(
    name: str, total: int | None = None, unit: str = "rows", stream: TextIO | None = None
) -> Iterator[Step]:
    """A long step shown as one line while it runs and one line when it ends (``unit``/s as it goes); also
    a phase of the run's timings (:func:`pipeline.progress.timings.phase`)."""
    outer = _display.get()
    display = None if _muted.get() else outer
    token = None
    if display is None and outer is None and not _muted.get() and enabled(stream):
        display = _Display(stream)
        display.progress.start()
        token = _display.set(display)
    s = Step(name, total, unit, display)
    if display is not None:
        display.depth += 1
        display.refresh(force=True)
    try:
        with phase(name):
            yield s
    except BaseException:
        s._finish(failed=True)
        raise
    else:
        s._finish(failed=False)
    finally:
        if display is not None:
            display.depth -= 1
        if token is not None:
            assert display is not None
            _display.reset(token)
            display.progress.stop()
