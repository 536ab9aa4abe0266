"""``pipeline.cli.signals``: a termination signal ends the run, wherever in the Python code it lands."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = textwrap.dedent("""
    import gc, os, signal, time
    from pipeline.cli import signals

    signals.install()

    class Finalised:
        def __del__(self):  # the signal lands here: Python drops an exception a finalizer raises
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(100_000):
                pass

    Finalised()
    gc.collect()
    try:
        for _ in range(200):  # two seconds of work after the finalizer
            time.sleep(0.01)
    except signals.Terminated as exc:
        print("terminated", signals.exit_status(exc)[1])
        raise SystemExit(0)
    print("the run went on")
""")


def test_a_signal_that_lands_in_a_finalizer_still_ends_the_run() -> None:
    """Seen in the kill tests: SIGTERM landed in a garbage collection's ``__del__`` (the one between the
    write's phases); Python printed and dropped the exception, and the run wrote its release with status 0."""
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "terminated 143"


_SWALLOWED = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from pipeline.cli import signals
    from pipeline.release.writer import publish_dir

    signals.install()
    base = Path(sys.argv[1])
    staging = base / ".rel.partial-x"
    staging.mkdir()
    (staging / "manifest.json").write_text("{}")
    try:  # code that swallows every exception raised in the Python it calls, as some C functions do
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(100_000):
            pass
    except KeyboardInterrupt:
        pass
    try:
        publish_dir(staging, base / "rel")
    except signals.Terminated as exc:
        print("terminated", signals.exit_status(exc)[1], (base / "rel").exists(), staging.exists())
        raise SystemExit(0)
    print("released")
""")


def test_a_signal_whose_exception_was_swallowed_still_stops_the_release(tmp_path: Path) -> None:
    """The handler's exception can vanish (C code that clears any error of the Python it calls ran it; seen
    once: the kill test's run released with status 0). The rename checks the record the handler left and
    raises again: no release directory (the caller's cleanup removes the staging folder)."""
    proc = subprocess.run([sys.executable, "-c", _SWALLOWED, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "terminated 143 False True"
