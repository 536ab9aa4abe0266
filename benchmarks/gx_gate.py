"""Time the Great Expectations gate on a written release (reading excluded): bind + run the suites.

    python benchmarks/gx_gate.py /tmp/b1m/release [--repeat 2] [--profile out.prof]

Reads ``data/*.parquet`` once, then times ``build_suites`` + ``run_suites`` (what ``anonymize verify``
runs after its checksums) and prints the seconds and the pass/fail counts (names and counts only).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import time
from pathlib import Path

import pandas as pd

from pipeline.release.manifest import read_manifest
from pipeline.validation.rules import rules_for
from pipeline.validation.runner import run_suites
from pipeline.validation.suite import build_suites, load_profile
from pipeline.validation.summary import summarise
from pipeline.validation.verify import _profile_name, _table_file, published_columns


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("release", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    manifest = read_manifest(args.release)
    profile = load_profile(_profile_name(args.release, manifest))
    published = published_columns(args.release)
    tables = {}
    for name, entry in manifest.tables.items():
        if name in published:
            entry = dataclasses.replace(entry, columns=tuple(published[name]))
        data = pd.read_parquet(_table_file(args.release, name, entry))
        tables[name] = (data, rules_for(name, entry))
    for i in range(args.repeat):
        prof = cProfile.Profile() if args.profile and i == args.repeat - 1 else None
        start = time.perf_counter()
        if prof:
            prof.enable()
        summary = summarise(run_suites(build_suites(profile, tables)))
        if prof:
            prof.disable()
            prof.dump_stats(str(args.profile))
        took = time.perf_counter() - start
        print(f"run {i + 1}: {took:.2f} s  success={summary['success']} evaluated={summary['evaluated']} "
              f"failed={len(summary['failed'])}")


if __name__ == "__main__":
    main()
