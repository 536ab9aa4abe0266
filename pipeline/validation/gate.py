"""The validation gate: no release unless every expectation holds on the candidate (issue 5).

Called by :func:`pipeline.write.write_release` after ``data/*.parquet`` are in the staging
directory, with the manifest built in memory (nothing is read back from disk), and before the manifest is
written and the atomic rename. Results and Data Docs are written first, even on failure, so the staging copy
can be inspected; the caller then deletes it and no release appears.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.errors import ValidationFailed
from pipeline.progress import phase
from pipeline.release.manifest import Manifest
from pipeline.validation.ids import letters_only_ids
from pipeline.validation.rules import rules_for
from pipeline.validation.runner import run_suites
from pipeline.validation.suite import build_suites, load_profile
from pipeline.validation.summary import describe_failure, summarise

RESULTS = Path("validation") / "results.json"
DOCS = Path("validation") / "docs"


def write_results(release_dir: Path, profile: dict[str, Any], release_id: str,
                  results: dict[str, Any], summary: dict[str, Any]) -> Path:
    path = release_dir / RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "release_id": release_id,
        "profile": profile["profile"],
        "suite_version": profile.get("suite_version"),
        **summary,
        "validations": results["validations"],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def validate_release(candidate: Any, staging_dir: Path, manifest: Manifest) -> dict[str, Any]:
    """Run the profile suite on every table of ``candidate``, bound from ``manifest`` (in memory); write
    results and Data Docs; raise on failure.

    Returns ``{success, evaluated, successful, failed: [...]}``. Raises :class:`ValidationFailed` naming
    each failed rule with its table and column (counts only, never a value).
    """
    staging_dir = Path(staging_dir)
    profile = load_profile(candidate.config.release.audience)
    tables = {}
    for name, table in candidate.tables.items():
        if name not in manifest.tables:
            raise ValidationFailed(f"table {name}: not in the manifest; the suite cannot be bound")
        # the published items are the config's kept columns, whatever the data frame holds
        published = tuple(c.output_name for c in table.spec.kept_columns)
        tables[name] = (table.data, rules_for(name, manifest.tables[name], published))
    with phase("suites"):
        suites = build_suites(profile, tables)
    results = run_suites(suites, docs_dir=staging_dir / DOCS, run_name=manifest.release_id)
    del suites
    summary = summarise(results)
    write_results(staging_dir, profile, manifest.release_id, results, summary)
    letters_only_ids(staging_dir / "validation")
    if not summary["success"]:
        lines = "; ".join(describe_failure(f) for f in summary["failed"])
        raise ValidationFailed(
            f"validation failed: {len(summary['failed'])} of {summary['evaluated']} expectations "
            f"(profile {profile['profile']}): {lines}. No release was written"
        )
    return summary
