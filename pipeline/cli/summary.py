"""The end-of-run summary: one aligned table per release, counts and levels only (never values)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _pct(x: Any) -> str:
    return "-" if x is None else f"{100 * float(x):.1f}%"


def format_run_summary(manifest: dict[str, Any], release_dir: Path) -> str:
    header = ["table", "rows in", "rows out", "suppressed", "k", "min class", "LM", "risk max before→after"]
    rows = []
    for name, t in manifest["tables"].items():
        risk = t.get("risk", {})
        before = risk.get("before", {}).get("prosecutor_max")
        after = risk.get("after", {}).get("prosecutor_max")
        lm = t.get("information_loss", {}).get("lm")
        rows.append([
            name, f"{t['rows_in']:,}", f"{t['rows']:,}", f"{t['suppressed_rows']:,}", str(t["k"]),
            str(t["min_class_size"]), "-" if lm is None else f"{lm:.3f}", f"{_pct(before)} → {_pct(after)}",
        ])
    widths = [max(_w(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"release {manifest['release_id']} ({manifest['legal_category']}) written to {release_dir}"]
    for r in [header, *rows]:
        lines.append("  ".join(c + " " * (widths[i] - _w(c)) for i, c in enumerate(r)).rstrip())
    for name, t in manifest["tables"].items():
        levels = ", ".join(f"{q}={t['granularity'][q]}" for q in t["quasi_identifiers"])
        lines.append(f"{name}: {levels}")
    lines.append(f"published items: {release_dir / 'published_items.ja.md'}")
    return "\n".join(lines)


def _w(s: str) -> int:
    """Display width: East Asian wide characters take two cells."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
