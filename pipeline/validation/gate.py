"""The validation gate: no release unless every expectation holds on the candidate (issue 5).

Called by ``pipeline.run`` after ``data/*.parquet`` and ``manifest.json`` are in the staging directory and
before the final manifest and the atomic rename. Results and Data Docs are written first, even on failure,
so the staging copy can be inspected; the caller then deletes it and no release appears.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.errors import ValidationFailed
from pipeline.validation.ids import letters_only_ids
from pipeline.validation.rules import candidate_facts, rules_from_manifest
from pipeline.validation.runner import run_suites
from pipeline.validation.suite import build_suites, load_profile
from pipeline.validation.summary import describe_failure, summarise

RESULTS = Path("validation") / "results.json"
DOCS = Path("validation") / "docs"


def read_manifest(release_dir: Path) -> dict[str, Any]:
    path = release_dir / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationFailed(f"{path}: manifest.json is missing") from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{path}: not valid JSON (line {exc.lineno})") from None


def write_results(release_dir: Path, profile: dict[str, Any], manifest: dict[str, Any],
                  results: dict[str, Any], summary: dict[str, Any]) -> Path:
    path = release_dir / RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "release_id": manifest.get("release_id"),
        "profile": profile["profile"],
        "suite_version": profile.get("suite_version"),
        **summary,
        "validations": results["validations"],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def validate_release(candidate: Any, staging_dir: Path) -> dict[str, Any]:
    """Run the profile suite on every table of ``candidate``; write results and Data Docs; raise on failure.

    Returns ``{success, evaluated, successful, failed: [...]}``. Raises :class:`ValidationFailed` naming
    each failed rule with its table and column (counts only, never a value).
    """
    staging_dir = Path(staging_dir)
    manifest = read_manifest(staging_dir)
    profile = load_profile(candidate.config.release.audience)
    entries = manifest.get("tables", {})
    tables = {}
    for name, table in candidate.tables.items():
        facts = candidate_facts(table)
        # the published items are the config's kept columns, whatever the data frame holds
        entry = {**entries.get(name, {}), "columns": facts["columns"]}
        rules = rules_from_manifest(name, entry, fallback=facts)
        tables[name] = (table.data, rules)
    results = run_suites(build_suites(profile, tables), docs_dir=staging_dir / DOCS,
                         run_name=manifest.get("release_id"))
    summary = summarise(results)
    write_results(staging_dir, profile, manifest, results, summary)
    letters_only_ids(staging_dir / "validation")
    if not summary["success"]:
        lines = "; ".join(describe_failure(f) for f in summary["failed"])
        raise ValidationFailed(
            f"validation failed: {len(summary['failed'])} of {summary['evaluated']} expectations "
            f"(profile {profile['profile']}): {lines}. No release was written"
        )
    return summary
