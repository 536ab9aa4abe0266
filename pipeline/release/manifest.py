"""manifest.json: what the release holds, how it was made (never how to undo it), and checksums."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.checksum import sha256_file
from pipeline.release.candidate import ReleaseCandidate, TableResult

MANIFEST = "manifest.json"


def table_entry(t: TableResult, file: str, sha256: str) -> dict[str, Any]:
    value_sets = {}
    for name in t.quasi_identifiers:
        h = t.hierarchies[name]
        value_sets[name] = [str(x) for x in h.labels[t.levels[name]]]
    codes = {}
    for c in t.spec.kept_columns:
        if c.role == "attribute" and (c.top_code is not None or c.bottom_code is not None):
            codes[c.output_name] = {"top_code": c.top_code, "bottom_code": c.bottom_code}
    return {
        "file": file,
        "sha256": sha256,
        "rows": len(t.data),
        "rows_in": int(t.rows_in),
        "columns": list(t.data.columns),
        "quasi_identifiers": list(t.quasi_identifiers),
        "sensitive": list(t.sensitive),
        "attributes": list(t.attributes),
        "person_key": t.person_key,
        "linking_codes": [c.output_name for c in t.spec.kept_columns if c.role == "linking_code"],
        "k": int(t.k),
        "min_class_size": int(t.min_class_size),
        "classes": int(t.classes),
        "suppressed_rows": int(t.suppressed_rows),
        "levels": {k: int(v) for k, v in t.levels.items()},
        "granularity": {k: t.hierarchies[k].level_descriptions[v] for k, v in t.levels.items()},
        "value_sets": value_sets,
        "top_bottom_codes": codes,
        "models": t.metrics.get("models", []),
        "linked_quasi_identifiers": t.metrics.get("linked_quasi_identifiers", []),
        "information_loss": t.metrics.get("loss", {}),
        "risk": t.metrics.get("risk", {}),
        "search": t.metrics.get("search", {}),
        "rare_values_changed": dict(t.rare_values),
        "invalid_cells_nulled": dict(t.invalid_nulled),
    }


def build_manifest(c: ReleaseCandidate, tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    r = c.config.release
    return {
        "release_id": c.release_id,
        "created_at": c.created_at.isoformat(timespec="seconds"),
        "tool_version": __version__,
        "legal_category": r.legal_category,
        "dataset_name": r.dataset_name,
        "audience": r.audience,
        "recipient_category": r.recipient_category,
        "config_sha256": c.config.sha256,
        "reference_date": c.config.privacy.reference_date.isoformat(),
        "privacy": {"k": c.config.privacy.k, "suppression_limit": c.config.privacy.suppression_limit,
                    "metric": c.config.privacy.metric},
        "inputs": c.inputs,
        "tables": tables,
    }


def file_checksums(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` except the manifest itself, by POSIX relative path."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.relative_to(root).as_posix() != MANIFEST:
            out[p.relative_to(root).as_posix()] = sha256_file(p)
    return out


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
