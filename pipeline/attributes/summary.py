"""The run summary's lines on risk over all released columns, beside the declared-QI risk table.

One row per view (table or joined view): rows, rows unique over all released columns, their share, the
smallest class (persons), special uniques and the columns contributing most; then the policy's status and,
when a view is over the threshold, the warning in Japanese and English. Counts and column names only.

Read from the typed :class:`~pipeline.release.manifest.Manifest`; the ``attribute_risk`` blocks (per table
and for the release) are free-form JSON written by :mod:`pipeline.attributes` itself
(``Assessment.as_dict``), so they are read with ``.get`` here.
"""

from __future__ import annotations

from typing import Any

from pipeline import progress
from pipeline.release.manifest import Manifest


def attribute_risk_rows(manifest: Manifest) -> list[dict[str, Any]]:
    rows = []
    for name, t in manifest.tables.items():
        own = t.attribute_risk or {}
        for view, r in ((name, own), (f"{name}_joined", own.get("joined") or {})):
            if not r:
                continue
            contribution = r.get("contribution") or {}
            top = [c for c, v in sorted(contribution.items(), key=lambda kv: -kv[1]) if v > 0][:3]
            rows.append({
                "all released columns": view,
                "rows": r.get("rows"),
                "unique rows": r.get("unique_rows"),
                "unique share": r.get("unique_share"),
                "smallest class": r.get("min_class_size"),
                "special uniques": r.get("special_unique_rows"),
                "columns contributing most": ", ".join(top) or "-",
            })
    return rows


def format_attribute_risk(manifest: Manifest) -> str:
    """The table and the policy lines ('' for a manifest without the figures)."""
    rows = attribute_risk_rows(manifest)
    if not rows:
        return ""
    policy = manifest.attribute_risk or {}
    notes = []
    protected = policy.get("protected") or {}
    if protected:
        notes.append("protect_attributes: made quasi-identifiers: " + "; ".join(
            f"{t}: {', '.join(c)}" for t, c in protected.items()))
    notes.append(f"attribute risk policy: {policy.get('policy', '-')} (threshold "
                 f"{policy.get('threshold', 0):.1%}): {policy.get('status', '-')}")
    for w in policy.get("warnings") or []:
        notes.append(f"WARNING {w['en']}")
        notes.append(f"警告 {w['ja']}")
    return progress.format_summary(rows, notes)
