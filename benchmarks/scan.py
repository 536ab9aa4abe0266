"""Throughput of ``anonymize scan`` on generated policyholder extracts (17 columns, CP932).

Why a script: the issue's target is 200,000 rows x 17 columns in at most 60 s by default; this prints rows per
second for each size and mode, measured as a user runs it (a fresh process: reading, model load, output):

    python benchmarks/scan.py                          # 10k and 200k rows, default mode
    python benchmarks/scan.py --rows 10000 --full      # also --full (NER on every distinct value; slow)
    python benchmarks/scan.py --rows 10000 --n-process 2 --full   # NER worker processes
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.cli.main", "--quiet", *args], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--full", action="store_true", help="also time --full")
    parser.add_argument("--n-process", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scanbench-") as tmp:
        for rows in args.rows:
            out = Path(tmp) / f"x{rows}"
            timed(["generate", "--rows", str(rows), "--out", str(out), "--encoding", "cp932"])
            file = out / "policyholders.csv"
            modes = [("default", [])] + ([("--full", ["--full"])] if args.full else [])
            for label, extra in modes:
                seconds = timed(["scan", str(file), "--n-process", str(args.n_process), *extra])
                print(f"{rows:>9,} rows x 17 columns, {label:<8} n_process={args.n_process}: "
                      f"{seconds:7.1f} s, {rows / seconds:9,.0f} rows/s", flush=True)


if __name__ == "__main__":
    main()
