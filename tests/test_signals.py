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
