"""Charts carry no My-Number-shaped digit run (issue 11, point 10): glyph outlines are integer font units,
and three in a row can pass the check digit, which a recipient's DLP scanner flags."""

from __future__ import annotations

import re

from stdnum.jp import in_

from pipeline.report import svg

_SHAPE = re.compile(r"(?<![0-9A-Za-z])(?=(\d{4}[^\w]?\d{4}[^\w]?\d{4})(?![0-9A-Za-z]))")


def _valid_shapes(text: str) -> list[str]:
    return [m.group(1) for m in _SHAPE.finditer(text) if in_.is_valid(re.sub(r"\D", "", m.group(1)))]


def _chart() -> str:
    with svg.chart_style():
        fig, axes = svg.figure(6, 4)
        labels = ["東京都", "大阪府", "北海道", "沖縄県", "九州", "中部", "関東", "傷病分類", "入院日数"] * 4
        axes[0].barh(range(len(labels)), range(len(labels)))
        axes[0].set_yticks(range(len(labels)), labels)
        axes[0].set_title("居住地別の契約者数 請求日 保険料 代理店")
    return svg.to_svg(fig, "居住地")


def test_path_data_holds_no_my_number_shaped_run() -> None:
    chart = _chart()
    assert _valid_shapes(chart) == []
    # the guard is what removes them: the same chart with single-space separators holds many
    assert len(_valid_shapes(chart.replace(", ", " "))) > 0


def test_dlp_safe_keeps_the_drawing() -> None:
    out = svg.dlp_safe('<path d="M 1550 3341 L 2219 -12.5 z" transform="translate(1 2)"/><!-- 1550 3341 -->')
    assert out == '<path d="M 1550, 3341 L 2219, -12.5 z" transform="translate(1, 2)"/><!-- 1550 3341 -->'
