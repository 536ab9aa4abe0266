"""Evaluate one prepared extract over a grid of k and suppression limits: the trade-off table.

The extract is read, normalised and encoded once (``pipeline.prepare``); each grid point only re-runs the
anonymisation in memory (``pipeline.anonymise.anonymise_prepared``) and keeps its figures — counts, loss and
risk, never data. A point whose models cannot be met within the limit is a row marked infeasible, not an
error: "k = 20 is impossible with 2 % suppression" is exactly what the analyst wants to see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from pipeline import progress
from pipeline.errors import ConfigError, PrivacyError

#: Columns of the trade-off table, in order.
COLUMNS: tuple[str, ...] = (
    "table", "k", "suppression_limit", "feasible", "rows_in", "rows_out", "suppressed_rows",
    "suppressed_share", "min_class_size", "classes", "lm", "prosecutor_max_after", "prosecutor_avg_after",
    "records_at_risk_after", "prosecutor_max_before", "prosecutor_avg_before", "note",
)


def check_grid(ks: Sequence[int], limits: Sequence[float]) -> tuple[list[int], list[float]]:
    """Sorted, de-duplicated grid values; k >= 1 and limits in [0, 1) (the CLI passes user input here)."""
    bad_k = [k for k in ks if k < 1]
    if bad_k or not ks:
        raise ConfigError(f"--k: every k must be an integer >= 1, found {bad_k or 'none'}")
    bad_s = [s for s in limits if not 0.0 <= s < 1.0]
    if bad_s or not limits:
        raise ConfigError(f"--suppression: every limit must be a share in [0, 1), found {bad_s or 'none'}")
    return sorted(set(ks)), sorted(set(limits))


def explore(prepared: Any, ks: Sequence[int], limits: Sequence[float]) -> pd.DataFrame:
    """One row per (table, k, suppression limit): loss, suppression and risk after (and before)."""
    from pipeline.anonymise import anonymise_prepared  # the search stack is slow to import

    ks, limits = check_grid(ks, limits)
    rows: list[dict[str, Any]] = []
    with progress.step("explore", total=len(ks) * len(limits), unit="runs") as bar:
        for k in ks:
            for limit in limits:
                try:
                    with progress.muted():
                        results = anonymise_prepared(prepared, k=k, suppression_limit=limit)
                except PrivacyError as exc:
                    rows.extend(_infeasible(prepared, k, limit, str(exc)))
                else:
                    rows.extend(_row(name, t, limit) for name, t in results.items())
                bar.advance(1)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _row(name: str, t: Any, limit: float) -> dict[str, Any]:
    risk = t.metrics.get("risk") or {}
    before, after = risk.get("before") or {}, risk.get("after") or {}
    loss = t.metrics.get("loss") or {}
    return {
        "table": name, "k": t.k, "suppression_limit": limit, "feasible": True,
        "rows_in": t.rows_in, "rows_out": len(t.data), "suppressed_rows": t.suppressed_rows,
        "suppressed_share": t.suppressed_rows / t.rows_in if t.rows_in else 0.0,
        "min_class_size": t.min_class_size, "classes": t.classes, "lm": loss.get("lm", loss.get("overall")),
        "prosecutor_max_after": after.get("prosecutor_max"),
        "prosecutor_avg_after": after.get("prosecutor_avg"),
        "records_at_risk_after": after.get("records_at_risk"),
        "prosecutor_max_before": before.get("prosecutor_max"),
        "prosecutor_avg_before": before.get("prosecutor_avg"), "note": "",
    }


def _infeasible(prepared: Any, k: int, limit: float, message: str) -> list[dict[str, Any]]:
    """One row per table: the whole release fails when one table does, so every table shows the reason."""
    return [
        {"table": name, "k": k, "suppression_limit": limit, "feasible": False, "rows_in": t.rows,
         "note": message}
        for name, t in prepared.tables.items()
    ]
