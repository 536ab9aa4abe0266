"""Benchmark the privacy engine on the Adult data set against ARX 3.9.2 (benchmarks/data/adult:
the data, ARX's hierarchies and ARX_RESULTS.md, copied into the project).

For each case of ARX_RESULTS.md (k = 2, 5, 10; distinct 2-diversity and equal-distance 0.2-closeness on
occupation; suppression limit 0 % and 2 %) it times ``pipeline.search.engine.search`` on data already
encoded (as ARX's times are), takes the median of several runs after a warm-up, and prints it beside ARX's
time and LM. Then the same for local recoding (``pipeline.search.local_recoding``, k = 2, 5, 10, no
suppression) beside ARX's ``optimizeIterativeFast`` (the second table of ARX_RESULTS.md), with the classes
and the smallest class. ``--json`` prints one object per case instead.

    python benchmarks/adult.py [--config configs/adult.yaml] [--repeat 7] [--json] [--local-only]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config.loader import load_config
from pipeline.hierarchies.builtin import load_hierarchy_file
from pipeline.privacy import DistinctLDiversity, EqualDistanceTCloseness, KAnonymity, PrivacyModel
from pipeline.search.engine import QuasiIdentifier, SearchResult, SensitiveColumn, search
from pipeline.search.local_recoding import LocalResult, local_recoding

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "adult.yaml"

#: (label, models factory, suppression limit) in ARX_RESULTS.md's order.
CASES: list[tuple[str, float]] = [(f"k={k}", s) for k in (2, 5, 10) for s in (0.0, 0.02)] + [
    ("distinct-l=2", 0.0), ("distinct-l=2", 0.02), ("t=0.2", 0.0), ("t=0.2", 0.02)]
#: Local recoding cases (ARX_RESULTS.md's second table): k, no suppression.
LOCAL_CASES: list[int] = [2, 5, 10]


@dataclass
class Adult:
    frame: pd.DataFrame
    qis: list[QuasiIdentifier]
    sensitive: SensitiveColumn
    arx: dict[tuple[str, float], dict]
    arx_local: dict[int, dict]


def models_for(label: str) -> list[PrivacyModel]:
    if label.startswith("k="):
        return [KAnonymity(int(label[2:]))]
    if label.startswith("distinct-l="):
        return [DistinctLDiversity("occupation", float(label.split("=")[1]))]
    return [EqualDistanceTCloseness("occupation", float(label[2:]))]


def load_adult(config: Path = CONFIG) -> Adult:
    """Read the data and hierarchies the config names, encode them as the pipeline does."""
    cfg = load_config(config)
    table = cfg.tables[0]
    assert table.file is not None
    frame = pd.read_csv(table.file, sep=table.delimiter, dtype=str, keep_default_na=False)
    qis = []
    for col in table.by_role("quasi_identifier"):
        assert col.hierarchy is not None and col.hierarchy.path is not None
        h = load_hierarchy_file(col.name, col.hierarchy.path, col.hierarchy.delimiter)
        qis.append(QuasiIdentifier(col.output_name, h.encode(frame[col.name], table.name), h))
    sens_col = table.by_role("sensitive")[0].name
    codes, uniq = pd.factorize(frame[sens_col], sort=True)
    sensitive = SensitiveColumn(sens_col, codes.astype(np.int32), len(uniq))
    results = table.file.parent / "ARX_RESULTS.md"
    return Adult(frame, qis, sensitive, read_arx(results), read_arx_local(results))


def read_arx(path: Path) -> dict[tuple[str, float], dict]:
    """ARX's reference rows: case -> {time_ms, levels, suppressed, classes, lm}."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 10 or not re.match(r"(k=|distinct|equal)", cells[0]):
            continue
        label = cells[0].split(" (")[0]
        label = {"equal-dist t=0.2": "t=0.2"}.get(label, label)
        levels = {k: int(v) for k, v in (p.split("=") for p in cells[5].split(", "))}
        out[(label, float(cells[1].rstrip("%")) / 100)] = {
            "time_ms": float(cells[2]), "levels": levels, "suppressed": int(cells[6]),
            "classes": int(cells[7]), "lm": float(cells[9])}
    return out


def read_arx_local(path: Path) -> dict[int, dict]:
    """ARX's local recoding rows: k -> {time_ms, lm, suppressed, classes, smallest}."""
    out = {}
    text = path.read_text(encoding="utf-8")
    part = text.split("## Local recoding", 1)[1] if "## Local recoding" in text else ""
    for line in part.splitlines():
        cells = [c.strip().replace(",", "") for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            out[int(cells[0])] = {"time_ms": float(cells[1]), "lm": float(cells[2]),
                                  "suppressed": int(cells[3]), "classes": int(cells[4]),
                                  "smallest": int(cells[5])}
    return out


def run_local(data: Adult, k: int) -> LocalResult:
    return local_recoding(data.qis, [data.sensitive], None, [KAnonymity(k)], 0.0)


def time_local(data: Adult, k: int, repeat: int) -> tuple[LocalResult, float, float]:
    result = run_local(data, k)  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_local(data, k)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return result, statistics.median(wall), statistics.median(cpu)


def run_case(data: Adult, label: str, limit: float) -> SearchResult:
    return search(data.qis, [data.sensitive], None, models_for(label), limit)


def time_case(data: Adult, label: str, limit: float, repeat: int) -> tuple[SearchResult, float, float]:
    """(result, median wall ms, median CPU ms). CPU time is reported too because the machine is shared:
    wall time under load from other processes says little about the search."""
    result = run_case(data, label, limit)  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_case(data, label, limit)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return result, statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--local-only", action="store_true", help="only the local recoding cases")
    args = parser.parse_args(argv)
    data = load_adult(args.config)
    rows = []
    for label, limit in [] if args.local_only else CASES:
        result, ms, cpu_ms = time_case(data, label, limit, args.repeat)
        rows.append({"model": label, "suppression_limit": limit, "levels": result.levels,
                     "lm": round(result.loss["lm"], 6), "suppressed": result.suppressed_rows,
                     "classes": result.classes, "median_ms": round(ms, 2), "median_cpu_ms": round(cpu_ms, 2),
                     "nodes_evaluated": result.nodes_evaluated})
    local = []
    for k in LOCAL_CASES:
        res, ms, cpu_ms = time_local(data, k, args.repeat)
        local.append({"model": f"k={k}", "recoding": "local", "lm": round(res.loss["lm"], 6),
                      "suppressed": res.suppressed_rows, "classes": res.classes,
                      "smallest": res.min_class_size,
                      "median_ms": round(ms, 2), "median_cpu_ms": round(cpu_ms, 2), "rounds": res.rounds})
    if args.json:
        json.dump(rows + local, sys.stdout, indent=1)
        print()
        return 0
    if rows:
        _print_global(data, rows)
    print("\nlocal recoding (ARX: optimizeIterativeFast)")
    print(f"{'case':<8}{'ms':>8} {'cpu ms':>8} {'ARX ms':>8} {'LM':>7} {'ARX LM':>7} {'supp.':>6} {'ARX':>4} "
          f"{'classes':>8} {'ARX':>6} {'smallest':>8} {'ARX':>4}")
    for r in local:
        arx = data.arx_local.get(int(r["model"][2:]), {})
        print(f"{r['model']:<8}{r['median_ms']:>8.1f} {r['median_cpu_ms']:>8.1f} "
              f"{arx.get('time_ms', 0):>8.0f} "
              f"{r['lm']:>7.4f} {arx.get('lm', 0):>7.4f} {r['suppressed']:>6} {arx.get('suppressed', 0):>4} "
              f"{r['classes']:>8} {arx.get('classes', 0):>6} {r['smallest']:>8} {arx.get('smallest', 0):>4}")
    return 0


def _print_global(data: Adult, rows: list[dict]) -> None:
    head = (f"{'case':<16}{'supp':>5} {'ms':>8} {'cpu ms':>8} {'ARX ms':>8} {'LM':>7} {'ARX LM':>7} "
            f"{'supp.':>6} {'ARX':>5} {'classes':>7} {'ARX':>5} {'nodes':>6}  levels")
    print(head)
    for r in rows:
        arx = data.arx.get((r["model"], r["suppression_limit"]), {})
        lv = ",".join(str(v) for v in r["levels"].values())
        print(f"{r['model']:<16}{r['suppression_limit']:>5.0%} {r['median_ms']:>8.1f} "
              f"{r['median_cpu_ms']:>8.1f} {arx.get('time_ms', 0):>8.1f} "
              f"{r['lm']:>7.4f} {arx.get('lm', 0):>7.4f} {r['suppressed']:>6} {arx.get('suppressed', 0):>5} "
              f"{r['classes']:>7} {arx.get('classes', 0):>5} {r['nodes_evaluated']:>6}  {lv}")


if __name__ == "__main__":
    raise SystemExit(main())
