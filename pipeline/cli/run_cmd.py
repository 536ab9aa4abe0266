"""``anonymize run CONFIG --out DIR [--input TABLE=PATH …]``: one release from the config's extracts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import progress
from pipeline.cli.common import add_register_argument
from pipeline.cli.summary import format_run_summary
from pipeline.config import load_config
from pipeline.errors import ConfigError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path, help="YAML config (see configs/demo.yaml)")
    p.add_argument("--out", type=Path, required=True, help="release directory to create (must not exist)")
    p.add_argument("--input", action="append", default=[], metavar="TABLE=PATH",
                   help="read TABLE from PATH instead of the config's file (repeatable)")
    add_register_argument(p)
    cluster = p.add_mutually_exclusive_group()
    cluster.add_argument("--workers", type=_workers, default=None, metavar="N",
                         help="read and normalise the inputs on a local Dask cluster of N worker processes")
    cluster.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                         help="read and normalise the inputs on a running Dask cluster (`dask scheduler`); "
                              "input paths must be readable by every worker")


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
            workers: int | None = None, scheduler: str | None = None) -> int:
    from pipeline.run import run_pipeline

    config = load_config(config_path)
    if workers is None and scheduler is None:
        summary = run_pipeline(config, out, inputs, register)
    else:
        from pipeline.stream import executor
        from pipeline.stream.dask_pass import local_cluster, remote_cluster

        if out.exists():  # before a cluster is started for nothing
            from pipeline.errors import ReleaseExistsError

            raise ReleaseExistsError(f"{out.resolve()} already exists; releases are never overwritten, "
                                     "choose a new --out")
        cluster = local_cluster(workers) if workers is not None else remote_cluster(str(scheduler))
        with cluster as client, executor.using(client):
            summary = run_pipeline(config, out, inputs, register)
    print(format_run_summary(summary.manifest, summary.release_dir), file=sys.stdout)
    return 0


def run(args: argparse.Namespace) -> int:
    progress.set_quiet(args.quiet)
    return execute(args.config, args.out, parse_inputs(args.input), args.register, args.workers,
                   args.scheduler)
