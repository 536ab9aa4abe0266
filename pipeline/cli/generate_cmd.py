"""``anonymize generate``: write seeded synthetic policyholder and claims extracts (CSV or Parquet)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

NAME = "generate"
HELP = "write synthetic policyholder and claims extracts (Faker ja_JP, seeded)"


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of rows, got {text!r}") from None
    if not 1 <= value <= 50_000_000:
        raise argparse.ArgumentTypeError(f"rows must be between 1 and 50,000,000, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pipeline.generate.writer import ENCODINGS, FORMATS

    parser.add_argument(
        "--rows", type=_positive_int, required=True, help="number of policies (claims: ~0.6 each)"
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for policyholders.* and claims.*")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same files")
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="csv", help="output format")
    parser.add_argument(
        "--encoding", choices=ENCODINGS, default="utf-8", help="CSV text encoding (cp932 as Windows exports)"
    )


def run(args: argparse.Namespace) -> int:
    from pipeline.generate import generate_extracts

    started = time.perf_counter()
    paths = generate_extracts(args.out, args.rows, seed=args.seed, fmt=args.fmt, encoding=args.encoding)
    if not getattr(args, "quiet", False):
        elapsed = time.perf_counter() - started
        for table, path in paths.items():
            print(f"{table}: {path} ({path.stat().st_size / 1e6:.2f} MB)")
        print(f"generated {args.rows:,} policies with seed {args.seed} in {elapsed:.1f} s", file=sys.stderr)
    return 0
