"""Scale benchmark (issue 17): time and peak memory against rows, for the floor and the pipeline's paths.

    python benchmarks/scale.py [--rows 1000000,2000000] [--modes floor,prepare,firstpass,run]
                               [--cache benchmarks/.cache] [--plot benchmarks/scale.svg] [--json]

Extracts (policyholders + claims, CP932 as the demo's core system exports them) are generated once per size
into ``--cache`` (gitignored) and reused. Every measurement runs in a fresh process; its memory is sampled
(psutil, every 20 ms) over the whole process tree — the command and every child or Dask worker it starts —
so the figures are the peak of the *sum* of RSS over the tree ("tree") and the largest single process
("largest"). Results are appended to ``<cache>/results.jsonl`` so that the plot shows every size measured,
also across invocations (the newest figure per size and mode wins).

Modes:
- ``floor``: what no pipeline can beat in bounded memory: pyarrow's streaming CSV reader over both files,
  each batch written as a Parquet row group.
- ``readnorm-whole``: read + normalise as ``prepare`` did before issue 17 (the whole file in pandas, every
  column, then each kept column; read by :func:`pipeline.io.read_table`, which is the batch reader's batches
  concatenated since the merge with the hardened reader), the normalised columns held at the end;
  ``readnorm-batches``: the same with :func:`pipeline.stream.read.read_normalised` (what ``prepare`` does
  now).
- ``prepare``: ``pipeline.prepare.prepare`` (read, normalise, hierarchies, person ids).
- ``firstpass``: the streaming first pass (``pipeline.stream``): batches read, normalised and encoded, only
  the quasi-identifier histogram and distinct values kept.
- ``firstpass-dask1`` / ``firstpass-dask2``: the same first pass on a local Dask cluster of 1 / 2 workers.
- ``run``: ``anonymize run configs/demo.yaml`` end to end (today's path, whole tables in pandas).
- ``run-stream``: ``anonymize run --stream`` end to end on the demo config set to global recoding without
  ``protect_attributes`` (what ``--stream`` takes): the streamed anonymisation, then the gates, the report
  and the published items on the release read back into pandas; ``run-stream-dask1`` / ``run-stream-dask2``:
  the same with both streamed passes on a local Dask cluster of 1 / 2 worker processes (``--workers``).
- ``stream``: the streaming anonymisation: first pass (with the joined view's person links), the search
  on it with the joined-view rounds (``pipeline.anonymise.streamed.search_stats_tables``), the kept-row
  sketches and the bucketed write of each table's release (``pipeline.anonymise.second_pass``), under
  global recoding and without ``protect_attributes`` (the demo config otherwise): the release
  ``anonymize run`` writes for that config (tests/anonymise/test_second_pass.py), without the gates, the
  report and the manifest, which are not streamed yet.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs/demo.yaml"

FLOOR = """
import sys, pyarrow.csv as c, pyarrow.parquet as pq
for src, dst in zip(sys.argv[1::2], sys.argv[2::2]):
    reader = c.open_csv(src, read_options=c.ReadOptions(encoding="cp932", block_size=1 << 24),
                        parse_options=c.ParseOptions(newlines_in_values=True))
    with pq.ParquetWriter(dst, reader.schema, compression="zstd") as w:
        for batch in reader:
            w.write_batch(batch)
"""

PREPARE = """
import sys
from pathlib import Path
from pipeline.config import load_config
from pipeline.prepare import prepare
p = prepare(load_config(Path(sys.argv[1])), {"policyholders": Path(sys.argv[2]), "claims": Path(sys.argv[3])})
print(sum(t.rows for t in p.tables.values()), file=sys.stderr)
"""

READNORM = """
import sys
from pathlib import Path
from pipeline.config import load_config
from pipeline.io.reader import read_table
from pipeline.normalise import normalise_column
from pipeline.stream.columns import kept_for_processing
from pipeline.stream.read import read_normalised
cfg = load_config(Path(sys.argv[1]))
held = []
for spec, path in zip(cfg.tables, sys.argv[2:4]):
    if sys.argv[4] == "whole":  # the shape prepare had before issue 17: whole file, then each column
        raw = read_table(Path(path), spec.format, spec.encoding, spec.delimiter)
        held.append({c.name: normalise_column(raw[c.name], c.type, c.on_invalid, spec.name, path)[0]
                     for c in kept_for_processing(spec)})
        del raw
    else:
        got = read_normalised(spec, Path(path))
        held.append({name: got.column(name)[0] for name in list(got.columns)})
print(sum(len(next(iter(h.values()))) for h in held), file=sys.stderr)
"""

FIRSTPASS = """
import sys
from pathlib import Path
from pipeline.config import load_config
from pipeline.stream.first_pass import first_pass
workers = int(sys.argv[4])
inputs = {"policyholders": Path(sys.argv[2]), "claims": Path(sys.argv[3])}
cfg = load_config(Path(sys.argv[1]))
if workers:
    from pipeline.stream.dask_pass import local_cluster, first_pass_dask
    with local_cluster(workers) as client:
        res = first_pass_dask(cfg, inputs, client)
else:
    res = first_pass(cfg, inputs)
print({n: (t.rows, len(t.histogram)) for n, t in res.tables.items()}, file=sys.stderr)
"""

STREAM = """
import dataclasses, sys, tempfile, time
from pathlib import Path
from pipeline.anonymise.second_pass import plan_for, sketch_kept, write_table
from pipeline.anonymise.streamed import search_stats_tables
from pipeline.config import load_config
from pipeline.identifiers.surrogate import SurrogateKey
from pipeline.stream.first_pass import first_pass
from pipeline.stream.spill import Spill
cfg = load_config(Path(sys.argv[1]))
risk = dataclasses.replace(cfg.privacy.attribute_risk, protect=False, policy="warn")
privacy = dataclasses.replace(cfg.privacy, recoding="global", attribute_risk=risk)
cfg = dataclasses.replace(cfg, privacy=privacy)
inputs = {"policyholders": Path(sys.argv[2]), "claims": Path(sys.argv[3])}
out = Path(sys.argv[4])
out.mkdir()
t0 = time.perf_counter()
spills = {spec.name: Spill(out / f".{spec.name}.spill.parquet") for spec in cfg.tables}
stats = first_pass(cfg, inputs, spills)
t1 = time.perf_counter()
searched, view = search_stats_tables(cfg, stats)
t2 = time.perf_counter()
print("first pass", round(t1 - t0, 1), "s; search (joined view,", view and view["strategy"], ")",
      round(t2 - t1, 1), "s", file=sys.stderr)
keys = {c.name: SurrogateKey() for spec in cfg.tables for c in spec.by_role("linking_code")}
for spec in cfg.tables:
    s = searched[spec.name]
    spill = spills[spec.name]
    t = time.perf_counter()
    plan = sketch_kept(plan_for(cfg, spec, s.stats, s.result, s.levels), inputs[spec.name], spill)
    with tempfile.TemporaryDirectory(dir=out) as scratch:
        w = write_table(plan, inputs[spec.name], out / f"{spec.name}.parquet", Path(scratch), keys, spill)
    spill.remove()
    print(spec.name, w.rows, "rows", w.suppressed, "suppressed", s.levels, round(time.perf_counter() - t, 1),
          "s second pass", file=sys.stderr)
"""


def measure(cmd: list[str]) -> dict:
    """Run ``cmd``; wall seconds, peak summed RSS of its process tree and of its largest process (MiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak_tree = peak_one = 0
    procs = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0
        for p in tree:
            try:
                rss = p.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            peak_one = max(peak_one, rss)
        peak_tree = max(peak_tree, total)
        procs = max(procs, len(tree))
        time.sleep(0.02)
    _, err = proc.communicate()
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd[:6])}…\n{err[-3000:]}")
    return {"seconds": round(seconds, 2), "tree_mib": round(peak_tree / 2**20),
            "largest_mib": round(peak_one / 2**20),
            "processes": procs, "stderr": err.strip()[-500:]}


def extract(cache: Path, rows: int) -> tuple[Path, Path]:
    """The generated extract of ``rows`` policyholders (generated once, then reused)."""
    folder = cache / f"extract-{rows}"
    files = (folder / "policyholders.csv", folder / "claims.csv")
    if not all(f.is_file() for f in files):
        print(f"generating {rows:,} policyholders into {folder} (once)…", file=sys.stderr)
        tmp = cache / f".extract-{rows}.partial"
        subprocess.run(["rm", "-rf", str(tmp)], check=True)  # our own partial folder only
        subprocess.run([sys.executable, "-m", "pipeline.cli.main", "--quiet", "generate", "--rows", str(rows),
                        "--out", str(tmp), "--encoding", "cp932"], check=True)
        tmp.rename(folder)
    return files


def command(mode: str, rows: int, files: tuple[Path, Path], work: Path) -> list[str]:
    py = sys.executable
    if mode == "floor":
        return [py, "-c", FLOOR, str(files[0]), str(work / "ph.parquet"), str(files[1]),
                str(work / "cl.parquet")]
    if mode in ("readnorm-whole", "readnorm-batches"):
        return [py, "-c", READNORM, str(CONFIG), str(files[0]), str(files[1]), mode.split("-")[1]]
    if mode == "prepare":
        return [py, "-c", PREPARE, str(CONFIG), str(files[0]), str(files[1])]
    if mode.startswith("firstpass"):
        workers = mode.removeprefix("firstpass").removeprefix("-dask") or "0"
        return [py, "-c", FIRSTPASS, str(CONFIG), str(files[0]), str(files[1]), workers]
    if mode == "stream":
        return [py, "-c", STREAM, str(CONFIG), str(files[0]), str(files[1]),
                str(work / f"stream-{rows}-{time.time_ns()}")]
    if mode.startswith("run"):
        out = work / f"release-{mode}-{rows}-{time.time_ns()}"
        extra = {"run": [], "run-dask1": ["--workers", "1"], "run-dask2": ["--workers", "2"],
                 "run-stream": ["--stream"], "run-stream-dask1": ["--stream", "--workers", "1"],
                 "run-stream-dask2": ["--stream", "--workers", "2"]}[mode]
        config = stream_config(work) if mode.startswith("run-stream") else CONFIG
        return [py, "-m", "pipeline.cli.main", "--quiet", "run", str(config), "--out", str(out),
                "--register", str(work / "register.jsonl"), *extra,
                f"--input=policyholders={files[0]}", f"--input=claims={files[1]}"]
    raise SystemExit(f"unknown mode {mode!r}")


def stream_config(work: Path) -> Path:
    """The demo config as ``--stream`` takes it (global recoding, attributes not promoted), beside a copy of
    its hierarchies (the config's relative paths)."""
    folder = work / "stream-config"
    (folder / "hierarchies").mkdir(parents=True, exist_ok=True)
    text = CONFIG.read_text("utf-8")
    for old, new in (("  recoding: auto", "  recoding: global"),
                     ("  protect_attributes: true", "  protect_attributes: false")):
        if new not in text.replace(old, new):
            raise SystemExit(f"the demo config no longer holds {old!r}: update benchmarks/scale.py")
        text = text.replace(old, new)
    (folder / "demo.yaml").write_text(text, "utf-8")
    for h in (CONFIG.parent / "hierarchies").glob("*"):
        (folder / "hierarchies" / h.name).write_bytes(h.read_bytes())
    return folder / "demo.yaml"


def latest(results_file: Path) -> dict[tuple[str, int], dict]:
    best: dict[tuple[str, int], dict] = {}
    if results_file.is_file():
        for line in results_file.read_text("utf-8").splitlines():
            r = json.loads(line)
            best[(r["mode"], r["rows"])] = r
    return best


def plot(results: dict[tuple[str, int], dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(10, 4))
    for mode in sorted({m for m, _ in results}):
        pts = sorted((n, r) for (m, n), r in results.items() if m == mode)
        xs = [n / 1e6 for n, _ in pts]
        ax_t.plot(xs, [r["seconds"] for _, r in pts], marker="o", label=mode)
        ax_m.plot(xs, [r["tree_mib"] / 1024 for _, r in pts], marker="o", label=mode)
    ax_t.set(xlabel="policyholders (millions; claims ≈ 0.6 per policy)", ylabel="wall time (s)", title="time")
    ax_m.set(xlabel="policyholders (millions)", ylabel="peak RSS of the process tree (GiB)", title="memory")
    ax_m.axhline(3, color="grey", linestyle=":", linewidth=1)
    for ax in (ax_t, ax_m):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    print(f"plot: {path}", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default="1000000", help="comma-separated policyholder counts")
    ap.add_argument("--modes", default="floor,prepare,firstpass,run")
    ap.add_argument("--cache", type=Path, default=ROOT / "benchmarks/.cache")
    ap.add_argument("--plot", type=Path, default=None, help="write the plot (PNG or SVG) of all results")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    work = args.cache / "work"
    work.mkdir(exist_ok=True)
    results_file = args.cache / "results.jsonl"
    for rows in [int(r) for r in args.rows.split(",")]:
        files = extract(args.cache, rows)
        for mode in args.modes.split(","):
            r = {"mode": mode, "rows": rows, **measure(command(mode, rows, files, work))}
            r["claims"] = sum(1 for _ in files[1].open("rb")) - 1 if rows <= 2_000_000 else None
            with results_file.open("a", encoding="utf-8") as f:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
            if args.json:
                print(json.dumps(r, ensure_ascii=False))
            else:
                print(f"{rows:>11,} {mode:<16} {r['seconds']:8.1f} s  tree {r['tree_mib']:6,} MiB  "
                      f"largest {r['largest_mib']:6,} MiB  ({r['processes']} processes)", flush=True)
    results = latest(results_file)
    if not args.json:
        floor = {n: r for (m, n), r in results.items() if m == "floor"}
        print("\nall results so far (newest per size and mode):")
        print(f"{'rows':>11} {'mode':<16} {'time':>9} {'× floor':>8} {'tree RSS':>10} {'largest':>9}")
        for (mode, rows), r in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            ratio = f"{r['seconds'] / floor[rows]['seconds']:.1f}×" if rows in floor else "-"
            print(f"{rows:>11,} {mode:<16} {r['seconds']:>7.1f} s {ratio:>8} {r['tree_mib']:>6,} MiB "
                  f"{r['largest_mib']:>5,} MiB")
    if args.plot:
        plot(results, args.plot)


if __name__ == "__main__":
    main()
