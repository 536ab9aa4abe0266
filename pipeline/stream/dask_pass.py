"""The first pass on Dask distributed: batches normalised and encoded on the workers, reduced on the client.

``anonymize run CONFIG --out DIR --workers N`` starts a local cluster (N worker processes, one thread each);
``--scheduler tcp://HOST:8786`` connects to a running one (``dask scheduler`` / ``dask worker``). Either way
the
connection is made, and checked, before any input is read: an unreachable scheduler is a :class:`ClusterError`
(one line, exit status 12) and nothing is started.

Who reads what: a Parquet input is read by the workers themselves, one row group per task (the path must be
the same on every worker: shared storage). A CSV cannot be split at byte offsets safely (quoted fields may
hold
newlines), so the client streams it (only the kept columns: identifiers are never parsed) and hands each
batch to a worker; at most :data:`IN_FLIGHT` batches per worker are outstanding, so the client's memory stays
bounded. Each task returns a partial result and the client merges them as they complete.

Two uses, one mechanism (:func:`map_batches`):
- :func:`normalise_on_cluster`: the normalised kept columns of each batch come back, in row order, and the
  rest of ``anonymize run`` proceeds as on one machine (wired into :mod:`pipeline.prepare` by
  :mod:`executor`);
- :func:`first_pass_dask`: each batch comes back as its partial histogram (:func:`encode_batch`), the same
  :class:`~pipeline.stream.first_pass.FirstPass` as the local :func:`first_pass` (a test proves it).

Safety: no key or seed is sent to a worker in either use (the surrogate key is drawn later, on the client).
Worker spilling to disk is switched off for the local cluster, whose scratch directory is a fresh temporary
directory removed afterwards; batches hold personal data (linking codes, dates), so a real cluster must be
configured the same way (``distributed.worker.memory.spill: false``) and use TLS between hosts.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.config.model import Config, TableSpec
from pipeline.errors import InputError, PipelineError
from pipeline.io.batches import parquet_groups, read_parquet_group, resolve_format
from pipeline.stream.columns import batches, kept_for_processing
from pipeline.stream.compact import Compacting
from pipeline.stream.first_pass import (
    COMPACT_EVERY,
    FirstPass,
    after_table,
    check_input,
    column_reader,
    encode_batch,
    finish_table,
    held_rows,
    input_paths,
    reduce_stats,
)

IN_FLIGHT = 2
#: Seconds to reach a remote scheduler, and for its first worker. Dask configuration key
#: ``anonymize.connect-timeout`` (e.g. ``DASK_ANONYMIZE__CONNECT_TIMEOUT=60`` on a slow network; Dask's
#: usual config files and ``DASK_*`` variables), not a CLI option: a property of the network, set once
#: where the cluster is configured.
CONNECT_TIMEOUT = 10.0


class ClusterError(PipelineError):
    """The Dask scheduler cannot be reached, or the cluster failed during the run (no release is written)."""

    exit_code = 12  # 11 is OutputError on main (an output that cannot be written)


def _dask_config() -> dict[str, Any]:
    return {"distributed.worker.memory.spill": False, "distributed.worker.memory.target": False,
            "distributed.logging.distributed": "error"}


@contextlib.contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A local cluster of ``workers`` processes (one thread each) and its client; scratch removed after."""
    import dask
    from distributed import Client, LocalCluster

    with (tempfile.TemporaryDirectory(prefix="anonymize-dask-") as scratch, dask.config.set(_dask_config()),
          LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                       local_directory=scratch, silence_logs=40) as cluster, Client(cluster) as client):
        yield client


@contextlib.contextmanager
def remote_cluster(address: str) -> Iterator[Any]:
    """A client of the scheduler at ``address``; :class:`ClusterError` at once if it cannot be reached."""
    import dask
    from dask.utils import parse_timedelta
    from distributed import Client

    timeout = parse_timedelta(dask.config.get("anonymize.connect-timeout", CONNECT_TIMEOUT), default="s")
    with dask.config.set(_dask_config()):
        try:
            client = Client(address, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"Dask scheduler {address}: cannot connect ({type(exc).__name__}); "
                               "is `dask scheduler` running there and reachable?") from None
        try:
            if not client.scheduler_info().get("workers"):
                client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            client.close()
            raise ClusterError(f"Dask scheduler {address}: no worker joined ({type(exc).__name__}); "
                               "start `dask worker` processes") from None
        with client:
            yield client


def _read_and(fn: Callable[..., Any], spec: TableSpec, path: Path, group: int, *args: Any) -> Any:
    """Worker side: read row group ``group`` of a Parquet input, then ``fn`` on it."""
    return fn(spec, path, read_parquet_group(path, group, [c.name for c in kept_for_processing(spec)]), *args)


def map_batches(client: Any, fn: Callable[..., Any], spec: TableSpec, path: Path,
                *args: Any) -> Iterator[tuple[int, Any]]:
    """``fn(spec, path, batch, *args)`` on the workers for every batch of ``path``: (batch number, result) as
    they complete, in any order (``args`` may hold futures, e.g. data scattered once). A failed task or a
    lost worker is a :class:`ClusterError`."""
    from distributed import as_completed

    limit = IN_FLIGHT * max(len(client.scheduler_info().get("workers", {})), 1)
    if resolve_format(path, spec.format) == "parquet":
        groups = parquet_groups(path)
        futures = [client.submit(_read_and, fn, spec, path, g, *args, pure=False) for g in range(groups)]
        numbered = dict(zip(futures, range(groups), strict=True))
        yield from _gather(as_completed(futures), numbered)
        return
    pending = as_completed()
    numbered = {}
    for i, batch in enumerate(batches(spec, path)):
        future = client.submit(fn, spec, path, batch, *args, pure=False)
        numbered[future] = i
        pending.add(future)
        while pending.count() >= limit:
            yield from _gather([next(pending)], numbered)
    yield from _gather(pending, numbered)


def _gather(done: Any, numbered: dict[Any, int]) -> Iterator[tuple[int, Any]]:
    for future in done:
        try:
            result = future.result()
        except PipelineError:
            raise
        except Exception as exc:  # a worker died, a task failed: never a partial release
            raise ClusterError(f"a Dask task failed ({type(exc).__name__}); no release was written") from None
        yield numbered.pop(future), result


def first_pass_dask(config: Config, inputs: dict[str, Path] | None, client: Any,
                    carry: dict[str, str] | None = None) -> FirstPass:
    """:func:`pipeline.stream.first_pass.first_pass` with the batches encoded on the cluster's workers."""
    paths = input_paths(config, inputs)
    fp = FirstPass({})
    links = fp.links
    for spec in config.tables:
        path = Path(paths[spec.name])
        check_input(spec, path)
        earlier = links.get(spec.person_key) if spec.person_key else None
        # the links (12 bytes a person) are sent to every worker once, not with each task
        shared = None if earlier is None else client.scatter(earlier, broadcast=True, hash=False)
        acc = Compacting(reduce_stats, held_rows, COMPACT_EVERY)
        for _, part in map_batches(client, encode_batch, spec, path, config.privacy.reference_date,
                                       config.privacy.k, shared, (carry or {}).get(spec.name)):
            acc.add(part)
        if shared is not None:
            client.cancel(shared)
        merged = acc.merged()
        if merged is None:
            raise InputError(f"file {path}: no data rows")
        stats = finish_table(config, spec, path, merged, earlier,
                             column_reader(spec, path, config.privacy.reference_date))
        after_table(spec, stats, fp)
    return fp
