"""How identifying is a raw extract: uniqueness of persons by combination of quasi-identifiers.

For every non-empty combination of a table's quasi-identifiers (at level 0, or at given levels), the
share of persons who are alone in their combination (sample uniques) and the prosecutor risk, from the
same risk model the release uses (:func:`pipeline.metrics.risk.risk_profile`). Output is figures only,
never values: it shows *which* combinations single people out, not who.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import ConfigError
from pipeline.metrics.risk import risk_profile


def uniqueness(prepared: Any, table: str, levels: Mapping[str, int] | None = None,
               max_size: int | None = None) -> pd.DataFrame:
    """One row per combination of quasi-identifiers (output names), smallest combinations first.

    ``levels`` (output name → hierarchy level) asks "what if this column were released as …"; the
    default is level 0, the values as normalised."""
    if table not in prepared.tables:
        raise ConfigError(f"unknown table {table!r}; tables: {', '.join(prepared.tables)}")
    t = prepared.tables[table]
    threshold = prepared.config.privacy.risk_threshold
    person = t.person if t.spec.person_key else None
    codes: dict[str, np.ndarray] = {}
    for col in t.spec.by_role("quasi_identifier"):
        leaves, h = t.leaves[col.name]
        level = min((levels or {}).get(col.output_name, 0), h.height - 1)
        codes[col.output_name] = h.maps[level][h.encode(leaves, table)]
    names = list(codes)
    rows = []
    for size in range(1, min(max_size or len(names), len(names)) + 1):
        for combo in combinations(names, size):
            class_id = pd.DataFrame({n: codes[n] for n in combo}).groupby(list(combo), sort=False).ngroup()
            risk = risk_profile(class_id.to_numpy(), person, threshold)
            rows.append({
                "quasi_identifiers": " × ".join(combo), "size": size, "classes": risk["classes"],
                "persons": risk["records"], "sample_uniques": risk["sample_uniques"],
                "prosecutor_avg": risk["prosecutor_avg"], "records_at_risk": risk["records_at_risk"],
            })
    return pd.DataFrame(rows)


def uniqueness_figure(frame: pd.DataFrame, top: int = 15):  # -> matplotlib Figure
    """Horizontal bars: the ``top`` combinations by share of sample uniques."""
    from pipeline.report import svg

    data = frame.nlargest(top, "sample_uniques").iloc[::-1]
    with svg.chart_style():
        fig, (ax,) = svg.figure(7.5, 0.32 * len(data) + 1.2)
        ax.barh(data["quasi_identifiers"], data["sample_uniques"], color=svg.ACCENT_COLOUR)
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of persons unique in the extract (sample uniques)")
        ax.set_title("一意に特定される人の割合 / uniqueness by combination of quasi-identifiers")
        fig.tight_layout()
    return fig
