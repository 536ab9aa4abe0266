"""The explorer's outputs: a chart (PNG + SVG) and a table (CSV + Markdown) of loss vs risk per table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from pipeline.report import svg
from pipeline.templates import render_markdown

#: Output file names inside ``--out``.
FILES = {"csv": "tradeoff.csv", "md": "tradeoff.md", "png": "tradeoff.png", "svg": "tradeoff.svg"}
#: (column, panel title, y label) of the chart panels, one row of panels per table.
PANELS: tuple[tuple[str, str, str], ...] = (
    ("lm", "information loss (LM)", "LM (0 = none, 1 = all)"),
    ("suppressed_share", "suppressed rows", "share of rows"),
    ("prosecutor_max_after", "prosecutor risk after, highest", "risk"),
    ("prosecutor_avg_after", "prosecutor risk after, average", "risk"),
)
_MD_COLUMNS = (
    ("k", "k"), ("suppression_limit", "削除上限 suppression limit"), ("lm", "情報損失 LM"),
    ("suppressed_rows", "削除行 suppressed rows"), ("prosecutor_max_after", "リスク最大 risk max"),
    ("prosecutor_avg_after", "リスク平均 risk avg"), ("min_class_size", "最小クラス smallest class"),
)


def tradeoff_figure(frame: pd.DataFrame) -> Figure:
    """One row of panels per table, k on the x axis, one line per suppression limit; infeasible points
    are absent (the table says why)."""
    tables = list(dict.fromkeys(frame["table"]))
    with svg.chart_style():
        fig = Figure(figsize=(3.2 * len(PANELS), 2.8 * len(tables)))
        axes = fig.subplots(len(tables), len(PANELS), squeeze=False)
        ok = frame[frame["feasible"]]
        ks = sorted(frame["k"].unique())
        for r, name in enumerate(tables):
            part = ok[ok["table"] == name]
            for c, (col, title, ylabel) in enumerate(PANELS):
                ax = axes[r][c]
                for limit, group in part.groupby("suppression_limit", sort=True):
                    group = group.sort_values("k")
                    ax.plot(group["k"], group[col].astype(float), marker="o", label=f"{limit:.0%}")
                ax.set_xscale("log")
                ax.set_xticks(ks, [str(k) for k in ks])
                ax.minorticks_off()
                ax.set_title(f"{name}: {title}", fontsize=9)
                ax.set_xlabel("k")
                ax.set_ylabel(ylabel)
                ax.set_ylim(bottom=0)
                if col == "suppressed_share":
                    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            axes[r][0].legend(title="suppression limit", fontsize=7, title_fontsize=7, frameon=False)
        fig.tight_layout()
    return fig


def tradeoff_markdown(frame: pd.DataFrame) -> str:
    """A Markdown table per table, for a ticket or a review note (template ``tradeoff.md.j2``)."""
    tables: dict[str, list[list[str]]] = {}
    for name, part in frame.groupby("table", sort=False):
        rows = tables.setdefault(str(name), [])
        for _, row in part.sort_values(["k", "suppression_limit"]).iterrows():
            if not row["feasible"]:
                cells = [str(row["k"]), f"{row['suppression_limit']:.0%}", f"不可 infeasible: {row['note']}"]
                cells += [""] * (len(_MD_COLUMNS) - 3)
            else:
                cells = [_cell(row[c], c) for c, _ in _MD_COLUMNS]
            rows.append(cells)
    return render_markdown("tradeoff.md.j2", headers=[h for _, h in _MD_COLUMNS], tables=tables)


def _cell(value: object, column: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if column == "suppression_limit":
        return f"{float(value):.0%}"  # type: ignore[arg-type]
    if isinstance(value, float):
        return f"{value:.4f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def write_outputs(frame: pd.DataFrame, out_dir: Path) -> dict[str, Path]:
    """Write the four files into ``out_dir`` (created if missing) and return their paths by kind."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: out_dir / name for kind, name in FILES.items()}
    frame.to_csv(paths["csv"], index=False, encoding="utf-8")
    paths["md"].write_text(tradeoff_markdown(frame), encoding="utf-8")
    fig = tradeoff_figure(frame)
    with svg.chart_style():
        fig.savefig(paths["png"], dpi=120, metadata={"Software": None})
        fig.savefig(paths["svg"], metadata={"Date": None, "Creator": None})
    return paths
