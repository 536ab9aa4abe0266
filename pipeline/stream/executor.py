"""Where batch work runs: in this process (the default) or on a Dask cluster's workers.

A context, not a parameter, so that ``anonymize run --workers N`` reaches :mod:`pipeline.prepare` without
every
caller in between (run, anonymise, explore) growing a parameter: :func:`using` sets the client for the
duration of a ``with`` block, :func:`current` reads it (None: in this process).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

_client: contextvars.ContextVar[Any] = contextvars.ContextVar("dask_client", default=None)


def current() -> Any:
    """The Dask client batch work is sent to, or None."""
    return _client.get()


@contextlib.contextmanager
def using(client: Any) -> Iterator[None]:
    token = _client.set(client)
    try:
        yield
    finally:
        _client.reset(token)
