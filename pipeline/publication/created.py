"""The ``created`` register event: what an auditor needs to tie a release to its config, inputs and checks.

Only checksums, counts, privacy figures reached and paths: nothing restorable and no data value. Built from
the typed :class:`~pipeline.release.manifest.Manifest` the run holds in memory (the one it just wrote); the
event itself is JSON, because the register seals and stores JSON lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.checksum import sha256_file
from pipeline.publication.items import ITEMS_JSON
from pipeline.release.candidate import ReleaseCandidate, TableResult
from pipeline.release.manifest import Manifest, TableEntry, model_dict
from pipeline.release.register import append_event

#: Keys of a table's metrics that carry l / t (or all models) reached, copied if present; ``models`` comes
#: from the table's manifest entry when the manifest has one (the models as the manifest lists them).
_MODEL_KEYS = ("models", "l", "t", "l_diversity", "t_closeness", "privacy_models")


def _sha256(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


def distinct_l(table: TableResult) -> dict[str, int]:
    """Smallest number of distinct values of each sensitive column in an equivalence class (distinct
    l-diversity, Machanavajjhala et al. 2007), measured on the released data itself."""
    data = table.data
    out: dict[str, int] = {}
    for col in table.sensitive:
        if col not in data.columns:
            continue
        if table.quasi_identifiers:
            per_class = data.groupby(list(table.quasi_identifiers), dropna=False, observed=True)[
                col
            ].nunique()
            out[col] = int(per_class.min()) if len(per_class) else 0
        else:
            out[col] = int(data[col].nunique())
    return out


def _table_entry(table: TableResult, written: TableEntry | None) -> dict[str, Any]:
    """The figures reached by ``table``, with what its manifest entry (``written``, if any) recorded."""
    entry: dict[str, Any] = {
        "rows": len(table.data),
        "k": int(table.k),
        "min_class_size": int(table.min_class_size),
        "suppressed_rows": int(table.suppressed_rows),
        "distinct_l": distinct_l(table),
        "linked_persons": {},
    }
    if written is not None:
        entry["linked_persons"] = {source: f.to_json() for source, f in written.linked_persons.items()}
        entry["models"] = [model_dict(m) for m in written.models]
    for key in _MODEL_KEYS:
        if key in table.metrics and key not in entry:
            entry[key] = table.metrics[key]
    return entry


def _validation(release_dir: Path, manifest: Manifest) -> dict[str, Any]:
    path = release_dir / "validation" / "results.json"
    # the gate's summary is a free-form JSON block of the manifest (the gate owns its shape)
    success: Any = manifest.validation.get("success") if isinstance(manifest.validation, dict) else None
    if success is None and path.is_file():
        try:
            success = json.loads(path.read_text(encoding="utf-8")).get("success")
        except (OSError, ValueError, AttributeError):
            success = None
    return {"success": success, "file": "validation/results.json" if path.is_file() else None}


def created_event(candidate: ReleaseCandidate, release_dir: Path, manifest: Manifest,
                  files_dir: Path | None = None) -> dict[str, Any]:
    """The event for the release at ``release_dir``, read from ``files_dir`` (default: the same place; the
    staging directory when the event is built before the rename, see ``pipeline.release.commit``)."""
    rel = candidate.config.release
    release_dir = Path(release_dir).resolve()
    files = Path(files_dir) if files_dir is not None else release_dir
    outputs = dict(manifest.files)
    return {
        "event": "created",
        "release_id": candidate.release_id,
        "created_at": candidate.created_at.isoformat(timespec="seconds"),
        "dataset_name": rel.dataset_name,
        "legal_category": rel.legal_category,
        "audience": rel.audience,
        "recipient_category": rel.recipient_category,
        "provision_method": rel.provision_method,
        "continuous": rel.continuous,
        "config_file": candidate.config.source.name,
        "config_sha256": candidate.config.sha256,
        "tool_version": manifest.tool_version,
        "inputs": {t: dict(v) for t, v in candidate.inputs.items()},
        "release_dir": str(release_dir),
        "manifest_sha256": _sha256(files / "manifest.json"),
        "register_anchor": manifest.register_anchor,
        "outputs": outputs,
        "tables": {
            name: _table_entry(t, manifest.tables.get(name)) for name, t in candidate.tables.items()
        },
        "validation": _validation(files, manifest),
        "item_list": {
            "file": ITEMS_JSON,
            "path": str(release_dir / ITEMS_JSON),
            "sha256": outputs.get(ITEMS_JSON) or _sha256(files / ITEMS_JSON),
        },
    }


def record_created(register_path: Path | str, candidate: ReleaseCandidate, release_dir: Path,
                   manifest: Manifest) -> dict[str, Any]:
    """Append the ``created`` event of a release in place (``pipeline.release.commit`` adds ``pending``
    before it and ``abandoned`` on failure; this one-step form serves tests and tools). Here, beside the
    event it appends, and not in :mod:`pipeline.release.register`: the register sits below publication and
    must not import it back."""
    return append_event(register_path, created_event(candidate, Path(release_dir), manifest))
