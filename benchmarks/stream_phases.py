"""Time and memory per phase of the streamed anonymisation (issue 17), in this process.

    python benchmarks/stream_phases.py [--rows 1000000] [--cache benchmarks/.cache] [--profile-search FILE]

Runs what ``anonymize run --stream`` runs before its gates (first pass with spills, the search on the
histograms with the joined view, then per table the kept-row sketches and the bucketed write) on the extract
``benchmarks/scale.py`` generated for that size (it generates it if missing), with the demo config set to
global recoding without ``protect_attributes``. After each phase: the RSS now, the peak RSS during the phase
(psutil, sampled every 20 ms) and the time so far; and the sizes of the histograms, which are what the memory
grows with.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cache", type=Path, default=ROOT / "benchmarks/.cache")
    ap.add_argument("--profile-search", type=Path, metavar="FILE",
                    help="run the search under cProfile, write its stats to FILE and stop after it")
    args = ap.parse_args()
    from scale import extract

    ph, cl = extract(args.cache, args.rows)
    proc = psutil.Process()
    peak = [0]

    def sample() -> None:
        while True:
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()

    from pipeline.stream.memory import release

    def mark(what: str) -> None:
        release()  # as anonymise_streamed does between its phases
        rss, top = proc.memory_info().rss / 2**20, peak[0] / 2**20
        print(f"{what:<28} rss {rss:7,.0f} MiB   peak {top:7,.0f} MiB   {time.perf_counter() - t0:7.1f} s",
              flush=True)
        peak[0] = 0

    from pipeline.anonymise.second_pass import plan_for, sketch_kept, write_table
    from pipeline.anonymise.streamed import search_stats_tables
    from pipeline.config import load_config
    from pipeline.identifiers.surrogate import SurrogateKey
    from pipeline.stream.first_pass import first_pass
    from pipeline.stream.spill import Spill

    cfg = load_config(ROOT / "configs/demo.yaml")
    risk = dataclasses.replace(cfg.privacy.attribute_risk, protect=False, policy="warn")
    cfg = dataclasses.replace(cfg, privacy=dataclasses.replace(cfg.privacy, recoding="global",
                                                                attribute_risk=risk))
    inputs = {"policyholders": ph, "claims": cl}
    mark("imports")
    with tempfile.TemporaryDirectory(prefix="stream-phases-") as tmp:
        out = Path(tmp)
        spills = {spec.name: Spill(out / f"{spec.name}.spill.parquet") for spec in cfg.tables}
        fp = first_pass(cfg, inputs, spills)
        mark("first pass")
        for name, t in fp.tables.items():
            pairs = None if t.person_pairs is None else len(t.person_pairs)
            print(f"  {name}: {t.rows:,} rows, {len(t.histogram):,} entries, {len(t.persons):,} tuples, "
                  f"{pairs} person pairs")
        if args.profile_search is not None:
            import cProfile

            with cProfile.Profile() as prof:
                searched, view = search_stats_tables(cfg, fp)
            prof.dump_stats(args.profile_search)
        else:
            searched, view = search_stats_tables(cfg, fp)
        mark(f"search ({view and view['strategy']})")
        if args.profile_search is not None:
            return
        keys = {c.name: SurrogateKey() for spec in cfg.tables for c in spec.by_role("linking_code")}
        for spec in cfg.tables:
            s = searched[spec.name]
            plan = sketch_kept(plan_for(cfg, spec, s.stats, s.result, s.levels), inputs[spec.name],
                               spills[spec.name])
            mark(f"kept sketches {spec.name}")
            scratch = out / f"{spec.name}.buckets"
            scratch.mkdir()
            w = write_table(plan, inputs[spec.name], out / f"{spec.name}.parquet", scratch, keys,
                            spills[spec.name])
            spills[spec.name].remove()
            mark(f"write {spec.name}")
            print(f"  {spec.name}: {w.rows:,} released, {w.suppressed:,} suppressed, levels {s.levels}")


if __name__ == "__main__":
    main()
