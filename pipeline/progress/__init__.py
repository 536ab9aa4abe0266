"""What a run shows a person at the terminal, in three jobs (issue 14 point 7):

- :mod:`~pipeline.progress.bars` — progress bars of long steps (rich), only where a person watches;
- :mod:`~pipeline.progress.timings` — the phase timings of ``--phases`` (wall-clock and CPU per step);
- :mod:`~pipeline.progress.tables` — aligned plain-text tables (run summary, explorer, phases, register).

Usage (the pipeline's steps)::

    with progress.step("read claims", total=n) as bar:
        ...
        bar.advance(len(batch))
    with progress.phase("surrogates"):
        ...

Why a package that re-exports, rather than renaming the call sites: about twenty modules mark their steps and
phases as ``progress.step`` / ``progress.phase``, and that reads right; the split is for whoever changes one
job without reading the other two. The manifest-specific rows of the run summary are not here but in
:mod:`pipeline.cli.summary` (and :mod:`pipeline.attributes.summary`): this package knows no release.
"""

from pipeline.progress.bars import enabled, muted, quiet, step
from pipeline.progress.tables import format_summary, render_table
from pipeline.progress.timings import PhaseTiming, format_timings, phase, recording

__all__ = [
    "PhaseTiming",
    "enabled",
    "format_summary",
    "format_timings",
    "muted",
    "phase",
    "quiet",
    "recording",
    "render_table",
    "step",
]
