"""Whether a termination signal arrived in this run: what :mod:`pipeline.cli.signals` records, for the one
step that cannot be undone (the release directory's rename, :func:`pipeline.release.writer.publish_dir`).

Why a record besides the exception: the handler raises :class:`Terminated` in whatever Python code the main
thread runs, and some C code clears any error raised in the Python it calls (``PyObject_HasAttr`` on an
object with a Python ``__getattr__``, for one). A signal handled there vanishes, its further deliveries are
ignored (the cleanup must not be cut short), and the run went on to release with exit status 0: seen once
in the kill test ``test_a_real_sigterm_while_writing_leaves_nothing`` under a loaded machine.
:func:`check_terminated` raises it again before the rename; the staging folder is then removed by the same
cleanup as for any signal. Below ``pipeline.cli`` so that ``pipeline.release`` may ask (no import cycle).
"""

from __future__ import annotations

import signal


class Terminated(KeyboardInterrupt):
    """A termination signal arrived; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_received: int | None = None


def record(signum: int | None) -> None:
    """The signal a handler is raising (None: a new run, nothing received)."""
    global _received
    _received = signum


def check_terminated() -> None:
    """Raise :class:`Terminated` if a signal arrived in this run (its exception may have been swallowed)."""
    if _received is not None:
        raise Terminated(_received)
