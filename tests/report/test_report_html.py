"""report.html content: every section, real charts, bilingual captions, and no personal value."""

from __future__ import annotations

import re
import warnings

import pytest

from pipeline.report.html import render_report, write_report
from pipeline.report.sections import SECTIONS
from tests.report.conftest import city_leaves, diag_leaves, make_candidate


@pytest.fixture(scope="module")
def html(candidate, tmp_path_factory) -> str:
    path = write_report(candidate, tmp_path_factory.mktemp("staging"))
    assert path.name == "report.html"
    return path.read_text(encoding="utf-8")


def test_every_section_rendered(html):
    for key in SECTIONS:
        assert f'id="claims-{key}"' in html, key


def test_charts_are_inline_svg_and_self_contained(html):
    # risk, records, generalisation, loss, classes, 4 distributions
    assert html.count("<svg ") == 9
    assert "<script" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "external resource in the report"
    assert "<?xml" not in html and "<metadata>" not in html


def test_captions_in_japanese_and_english(html):
    assert "再識別リスク" in html and "Re-identification risk" in html
    assert html.count("<figcaption>") == html.count("<svg ")
    assert "検察官リスク(最大) / prosecutor risk, highest" in html


def test_risk_and_loss_figures_shown(candidate, html):
    after_max = candidate.tables["claims"].metrics["risk"]["after"]["prosecutor_max"]
    assert f"{after_max:.4g}" in html
    assert ">0.27<" in html  # overall LM
    assert "年齢(20歳階級)" in html  # chosen level in plain words


def test_no_personal_value_in_report(html):
    for leaf in [*city_leaves(), *diag_leaves()]:
        assert leaf not in html
    assert "秘" not in html  # the marker of every level-0 label in the fixture
    assert "沖縄県" not in html  # a generalised label held by fewer than k persons: suppressed


def test_missing_metrics_are_said_not_invented():
    html = render_report(make_candidate(with_metrics=False))
    assert "No risk figures were recorded" in html
    assert "No information-loss figures were recorded" in html
    assert "prosecutor risk, highest" not in html


def test_deterministic(candidate, html):
    """Same candidate, same bytes: the release's sha256 of report.html is reproducible (no dates, no ids)."""
    assert render_report(candidate) == html


def test_no_missing_glyphs(candidate):
    """Japanese labels without tofu whatever the system has: the charts' font comes with a dependency
    (matplotlib-fontja); test_fonts.py proves it in a process that sees no system font at all."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_report(candidate)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_linked_table_note():
    cand = make_candidate()
    cand.tables["claims"].metrics["linked_quasi_identifiers"] = ["年齢(linked)"]
    html = render_report(cand)
    assert "held 1 quasi-identifier(s) of the linked table fixed" in html
