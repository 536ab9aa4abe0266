"""The end-of-run summary: the release's table (``pipeline.progress``) plus the chosen granularity per
quasi-identifier and where the published item list is. Counts and levels only, never values."""

from __future__ import annotations

from pathlib import Path

from pipeline import progress
from pipeline.release.manifest import Manifest


def format_run_summary(manifest: Manifest, release_dir: Path) -> str:
    notes = []
    for name, t in manifest.tables.items():
        levels = ", ".join(t.granularity[q] for q in t.quasi_identifiers or ())
        notes.append(f"{name}: {levels}")
    notes.append(f"published items: {release_dir / 'published_items.ja.md'}")
    head = f"release {manifest.release_id} ({manifest.legal_category}) written to {release_dir}"
    from pipeline.attributes.summary import format_attribute_risk

    as_json = manifest.to_json()  # the progress tables read the file's form (pipeline.progress is moving)
    attribute = format_attribute_risk(as_json)
    return "\n".join([head, progress.format_summary(progress.release_summary_rows(as_json)), "",
                      progress.format_summary(progress.risk_summary_rows(as_json), notes),
                      *(["", attribute] if attribute else [])])
