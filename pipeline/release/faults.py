"""Test-only fault injection: kill the run at a named step, so the tests can prove crash recovery.

``APPI_TEST_KILL_AT=<step>[,<step>…]`` makes the process send itself ``APPI_TEST_KILL_SIGNAL`` (``KILL``,
the default, ``TERM`` or ``INT``) when it reaches one of the steps below. Only the test suite sets these
variables; unset (always, in production) :func:`kill_point` is one dictionary lookup.

Steps of ``anonymize run`` (:mod:`pipeline.run`, :mod:`pipeline.release.commit`): ``writing`` (the staging
directory just made, nothing in it yet), ``staged`` (every file written in the staging
directory, nothing in the register yet), ``pending`` (the ``pending`` line appended, before the rename),
``renamed`` (the release in place, before its ``created`` line), ``created`` (the ``created`` line written,
before the staging lock is released). Of ``anonymize provide`` (:mod:`pipeline.publication.provide`):
``provide-appended`` (the ``provided`` line written, the sealed bundle not yet renamed into place).
``append-torn`` (any register append): half the line written, then
the signal, the way a power cut tears a line.
"""

from __future__ import annotations

import os
import signal

KILL_AT_ENV = "APPI_TEST_KILL_AT"
SIGNAL_ENV = "APPI_TEST_KILL_SIGNAL"
_SIGNALS = {"KILL": signal.SIGKILL, "TERM": signal.SIGTERM, "INT": signal.SIGINT}


def armed(step: str) -> bool:
    wanted = os.environ.get(KILL_AT_ENV) or ""
    return step in wanted.split(",")


def kill_point(step: str) -> None:
    """Deliver the configured signal to this process if ``step`` is armed (tests only)."""
    if armed(step):
        os.kill(os.getpid(), _SIGNALS.get(os.environ.get(SIGNAL_ENV, "KILL"), signal.SIGKILL))
