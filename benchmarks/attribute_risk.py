"""Time the risk over all released columns (``pipeline.attributes``) on a large release.

    python benchmarks/attribute_risk.py [--rows 1000000] [--extract DIR] [--json]

Prepares the extract with ``configs/demo.yaml`` as configured *without* ``protect_attributes`` (保険料,
支払額 to the yen: almost every row unique, the worst case, every subset of up to m columns grouped),
anonymises once and times ``measure_release`` (each table and the joined view, SUDA m = 3); then promotes
the attributes driving the special uniques, anonymises again and times the measure on that release (no
unique row: one grouping per view). The full pipeline's share is in ``benchmarks/pipeline_1m.py
--phases`` ("attribute risk").
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.anonymise import anonymise_prepared  # noqa: E402
from pipeline.attributes.measure import measure_release  # noqa: E402
from pipeline.attributes.policy import assess  # noqa: E402
from pipeline.attributes.protect import _to_promote, promote_attributes  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.prepare import prepare  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--extract", type=Path, help="an existing extract (policyholders.csv, claims.csv)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    extract = args.extract
    if extract is None:
        extract = Path(tempfile.mkdtemp(prefix="bench-attr-"))
        subprocess.run([sys.executable, "-m", "pipeline.cli.main", "--quiet", "generate", "--rows",
                        str(args.rows), "--out", str(extract)], check=True)
    config = load_config(ROOT / "configs" / "demo.yaml")
    spec = replace(config.privacy.attribute_risk, protect=False)
    config = replace(config, privacy=replace(config.privacy, attribute_risk=spec))
    prepared = prepare(config, {"policyholders": extract / "policyholders.csv",
                                "claims": extract / "claims.csv"})
    tables = anonymise_prepared(prepared)
    t0 = time.perf_counter()
    views = measure_release(tables, spec.max_columns)
    worst_s = time.perf_counter() - t0
    assessment = assess(views, spec, tables)
    result = {
        "rows": {n: len(t.data) for n, t in tables.items()},
        "as_configured_s": round(worst_s, 2),
        "as_configured_unique_rows": {v: r.unique_rows for v, r in views.items()},
    }
    promoted = promote_attributes(prepared, _to_promote(assessment, tables))
    tables = anonymise_prepared(promoted)
    t0 = time.perf_counter()
    views = measure_release(tables, spec.max_columns)
    result["protected_s"] = round(time.perf_counter() - t0, 2)
    result["protected_unique_rows"] = {v: r.unique_rows for v, r in views.items()}
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 1))


if __name__ == "__main__":
    main()
