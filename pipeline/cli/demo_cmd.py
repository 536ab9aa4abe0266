"""``anonymize demo [--rows N] [--out DIR]``: generate a synthetic extract and run configs/demo.yaml on it.

The extract is written beside the release (``<out>-extract/``) so the run reads real files, CP932 for the
policyholders as many Japanese core systems export them.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from pipeline import progress
from pipeline.cli.common import add_register_argument
from pipeline.cli.run_cmd import execute
from pipeline.errors import ConfigError, ReleaseExistsError
from pipeline.resources import project_dir


def default_config() -> Path:
    here = project_dir("configs") / "demo.yaml"
    if not here.is_file():
        raise ConfigError(f"{here}: the demo config is missing (run from a checkout of the project)")
    return here


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=int, default=5000, help="policyholder rows to generate (default 5000)")
    p.add_argument("--out", type=Path, default=Path("out/demo"), help="release directory (default out/demo)")
    p.add_argument("--seed", type=int, default=20260401, help="seed of the synthetic extract")
    p.add_argument("--config", type=Path, default=None, help="config to run (default configs/demo.yaml)")
    add_register_argument(p)
    p.add_argument("--keep", action="store_true",
                   help="refuse to replace an earlier demo release at --out (default: replace it)")


def run(args: argparse.Namespace) -> int:
    from pipeline.generate import generate_extracts

    progress.set_quiet(args.quiet)
    out: Path = args.out
    if out.exists() and not args.keep:
        # The demo is re-run often: replace an earlier demo *release* (it has a manifest), nothing else.
        if not (out / "manifest.json").is_file():
            raise ReleaseExistsError(f"{out} exists and is not a release; choose another --out")
        shutil.rmtree(out)
    extract = out.parent / f"{out.name}-extract"
    if extract.exists():
        shutil.rmtree(extract)
    files = generate_extracts(extract, rows=args.rows, seed=args.seed, fmt="csv", encoding="cp932")
    inputs = {k: Path(v) for k, v in files.items()}
    return execute(args.config or default_config(), out, inputs, args.register)
