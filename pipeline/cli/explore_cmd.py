"""``anonymize explore CONFIG [--k 2,3,5,10,20] [--suppression 0,0.02,0.05] [--out DIR]
[--input TABLE=PATH]``.

Evaluates the config's extract for every k and suppression limit and writes a chart and a table of
information loss vs risk, so the analyst can choose the parameters with eyes open. Nothing is released:
the outputs hold figures only, no data.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import progress
from pipeline.cli.run_cmd import parse_inputs
from pipeline.config import load_config
from pipeline.errors import ConfigError

DEFAULT_K = "2,3,5,10,20"
DEFAULT_SUPPRESSION = "0,0.02,0.05"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path, help="YAML config (see configs/demo.yaml)")
    p.add_argument("--k", default=DEFAULT_K, metavar="K,K,…", help=f"values of k (default {DEFAULT_K})")
    p.add_argument("--suppression", default=DEFAULT_SUPPRESSION, metavar="S,S,…",
                   help=f"suppression limits, shares of rows (default {DEFAULT_SUPPRESSION})")
    p.add_argument("--out", type=Path, default=Path("out/explore"),
                   help="directory for tradeoff.{png,svg,csv,md} (default out/explore)")
    p.add_argument("--input", action="append", default=[], metavar="TABLE=PATH",
                   help="read TABLE from PATH instead of the config's file (repeatable)")


def parse_list(text: str, kind: type, flag: str) -> list:
    try:
        return [kind(v.strip()) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(
            f"{flag} expects a comma-separated list of {kind.__name__}s, found {text!r}"
        ) from None


def run(args: argparse.Namespace) -> int:
    from pipeline.explore import check_grid, explore, write_outputs
    from pipeline.prepare import prepare

    ks = parse_list(args.k, int, "--k")
    ks, limits = check_grid(ks, parse_list(args.suppression, float, "--suppression"))
    config = load_config(args.config)
    frame = explore(prepare(config, parse_inputs(args.input)), ks, limits)
    paths = write_outputs(frame, args.out)
    rows = [
        {"table": r.table, "k": r.k, "suppression": f"{r.suppression_limit:.0%}",
         "LM": r.lm if r.feasible else None, "suppressed": r.suppressed_rows if r.feasible else None,
         "risk max": r.prosecutor_max_after if r.feasible else None,
         "risk avg": r.prosecutor_avg_after if r.feasible else None,
         "status": "ok" if r.feasible else "infeasible"}
        for r in frame.itertuples(index=False)
    ]
    notes = [f"chart: {paths['png']} ({paths['svg'].name})", f"table: {paths['csv']} ({paths['md'].name})"]
    print(progress.format_summary(rows, notes), file=sys.stdout)
    return 0
