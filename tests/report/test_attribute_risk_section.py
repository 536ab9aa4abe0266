"""The report's "risk over all released columns" section, from figures measured by pipeline.attributes."""

from __future__ import annotations

import numpy as np

from pipeline.attributes import assess, measure_release
from pipeline.config.attribute_risk import AttributeRiskSpec
from pipeline.report.html import render_report
from tests.report.conftest import make_candidate


def test_section_shows_uniques_contributions_and_the_warning() -> None:
    candidate = make_candidate()
    table = candidate.tables["claims"]
    # an attribute to the yen: every row alone over all released columns
    table.data["保険料"] = np.arange(len(table.data)).astype(str)
    table.attributes = ("保険料",)
    views = measure_release(candidate.tables, 3)
    assert views["claims"].unique_rows == len(table.data)
    assessment = assess(views, AttributeRiskSpec(policy="warn"), candidate.tables)
    assert assessment.status == "warn" and assessment.findings[0].columns[0] == "保険料"
    table.metrics["attribute_risk"] = {"policy": "warn", "threshold": 0.0, **views["claims"].as_dict(),
                                       "warnings": [{"ja": f.ja, "en": f.en} for f in assessment.findings]}
    html = render_report(candidate)
    assert 'id="claims-attribute-risk"' in html
    assert "Risk over all released columns" in html and "公開する全項目でのリスク" in html
    assert "保険料" in html and "SUDA" in html and "protect_attributes" in html
    assert f">{len(table.data):,}<" in html  # unique rows counted
    assert "より大きな区分" in html  # the fix named for a column of unknown type: broader groups
