"""Time the whole pipeline on a generated extract against the floor, and report peak memory.

The floor is what no pipeline can beat: pyarrow reading the same CSV files and writing them as Parquet.
Each measurement runs in a fresh subprocess so that peak RSS (ru_maxrss of the child) is its own.

    python benchmarks/pipeline_1m.py [--rows 1000000] [--encoding cp932] [--keep DIR] [--json] [--phases]

``--phases`` also prints where the pipeline's time goes: wall-clock and CPU seconds per step of the run
(``anonymize --phases``: read, normalise, hierarchies, surrogates, each joined-view round and search,
residual-PII scan, write, report, validation, checksums). Names and seconds only, never a value.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.release.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[1]

FLOOR = """
import sys, pyarrow.csv as c, pyarrow.parquet as pq, pyarrow as pa
enc = sys.argv[1]
for src, dst in zip(sys.argv[2::2], sys.argv[3::2]):
    t = c.read_csv(src, read_options=c.ReadOptions(encoding=enc),
                   parse_options=c.ParseOptions(newlines_in_values=True))
    pq.write_table(t, dst, compression="zstd")
"""


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(seconds, peak RSS of the child in MiB, its stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd[:4])}…\n{proc.stderr[-2000:]}")
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    # --phases resets the kernel's peak counter at every phase (ru_maxrss then holds the last phase's): the
    # table's "total" row holds the run's peak (its "peak MiB" column, before "end MiB")
    for line in proc.stderr.splitlines():
        if line.startswith("total") and line.split()[-2].replace(",", "").isdigit():
            peak = max(peak, float(line.split()[-2].replace(",", "")))
    return seconds, peak, proc.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--encoding", default="cp932", choices=["utf-8", "cp932"])
    ap.add_argument("--keep", type=Path, default=None, help="work directory to keep (default: a temp dir)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--phases", action="store_true", help="print the run's time per phase (wall and CPU)")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench1m-"))
    work.mkdir(parents=True, exist_ok=True)
    extract = work / "extract"
    py = sys.executable
    gen_s, _, _ = timed([py, "-m", "pipeline.cli.main", "--quiet", "generate", "--rows", str(args.rows),
                         "--out", str(extract), "--encoding", args.encoding])
    files = [extract / "policyholders.csv", extract / "claims.csv"]
    pairs = [str(x) for f in files for x in (f, work / f"floor-{f.stem}.parquet")]
    floor_s, floor_mb, _ = timed([py, "-c", FLOOR, args.encoding, *pairs])
    out = work / "release"
    phases = ["--phases"] if args.phases else []
    run_s, run_mb, run_err = timed([py, "-m", "pipeline.cli.main", "--quiet", *phases, "run",
                                    str(ROOT / "configs/demo.yaml"), "--out", str(out),
                                    "--register", str(work / "register.jsonl"),
                                    f"--input=policyholders={files[0]}", f"--input=claims={files[1]}"])
    rows_in = {n: t.rows_in for n, t in read_manifest(out).tables.items()}
    result = {
        "rows": rows_in, "encoding": args.encoding, "generate_s": round(gen_s, 2),
        "floor_s": round(floor_s, 2), "floor_peak_mib": round(floor_mb),
        "pipeline_s": round(run_s, 2), "pipeline_peak_mib": round(run_mb),
        "ratio": round(run_s / floor_s, 2),
        "rows_per_s": round(sum(rows_in.values()) / run_s),
    }
    if args.phases:
        result["phases"] = run_err.strip()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"rows: {rows_in} ({args.encoding} CSV)")
        print(f"floor (pyarrow read CSV + write Parquet): {floor_s:7.2f} s  peak {floor_mb:6.0f} MiB")
        print(f"pipeline (anonymize run):                 {run_s:7.2f} s  peak {run_mb:6.0f} MiB")
        print(f"ratio pipeline / floor: {run_s / floor_s:.1f}x   throughput {result['rows_per_s']:,} rows/s")
        if args.phases:
            print(f"\nphases of the run:\n{result['phases']}")


if __name__ == "__main__":
    main()
