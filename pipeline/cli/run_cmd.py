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


def parse_inputs(items: list[str]) -> dict[str, Path]:
    out = {}
    for item in items:
        table, sep, path = item.partition("=")
        if not sep or not table or not path:
            raise ConfigError(f"--input expects TABLE=PATH, found {item!r}")
        out[table] = Path(path)
    return out


def execute(config_path: Path, out: Path, inputs: dict[str, Path], register: Path) -> int:
    from pipeline.run import run_pipeline

    config = load_config(config_path)
    summary = run_pipeline(config, out, inputs, register)
    for note in summary.recovered:  # what dead runs had left, cleaned before this run (no data in it)
        print(f"recovered: {note}", file=sys.stdout)
    print(format_run_summary(summary.manifest, summary.release_dir), file=sys.stdout)
    return 0


def run(args: argparse.Namespace) -> int:
    progress.set_quiet(args.quiet)
    return execute(args.config, args.out, parse_inputs(args.input), args.register)
