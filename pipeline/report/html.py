"""``report.html``: the run report for analysts, managers and compliance, in Japanese and English.

One self-contained file (inline SVG charts, inline CSS, no script, no external resource) that opens
offline from the release directory. The layout is the template ``report.html.j2``
(:mod:`pipeline.templates`). It shows only what the release itself may show: counts, levels,
measures and released (generalised) labels; see :mod:`pipeline.report.aggregates` for how the before
side is kept free of personal values.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import __version__
from pipeline.release.candidate import ReleaseCandidate, TableResult
from pipeline.report.content import Table
from pipeline.report.sections import SECTIONS, Block
from pipeline.templates import render_html

REPORT_FILE = "report.html"

def write_report(candidate: ReleaseCandidate, staging_dir: Path) -> Path:
    """Render the report for ``candidate`` into ``staging_dir/report.html`` and return its path."""
    path = Path(staging_dir) / REPORT_FILE
    path.write_text(render_report(candidate), encoding="utf-8")
    return path


def render_report(candidate: ReleaseCandidate) -> str:
    """The report (template ``report.html.j2``): an overview table, then each table's sections."""
    release = candidate.config.release
    overview = Table(
        ["", "値 / value"],
        [
            ("データセット / dataset", release.dataset_name),
            ("区分 / legal category", release.legal_category),
            ("リリースID / release id", candidate.release_id),
            ("作成日時 / created", candidate.created_at.isoformat(timespec="seconds")),
            ("提供先 / audience", release.audience),
            ("k", candidate.config.privacy.k),
            ("削除上限 / suppression limit", candidate.config.privacy.suppression_limit),
        ],
    )
    tables = [{"name": name, "rows": len(t.data), "k": t.k, "blocks": _blocks(t)}
              for name, t in candidate.tables.items()]
    title = f"匿名加工レポート / Anonymisation report — {release.dataset_name}"
    return render_html("report.html.j2", title=title, overview=overview, tables=tables, version=__version__)


def _blocks(table: TableResult) -> list[Block]:
    blocks = []
    for section in SECTIONS.values():
        block = section().render(table)
        if block is not None:
            blocks.append(block)
    return blocks
