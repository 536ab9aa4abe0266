"""Benchmark the search on a large lattice: the exact search against the greedy fallback.

``benchmarks/wide.yaml`` makes ten columns of a generated policyholder extract quasi-identifiers: a lattice
of 115,200 nodes (ARX's Adult benchmark has 4,320). For each case this times the exact search (the engine's
default) and the greedy descent that the engine falls back to above ``max_exact_lattice`` nodes or after
``max_search_nodes`` evaluations (forced here with ``max_exact_lattice=1``), on the same encoded data, and
prints both LMs: the fallback's loss gap and the exact search's cost are measured, not assumed. These
figures set the defaults (``pipeline.config.model.PrivacySpec``).

    python benchmarks/large_lattice.py [--rows 100000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from pipeline import progress
from pipeline.config.loader import load_config
from pipeline.generate.extracts import generate_extracts
from pipeline.prepare import prepare_table
from pipeline.privacy import KAnonymity
from pipeline.search.engine import QuasiIdentifier, SearchResult, search

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "benchmarks" / "wide.yaml"
CASES = [(5, 0.0), (5, 0.02), (10, 0.0), (10, 0.02)]


def load(rows: int, work: Path) -> tuple[list[QuasiIdentifier], np.ndarray]:
    """Generate an extract, prepare it with the wide config, encode the quasi-identifiers as the pipeline
    does (``pipeline.anonymise``): (quasi-identifiers, person id per row)."""
    generate_extracts(work, rows=rows, seed=20240401, encoding="utf-8", fmt="csv")
    config = load_config(CONFIG)
    spec = config.tables[0]
    prepared = prepare_table(config, spec, work / "policyholders.csv")
    qis = []
    for col in spec.by_role("quasi_identifier"):
        leaves, h = prepared.leaves[col.name]
        qis.append(QuasiIdentifier(col.output_name, h.encode(leaves, spec.name), h))
    return qis, prepared.person


def timed(qis, person, k: int, limit: float, exact: bool, repeat: int) -> tuple[SearchResult, float]:
    kwargs = {} if exact else {"max_exact_lattice": 1}
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = search(qis, [], person, [KAnonymity(k)], limit, **kwargs)
        times.append(time.perf_counter() - t0)
    assert result is not None
    return result, statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with progress.quiet(), tempfile.TemporaryDirectory(prefix="wide-") as tmp:  # no bars while reading
        qis, person = load(args.rows, Path(tmp))
    heights = [q.hierarchy.height for q in qis]
    rows = []
    for k, limit in CASES:
        row: dict = {"k": k, "suppression_limit": limit, "rows": len(person),
                     "lattice_size": int(np.prod(heights))}
        for kind in ("greedy", "exact"):
            res, seconds = timed(qis, person, k, limit, kind == "exact", args.repeat)
            assert res.exact == (kind == "exact")
            row[kind] = {"seconds": round(seconds, 3), "lm": round(res.loss["lm"], 6),
                         "nodes_evaluated": res.nodes_evaluated, "suppressed": res.suppressed_rows,
                         "levels": res.levels}
        rows.append(row)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(f"{len(person):,} rows, {len(qis)} quasi-identifiers, heights {heights}, "
          f"lattice {rows[0]['lattice_size']:,} nodes")
    print(f"{'case':<12}{'greedy s':>9}{'nodes':>7}{'LM':>9}   "
          f"{'exact s':>8}{'nodes':>7}{'LM':>9}  {'gap':>7}")
    for r in rows:
        g, e = r["greedy"], r["exact"]
        gap = (g["lm"] - e["lm"]) / e["lm"] if e["lm"] else 0.0
        print(f"k={r['k']:<3}{r['suppression_limit']:>4.0%}    {g['seconds']:>9.2f}{g['nodes_evaluated']:>7}"
              f"{g['lm']:>9.4f}   {e['seconds']:>8.2f}{e['nodes_evaluated']:>7}{e['lm']:>9.4f}  {gap:>+7.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
