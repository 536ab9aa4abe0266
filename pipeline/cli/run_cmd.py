"""``anonymize run CONFIG --out DIR [--input TABLE=PATH …]``: one release from the config's extracts."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.common import add_register_argument, check_register_path
from pipeline.cli.summary import format_run_summary
from pipeline.config import load_config
from pipeline.errors import ConfigError, OutputError, RegisterError, ReleaseExistsError

if TYPE_CHECKING:
    from pipeline.config.model import Config
    from pipeline.run import RunSummary


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path, help="YAML config (see configs/demo.yaml)")
    p.add_argument("--out", type=Path, required=True, help="release directory to create (must not exist)")
    p.add_argument("--input", action="append", default=[], metavar="TABLE=PATH",
                   help="read TABLE from PATH instead of the config's file (repeatable)")
    add_register_argument(p)
    p.add_argument("--stream", action="store_true",
                   help="anonymise in bounded memory: two passes over the inputs, the search on their "
                        "histograms (global recoding without protect_attributes; README, Scale)")
    cluster = p.add_mutually_exclusive_group()
    cluster.add_argument("--workers", type=_workers, default=None, metavar="N",
                         help="read and normalise the inputs on a local Dask cluster of N worker processes "
                              "(with --stream: both streamed passes)")
    cluster.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                         help="read and normalise the inputs on a running Dask cluster (`dask scheduler`; "
                              "with --stream: both streamed passes); input paths must be readable by every "
                              "worker")


def _workers(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of workers, got {text!r}") from None
    if not 1 <= n <= 256:
        raise argparse.ArgumentTypeError(f"workers must be between 1 and 256, got {n}")
    return n


def parse_inputs(items: list[str]) -> dict[str, Path]:
    out = {}
    for item in items:
        table, sep, path = item.partition("=")
        if not sep or not table or not path:
            raise ConfigError(f"--input expects TABLE=PATH, found {item!r}")
        out[table] = Path(path)
    return out


def execute(config_path: Path, out: Path, inputs: dict[str, Path], register: Path,
            demo: bool = False, workers: int | None = None, scheduler: str | None = None,
            stream: bool = False) -> int:
    from pipeline.run import run_pipeline

    config = load_config(config_path)
    check_register_path(register)
    check_output_path(out)
    try:
        if stream:  # a config the streamed path does not cover fails before a cluster is started
            from pipeline.anonymise.streamed_release import check_streamable

            check_streamable(config)
        if workers is None and scheduler is None:
            summary = run_pipeline(config, out, inputs, register, demo=demo, stream=stream)
        else:
            summary = _run_on_cluster(config, out, inputs, register, demo, workers, scheduler, stream)
    except OSError as exc:
        # a full disk, a read-only file system, a quota: the staging directory is already removed
        # (pipeline.release.writer); errno only, the message could name a file holding personal data
        name = errno.errorcode.get(exc.errno or 0, "EIO")
        why = f"{name} ({os.strerror(exc.errno or errno.EIO)})"
        if out.exists():  # the rename happened: it is the register that could not be written
            raise RegisterError(f"{register}: {why} while recording the release {out}; "
                                "the release is not registered") from None
        raise OutputError(f"{out}: {why} while reading the inputs or writing the release; no release was "
                          "written (check free space and permissions)") from None
    for note in summary.recovered:  # what dead runs had left, cleaned before this run (no data in it)
        print(f"recovered: {note}", file=sys.stdout)
    print(format_run_summary(summary.manifest, summary.release_dir), file=sys.stdout)
    return 0


def _run_on_cluster(config: Config, out: Path, inputs: dict[str, Path], register: Path, demo: bool,
                    workers: int | None, scheduler: str | None, stream: bool = False) -> RunSummary:
    """``--workers N`` / ``--scheduler ADDR``: the batches are read and normalised on Dask workers (with
    ``--stream``: both streamed passes, ``pipeline.anonymise.streamed_release``)."""
    from pipeline.run import run_pipeline
    from pipeline.stream import executor
    from pipeline.stream.dask_pass import local_cluster, remote_cluster

    if out.exists():  # before a cluster is started for nothing
        raise ReleaseExistsError(f"{out.resolve()} already exists; releases are never overwritten, "
                                 "choose a new --out")
    cluster = local_cluster(workers) if workers is not None else remote_cluster(str(scheduler))
    with cluster as client, executor.using(client):
        return run_pipeline(config, out, inputs, register, demo=demo, stream=stream)


def check_output_path(out: Path) -> None:
    """``--out`` must be creatable: its nearest existing ancestor a writable directory. Checked before any
    work, so a read-only target fails in a second, not after the anonymisation (one line, not a traceback)."""
    parent = next((p for p in out.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise OutputError(f"{out}: a parent of --out is a file, not a directory; choose another --out")
    if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: {parent} is not writable (read-only file system or permissions); "
                          "choose another --out")


def run(args: argparse.Namespace) -> int:
    return execute(args.config, args.out, parse_inputs(args.input), args.register,
                   workers=args.workers, scheduler=args.scheduler, stream=args.stream)
