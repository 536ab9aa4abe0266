"""The columns of a step's row in rich's ``Progress`` (:mod:`pipeline.progress.bars`): name, bar, figures.

A module of its own because it imports rich, which :mod:`~pipeline.progress.bars` loads only when a step
draws.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.progress import BarColumn, ProgressColumn, Task
from rich.table import Column
from rich.text import Text


class _Name(ProgressColumn):
    """The step's name, indented by its nesting; plain text (no rich markup is read in a name)."""

    def render(self, task: Task) -> Text:
        return Text(task.description)


class _Bar(ProgressColumn):
    """rich's bar, only while a step with a known total runs (no pulsing bar for a count without an end,
    none on a finished line)."""

    def __init__(self, bar_width: int) -> None:
        super().__init__()
        self._bar = BarColumn(bar_width=bar_width)

    def render(self, task: Task) -> RenderableType:
        if task.total is None or task.fields.get("status"):
            return Text("")
        return self._bar.render(task)


class _Figures(ProgressColumn):
    """Percentage, count, rate, time left (or taken) and the end: ``done`` / ``failed``."""

    def render(self, task: Task) -> Text:
        return Text(figures(int(task.completed), None if task.total is None else int(task.total),
                            task.elapsed or 0.0, str(task.fields["unit"]), str(task.fields["status"])))


def columns(bar_width: int) -> tuple[ProgressColumn, ...]:
    return (_Name(table_column=Column(no_wrap=True)), _Bar(bar_width=bar_width),
            _Figures(table_column=Column(no_wrap=True)))


def figures(done: int, total: int | None, elapsed: float, unit: str, status: str = "") -> str:
    """The row's text after the bar, e.g. ``42%  420/1,000 rows  1,234 rows/s  eta 3.1 s`` while running,
    ``1,000 rows  1,234 rows/s  2.3 s  done`` at the end."""
    finished = bool(status)
    rate = done / elapsed if elapsed > 0 else 0.0
    parts = []
    if total and not finished:
        parts.append(f"{min(done / total, 1.0):4.0%}")
        parts.append(f"{done:,}/{total:,} {unit}")
    elif done:
        parts.append(f"{done:,} {unit}")
    if done:
        parts.append(f"{_human(rate)} {unit}/s")
    if total and not finished and done and rate > 0:
        parts.append(f"eta {_seconds(max(total - done, 0) / rate)}")
    else:
        parts.append(_seconds(elapsed))
    if finished:
        parts.append(status)
    return "  ".join(parts)


def _human(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"


def _seconds(sec: float) -> str:
    if sec < 60:
        return f"{sec:.1f} s"
    minutes, sec = divmod(int(sec), 60)
    return f"{minutes} min {sec:02d} s"
