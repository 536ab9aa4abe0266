"""The utility section and the manifest's ``utility`` entry of a real release, written through the CLI."""

from __future__ import annotations

import json

import pytest

from pipeline.metrics.utility import share_at_most


def test_manifest_and_report_show_levels_and_research_questions(release_cp932):
    manifest = json.loads((release_cp932 / "manifest.json").read_text(encoding="utf-8"))
    ph = manifest["tables"]["policyholders"]["utility"]
    assert {"年齢", "性別", "居住地", "職業"} <= set(ph["levels"])  # plus promoted attributes
    entry = manifest["tables"]["policyholders"]
    for shares in ph["levels"].values():  # every input row: at one level, or suppressed
        assert sum(s["rows"] for s in shares) + entry["suppressed_rows"] == entry["rows_in"]
    top = len(ph["levels"]["居住地"]) - 1
    assert share_at_most(ph["levels"]["居住地"], top) == pytest.approx(1 - ph["suppressed_share"])
    asked = {q["question"] for q in ph["questions"]}
    assert asked == {"claim rate by 年齢 × 性別", "claim rate by 居住地", "保険種類 mix by 居住地"}
    html = (release_cp932 / "report.html").read_text(encoding="utf-8")
    assert 'id="policyholders-utility"' in html and 'id="claims-utility"' in html
    for q in ph["questions"]:
        assert q["question"] in html
        if q.get("answerable", True):
            assert f"{q['mean_relative_error']:.1%}" in html
    # the demo config's recoding: auto states what it kept and the errors both releases gave
    record = entry["search"]["recoding"]
    assert record["mode"] == "auto" and record["chosen"] in ("global", "local")
    kept = {"global": "Kept: global recoding", "local": "Kept: local recoding"}[record["chosen"]]
    assert kept in html
    for errors in record["claim_rate_error"].values():
        for e in errors.values():
            assert e is None or f"{e:.1%}" in html
