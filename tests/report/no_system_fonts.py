"""Draw every kind of chart in a process whose matplotlib knows no font but its own (DejaVu & co.).

Run as ``python -m tests.report.no_system_fonts OUT_DIR`` by ``test_fonts.py``: the font list is cut to
matplotlib's bundled fonts before anything is drawn, as on a machine without ``fonts-noto-cjk`` (whatever
this machine has installed), so only the project's own font registration can supply Japanese glyphs. Writes
the report, the explorer's charts and a notebook-style figure into OUT_DIR; matplotlib's per-glyph
"missing from font" warnings go to stderr, which the test reads. A control figure drawn with DejaVu Sans
alone must warn, which proves the warnings would be seen.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

JAPANESE = "年齢 都道府県 傷病分類 一意に特定される人の割合"


def hide_system_fonts() -> list[str]:
    """Keep matplotlib's own fonts only; returns the family names left."""
    own = str(Path(matplotlib.get_data_path()).resolve())
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if str(Path(f.fname).resolve()).startswith(own)]
    manager.afmlist = [f for f in manager.afmlist if str(Path(f.fname).resolve()).startswith(own)]
    manager._findfont_cached.cache_clear()
    return sorted({f.name for f in manager.ttflist})


def main(out: Path) -> None:
    warnings.simplefilter("always")
    families = hide_system_fonts()
    print("families before registration:", ", ".join(families), file=sys.stderr)

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):  # the control: must warn
        control = Figure()
        control.suptitle("対照")
        control.savefig(out / "control.png")
    print("--- end of control ---", file=sys.stderr)

    from pipeline.explore.outputs import write_outputs
    from pipeline.explore.uniqueness import uniqueness_figure
    from pipeline.report import svg
    from pipeline.report.html import render_report
    from tests.report.conftest import make_candidate

    (out / "report.html").write_text(render_report(make_candidate()), encoding="utf-8")
    combos = pd.DataFrame({"quasi_identifiers": ["年齢 × 性別", "居住地 × 年齢", "傷病分類"],
                           "sample_uniques": [0.4, 0.2, 0.05]})
    with svg.chart_style():
        uniqueness_figure(combos).savefig(out / "uniqueness.svg")
    grid = pd.DataFrame({"table": ["契約者", "契約者"], "k": [2, 5], "suppression_limit": [0.0, 0.0],
                         "feasible": [True, True], "lm": [0.2, 0.4], "suppressed_share": [0.0, 0.0],
                         "prosecutor_max_after": [0.5, 0.2], "prosecutor_avg_after": [0.1, 0.05],
                         "suppressed_rows": [0, 0], "min_class_size": [2, 5]})
    write_outputs(grid, out / "explore")

    svg.use_japanese_fonts()  # what the notebooks call first; then any figure (here through the Agg PNG path)
    fig = Figure()
    ax = fig.subplots()
    ax.bar(["東京都", "大阪府"], [3, 2])
    ax.set_title(JAPANESE)
    fig.savefig(out / "notebook.png")
    after = sorted({f.name for f in font_manager.fontManager.ttflist})
    print("families after registration:", ", ".join(after), file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
