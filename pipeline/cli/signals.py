"""SIGTERM (and SIGHUP) handled like SIGINT: an exception, so every ``finally`` cleans up what it was writing.

``kill PID``, ``systemctl stop``, a batch scheduler's timeout and a closed terminal send SIGTERM or SIGHUP,
not SIGINT. Python's default for them is to die at once, which would leave a staging directory behind;
raised as :class:`Terminated` (a ``KeyboardInterrupt``), they unwind through the same cleanup as Ctrl-C. Once
one signal is being handled, further ones are ignored so the cleanup itself is not cut short (SIGKILL still
works; the next run then removes what is left, :mod:`pipeline.release.writer`). Exit status: 128 + the
signal number.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """A termination signal arrived; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    for s in HANDLED:
        signal.signal(s, signal.SIG_IGN)
    raise Terminated(signum)


def install() -> None:
    """Route SIGINT, SIGTERM and SIGHUP to :class:`Terminated` (main thread only, as Python requires)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for s in HANDLED:
        signal.signal(s, _raise)


def exit_status(exc: BaseException) -> tuple[str, int]:
    """Signal name and exit status for an interrupt (a plain ``KeyboardInterrupt`` is SIGINT)."""
    signum = getattr(exc, "signum", signal.SIGINT)
    return signal.Signals(signum).name, 128 + int(signum)
