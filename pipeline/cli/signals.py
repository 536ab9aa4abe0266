"""SIGTERM (and SIGHUP) handled like SIGINT: an exception, so every ``finally`` cleans up what it was writing.

``kill PID``, ``systemctl stop``, a batch scheduler's timeout and a closed terminal send SIGTERM or SIGHUP,
not SIGINT. Python's default for them is to die at once, which would leave a staging directory behind;
raised as :class:`Terminated` (a ``KeyboardInterrupt``), they unwind through the same cleanup as Ctrl-C. Once
one signal is being handled, further ones are ignored so the cleanup itself is not cut short (SIGKILL still
works; the next run then removes what is left, :mod:`pipeline.release.writer`). Exit status: 128 + the
signal number.

A signal that lands while a finalizer runs (an object's ``__del__``, a weak reference's callback: any
garbage collection, e.g. the one between the run's phases) raises there, and Python prints and drops an
exception raised in a finalizer: the run went on and wrote its release with exit status 0, further signals
ignored. :func:`install` also hooks ``sys.unraisablehook``: a dropped :class:`Terminated` is delivered again,
so it is raised in the code the finalizer interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from pipeline import interrupts
from pipeline.interrupts import Terminated

__all__ = ["HANDLED", "Terminated", "exit_status", "install"]

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _raise(signum: int, frame: FrameType | None) -> None:
    for s in HANDLED:
        signal.signal(s, signal.SIG_IGN)
    interrupts.record(signum)  # for the rename's last check, should this exception be swallowed
    raise Terminated(signum)


def _again(unraisable: Any) -> None:
    """``sys.unraisablehook``: a :class:`Terminated` a finalizer dropped is sent again (its handler restored)
    from another thread a moment later, to be raised in the main thread outside the finalizer (if it lands
    in another one, this runs again); anything else goes to the hook that was installed before. Not
    ``signal.raise_signal`` here: it runs the handler at once, inside this hook, which drops it too."""
    exc = unraisable.exc_value
    if isinstance(exc, Terminated):
        signal.signal(exc.signum, _raise)
        resend = threading.Timer(0.01, os.kill, (os.getpid(), exc.signum))
        resend.daemon = True
        resend.start()
        return
    _previous_hook(unraisable)


_previous_hook = sys.unraisablehook


def install() -> None:
    """Route SIGINT, SIGTERM and SIGHUP to :class:`Terminated` (main thread only, as Python requires), also
    when one lands in a finalizer (:func:`_again`)."""
    global _previous_hook
    if threading.current_thread() is not threading.main_thread():
        return
    interrupts.record(None)
    for s in HANDLED:
        signal.signal(s, _raise)
    if sys.unraisablehook is not _again:
        _previous_hook = sys.unraisablehook
        sys.unraisablehook = _again


def exit_status(exc: BaseException) -> tuple[str, int]:
    """Signal name and exit status for an interrupt (a plain ``KeyboardInterrupt`` is SIGINT)."""
    signum = getattr(exc, "signum", signal.SIGINT)
    return signal.Signals(signum).name, 128 + int(signum)
