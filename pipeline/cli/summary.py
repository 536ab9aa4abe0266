"""The end-of-run summary: per table of the release, rows, k reached, suppression, loss and risk (two tables
laid out by :func:`pipeline.progress.format_summary`), the chosen granularity per quasi-identifier, where the
published item list is, and the risk over all released columns. Counts and levels only, never values.

Read from the typed :class:`~pipeline.release.manifest.Manifest` the run holds; the loss, risk and search
blocks of a table entry are free-form JSON that :mod:`pipeline.metrics` and :mod:`pipeline.search` own, so
they are read here with ``.get`` (a block a run did not fill shows as an empty cell)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

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

    attribute = format_attribute_risk(manifest)
    return "\n".join([head, progress.format_summary(release_summary_rows(manifest)), "",
                      progress.format_summary(risk_summary_rows(manifest), notes),
                      *(["", attribute] if attribute else [])])


def release_summary_rows(manifest: Manifest) -> list[dict[str, Any]]:
    """One summary row per table of a release manifest: rows in/out, k reached, suppression, risk."""
    rows = []
    for name, t in manifest.tables.items():
        risk = t.risk or {}
        before = risk.get("before") or {}
        after = risk.get("after") or {}
        loss = t.information_loss or {}
        rows.append({
            "table": name,
            "rows in": t.rows_in,
            "rows out": t.rows,
            "suppressed": t.suppressed_rows,
            "k": t.k,
            "k reached": t.min_class_size,
            "info loss": loss.get("lm", loss.get("overall")),
            "optimum": _optimum(t.search or {}),
            "risk max before": before.get("prosecutor_max"),
            "risk max after": after.get("prosecutor_max"),
            "risk avg after": after.get("prosecutor_avg"),
        })
    return rows


def risk_summary_rows(manifest: Manifest) -> list[dict[str, Any]]:
    """Re-identification risk per table before and after anonymisation (``pipeline.metrics.risk``): two rows
    a table, every measure the manifest records (shares of records, so comparable across tables)."""
    rows = []
    for name, t in manifest.tables.items():
        risk = t.risk or {}
        for when in ("before", "after"):
            r = risk.get(when) or {}
            rows.append({
                "table": name,
                "risk": when,
                "prosecutor max": r.get("prosecutor_max"),
                "prosecutor avg": r.get("prosecutor_avg"),
                "records at risk": r.get("records_at_risk"),
                "sample uniques": r.get("sample_uniques"),
                "marketer": r.get("marketer"),
                "threshold": r.get("threshold"),
            })
    return rows


def _optimum(search: Mapping[str, Any]) -> str | None:
    """``proven`` when the search proved its levels optimal, ``heuristic`` for the fallback
    (pipeline.search)."""
    if not search:
        return None
    return "proven" if search.get("exact", True) else "heuristic"
