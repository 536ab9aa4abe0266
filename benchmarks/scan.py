"""Throughput of ``anonymize scan`` on generated policyholder extracts (17 columns, CP932).

Why a script: the issue's target is 200,000 rows x 17 columns in at most 60 s by default; this prints rows per
second for each size and mode, measured as a user runs it (a fresh process: reading, model load, output), with
the wall and CPU seconds of that process and the load average before it (the machine is shared: wall time
alone is not comparable between runs, CPU seconds are):

    python benchmarks/scan.py                          # 10k and 200k rows, default mode
    python benchmarks/scan.py --rows 10000 --full      # also --full (NER on every distinct value; slow)
    python benchmarks/scan.py --rows 10000 --n-process 2 --full   # NER worker processes
    python benchmarks/scan.py --rows 200000 --no-ner   # the pattern path alone
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one CLI process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.cli.main", "--quiet", *args], check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--full", action="store_true", help="also time --full")
    parser.add_argument("--no-default", action="store_true", help="skip the default mode")
    parser.add_argument("--no-ner", action="store_true", help="also time --no-ner (patterns only)")
    parser.add_argument("--n-process", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scanbench-") as tmp:
        for rows in args.rows:
            out = Path(tmp) / f"x{rows}"
            timed(["generate", "--rows", str(rows), "--out", str(out), "--encoding", "cp932"])
            file = out / "policyholders.csv"
            modes = ([] if args.no_default else [("default", [])]) \
                + ([("--full", ["--full"])] if args.full else []) \
                + ([("--no-ner", ["--no-ner"])] if args.no_ner else [])
            for label, extra in modes:
                load = os.getloadavg()[0]
                wall, cpu = timed(["scan", str(file), "--n-process", str(args.n_process), *extra])
                print(f"{rows:>9,} rows x 17 columns, {label:<8} n_process={args.n_process}: "
                      f"{wall:7.1f} s wall, {cpu:7.1f} s CPU, {rows / wall:9,.0f} rows/s "
                      f"(load {load:.2f} before)", flush=True)


if __name__ == "__main__":
    main()
