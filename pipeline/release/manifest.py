"""manifest.json: what the release holds, how it was made (never how to undo it), and checksums."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import __version__
from pipeline.checksum import sha256_file
from pipeline.publication.granularity import describe_levels
from pipeline.release.candidate import ReleaseCandidate, TableResult

MANIFEST = "manifest.json"


def table_entry(t: TableResult, file: str, sha256: str) -> dict[str, Any]:
    value_sets = {}
    for name in t.quasi_identifiers:
        h = t.hierarchies[name]
        used = sorted(t.level_shares.get(name) or {t.levels[name]: 1.0})  # local recoding: several levels
        value_sets[name] = list(dict.fromkeys(str(x) for b in used for x in h.labels[b]))
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
        "granularity": {k: _granularity(t, k, v) for k, v in t.levels.items()},
        "level_shares": {k: {str(b): round(v, 6) for b, v in sh.items()} for k, sh in t.level_shares.items()},
        "value_sets": value_sets,
        "top_bottom_codes": codes,
        "models": t.metrics.get("models", []),
        "linked_quasi_identifiers": t.metrics.get("linked_quasi_identifiers", []),
        "information_loss": t.metrics.get("loss", {}),
        "risk": t.metrics.get("risk", {}),
        "attribute_risk": t.metrics.get("attribute_risk", {}),
        "search": t.metrics.get("search", {}),
        "utility": t.metrics.get("utility", {}),
        "rare_values_changed": dict(t.rare_values),
        "invalid_cells_nulled": dict(t.invalid_nulled),
        "free_text_scrubbed": {c: dict(n) for c, n in t.scrubbed.items()},
    }


def _granularity(t: TableResult, column: str, level: int) -> str:
    """The level's description; a column released at several levels (local recoding) states the range."""
    shares = t.level_shares.get(column, {})
    if len(shares) > 1:
        spec = next(c for c in t.spec.kept_columns if c.output_name == column)
        return describe_levels(column, spec, t.hierarchies[column], shares).label
    return str(t.hierarchies[column].level_descriptions[level])


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


def linked_persons(data: pd.DataFrame, key: str, source: pd.DataFrame, source_key: str) -> dict[str, int]:
    """Distinct persons of ``data`` and how many of them the ``source`` table does not hold (suppressed
    there, or never in its input). Distinct keys only, one vectorised ``isin``."""
    keys = pd.Series(data[key].dropna().unique())
    present = keys.isin(pd.Series(source[source_key].dropna().unique()))
    return {"persons": len(keys), "absent": int((~present).sum())}


def add_linked_persons(c: ReleaseCandidate, tables: dict[str, dict[str, Any]]) -> None:
    """``linked_persons`` per table that links quasi-identifiers of earlier tables (``{source: {persons,
    absent}}``): what ``anonymize verify`` re-counts on the released files, so a table swapped in from another
    release (whose keys match no person of the source table) cannot pass."""
    for name, t in c.tables.items():
        linked = t.metrics.get("linked_quasi_identifiers") or {}
        sources = {str(q).split(".", 1)[0] for q in linked if "." in str(q)}
        figures = {}
        for src in sorted(sources):
            other = c.tables.get(src)
            if other is None or not t.person_key or not other.person_key:
                continue
            figures[src] = linked_persons(t.data, t.person_key, other.data, other.person_key)
        if figures:
            tables[name]["linked_persons"] = figures


def file_checksums(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` except the manifest itself, by POSIX relative path."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.relative_to(root).as_posix() != MANIFEST:
            out[p.relative_to(root).as_posix()] = sha256_file(p)
    return out


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
