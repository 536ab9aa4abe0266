"""Matplotlib figures as inline SVG, so ``report.html`` is one self-contained file that opens offline.

Figures are built with the object API (``Figure()``, no pyplot): no global backend is chosen, nothing
is registered in pyplot's figure list (no leak in a long run), and notebooks keep their inline backend.
Text stays text (``svg.fonttype: none``): the browser draws it with the reader's own Japanese font
(browsers fall back glyph by glyph to the system's Japanese font: Noto CJK on Linux, Hiragino on macOS,
Yu Gothic / Meiryo on Windows), so no font is embedded. Matplotlib still measures the text for layout and
draws PNGs with the installed families of :data:`FONTS` (Debian: ``fonts-noto-cjk``).
The output is deterministic (fixed hash salt, no date) so a release's file digests are reproducible.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

#: Japanese-capable families, in the order a reader's system is likely to have them; DejaVu last for Latin.
FONTS: tuple[str, ...] = (
    "Noto Sans CJK JP",
    "IPAexGothic",
    "IPAGothic",
    "Hiragino Sans",
    "Yu Gothic",
    "Meiryo",
    "DejaVu Sans",
)
BEFORE_COLOUR = "#9aa5b1"
AFTER_COLOUR = "#1f6fb2"
ACCENT_COLOUR = "#c0392b"

_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "appi-report",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
}
_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


@functools.cache
def font_families() -> tuple[str, ...]:
    """The installed families of :data:`FONTS`, DejaVu Sans (shipped with matplotlib) last.

    An explicit list, not the generic ``sans-serif``: matplotlib falls back glyph by glyph only along an
    explicit family list, and naming absent families would log a warning for each of them on every draw."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return (*(f for f in FONTS if f in installed and f != "DejaVu Sans"), "DejaVu Sans")


@contextmanager
def chart_style() -> Iterator[None]:
    """Report styling without touching the caller's global rcParams (notebooks share the process)."""
    style: dict[str, Any] = {**_RC, "font.family": list(font_families())}
    with matplotlib.rc_context(style):  # type: ignore[arg-type]  # stubs want literal keys
        yield


def use_japanese_fonts() -> None:
    """For notebooks: Japanese labels in any figure (pandas plots too) without tofu. Sets the global
    ``font.family`` to :func:`font_families`; call once at the top of a notebook."""
    matplotlib.rcParams["font.family"] = list(font_families())


def figure(width: float, height: float, ncols: int = 1) -> tuple[Figure, list]:
    """A figure of ``width`` x ``height`` inches with ``ncols`` axes side by side; use inside
    :func:`chart_style`."""
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(1, ncols, squeeze=False)
    return fig, list(axes[0])


def to_svg(fig: Figure, label: str) -> str:
    """Serialise ``fig``; returns an ``<svg>`` element ready to inline, titled ``label``
    for screen readers."""
    buf = io.StringIO()
    with chart_style():  # fonts are resolved when drawing, so the style must hold at save time too
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    svg = _METADATA.sub("", _PROLOGUE.sub("", buf.getvalue(), count=1), count=1)
    title = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)
