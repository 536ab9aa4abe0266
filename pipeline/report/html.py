"""``report.html``: the run report for analysts, managers and compliance, in Japanese and English.

One self-contained file (inline SVG charts, inline CSS, no script, no external resource) that opens
offline from the release directory. It shows only what the release itself may show: counts, levels,
measures and released (generalised) labels; see :mod:`pipeline.report.aggregates` for how the before
side is kept free of personal values.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import __version__
from pipeline.release.candidate import ReleaseCandidate, TableResult
from pipeline.report import markup
from pipeline.report.sections import SECTIONS, Block

REPORT_FILE = "report.html"

_CSS = """
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic","Meiryo",system-ui,sans-serif;
 margin:0 auto;max-width:62rem;padding:1.5rem;color:#1d2733;line-height:1.55}
h1{font-size:1.5rem;margin-bottom:.2rem}
h2{border-bottom:2px solid #1f6fb2;padding-bottom:.2rem;margin-top:2.2rem}
h3{margin-top:1.6rem;font-size:1.1rem}.en{color:#55606e;font-weight:normal}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #d5dbe1;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure.chart{margin:.8rem 0}figure.chart svg{max-width:100%;height:auto;display:block}
figcaption{font-size:.85rem;color:#39434f}figcaption span{display:block}
p.lead span,p.note span{display:block}p.lead{margin:.3rem 0}p.note{color:#6b4c00}
nav ul{columns:2;font-size:.9rem}footer{margin-top:3rem;font-size:.8rem;color:#6b7683}
"""


def write_report(candidate: ReleaseCandidate, staging_dir: Path) -> Path:
    """Render the report for ``candidate`` into ``staging_dir/report.html`` and return its path."""
    path = Path(staging_dir) / REPORT_FILE
    path.write_text(render_report(candidate), encoding="utf-8")
    return path


def render_report(candidate: ReleaseCandidate) -> str:
    release = candidate.config.release
    tables = [(name, _blocks(t)) for name, t in candidate.tables.items()]
    overview = markup.table(
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
    nav = "".join(
        f'<li><a href="#{markup.esc(_anchor(name, b.key))}">'
        f"{markup.esc(name)}: {markup.esc(b.title_ja)}</a></li>"
        for name, blocks in tables
        for b in blocks
    )
    body = "".join(_table_html(name, candidate.tables[name], blocks) for name, blocks in tables)
    title = f"匿名加工レポート / Anonymisation report — {release.dataset_name}"
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{markup.esc(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>匿名加工レポート <span class="en">Anonymisation report</span></h1>{overview}'
        f"<nav><ul>{nav}</ul></nav>{body}"
        f"<footer>appi-anonymizer {markup.esc(__version__)} · このレポートに個人の値は含まれません。"
        " This report contains no personal value: counts, levels and released labels only.</footer>"
        "</body></html>\n"
    )


def _blocks(table: TableResult) -> list[Block]:
    blocks = []
    for section in SECTIONS.values():
        block = section().render(table)
        if block is not None:
            blocks.append(block)
    return blocks


def _table_html(name: str, table: TableResult, blocks: list[Block]) -> str:
    parts = [f'<section class="table" id="{markup.esc(_anchor(name, ""))}"><h2>{markup.esc(name)} '
             f'<span class="en">{len(table.data):,} rows · k = {table.k}</span></h2>']
    for b in blocks:
        parts.append(
            f'<section class="report-section" id="{markup.esc(_anchor(name, b.key))}">'
            f'<h3>{markup.esc(b.title_ja)} <span class="en">{markup.esc(b.title_en)}</span></h3>'
            f'<p class="lead"><span lang="ja">{markup.esc(b.lead_ja)}</span>'
            f'<span lang="en" class="en">{markup.esc(b.lead_en)}</span></p>{b.body}</section>'
        )
    parts.append("</section>")
    return "".join(parts)


def _anchor(table: str, key: str) -> str:
    return f"{table}-{key}" if key else table
