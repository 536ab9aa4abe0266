"""The end-of-run summary's rows, from a release manifest (pipeline/cli/summary.py)."""

from __future__ import annotations

import pytest

from pipeline import progress
from pipeline.cli.summary import release_summary_rows, risk_summary_rows
from pipeline.release.manifest import Manifest, TableEntry


def test_release_summary_rows_from_manifest():
    manifest = Manifest(release_id="r", tables={"claims": TableEntry(
        rows_in=100, rows=95, suppressed_rows=5, k=5, min_class_size=6,
        information_loss={"lm": 0.3}, search={"exact": False, "fallback": "budget"},
        risk={"before": {"prosecutor_max": 1.0},
              "after": {"prosecutor_max": 1 / 6, "prosecutor_avg": 0.05}},
    )})
    (row,) = release_summary_rows(manifest)
    assert row["rows out"] == 95 and row["k reached"] == 6 and row["risk max after"] == pytest.approx(1 / 6)
    assert row["optimum"] == "heuristic"
    before, after = risk_summary_rows(manifest)
    assert (before["risk"], after["risk"]) == ("before", "after")
    assert before["prosecutor max"] == 1.0 and after["prosecutor avg"] == 0.05
    assert "0.1667" in progress.format_summary([row])
