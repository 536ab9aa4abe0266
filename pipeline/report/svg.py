"""Matplotlib figures as inline SVG, so ``report.html`` is one self-contained file that opens offline.

Figures are built with the object API (``Figure()``, no pyplot): no global backend is chosen, nothing
is registered in pyplot's figure list (no leak in a long run), and notebooks keep their inline backend.

Fonts: every chart (report, explorer, notebooks) draws with IPAexGothic, the font that ships inside the
``matplotlib-fontja`` wheel, registered here once per process (:func:`register_font`). A dependency, not the
operating system, provides it, so Japanese labels look the same on every machine, with or without
``fonts-noto-cjk``, and never turn into tofu. Glyphs are embedded as paths (``svg.fonttype: path``; each
glyph once per chart, reused by ``<use>``), so a reader's browser needs no Japanese font either; matplotlib
keeps each label as an XML comment beside its paths, so the text stays searchable.
The output is deterministic (fixed hash salt, no date) so a release's file digests are reproducible.

Path coordinates are written as ``x,y`` pairs (valid SVG, same drawing): glyph outlines are in integer
font units, and matplotlib's ``x y x y`` would put runs like ``1550 3341 2219`` into the release, which a
recipient's My Number scan rightly flags (about one run in ten passes the check digit).
"""

from __future__ import annotations

import functools
import importlib.util
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
from markupsafe import escape
from matplotlib import font_manager
from matplotlib.figure import Figure

#: The chart font (in the ``matplotlib-fontja`` wheel; IPA Font License v1.0, which allows embedding in
#: documents), then DejaVu Sans (shipped with matplotlib) for the few symbols IPAexGothic lacks.
FONTS: tuple[str, ...] = ("IPAexGothic", "DejaVu Sans")
_FONT_FILE = ("fonts", "ipaexg.ttf")  # inside the matplotlib_fontja package
BEFORE_COLOUR = "#9aa5b1"
AFTER_COLOUR = "#1f6fb2"
ACCENT_COLOUR = "#c0392b"

_RC: dict[str, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "appi-report",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
}
_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
#: Attributes holding lists of numbers (path data, polylines, transforms, the view box).
_NUMBER_LISTS = re.compile(r'(\s(?:d|points|transform|viewBox)=")([^"]*)(")')
#: One separator between two numbers (a digit before it, a digit, sign or point after it).
_ONE_SEPARATOR = re.compile(r"(?<=\d)[ ,](?=[-+.]?\d)")


@functools.cache
def register_font() -> Path:
    """Add IPAexGothic from the ``matplotlib-fontja`` wheel to matplotlib's font list (once per process).

    The file is located without importing ``matplotlib_fontja``: its import sets the global
    ``font.family``, which a library must not do to its caller (notebooks share the process)."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = next((Path(p).joinpath(*_FONT_FILE) for p in locations if Path(p).joinpath(*_FONT_FILE).is_file()),
                None)
    if path is None:
        raise RuntimeError("IPAexGothic not found: the matplotlib-fontja package is missing or changed its "
                           "layout (pip install matplotlib-fontja)")
    manager = font_manager.fontManager
    before = len(manager.ttflist)
    manager.addfont(str(path))  # appends (and clears the lookup cache)
    # ahead of a system copy of the same family (Debian fonts-ipaexfont): ties go to the first entry
    manager.ttflist[:] = manager.ttflist[before:] + manager.ttflist[:before]
    return path


def font_families() -> tuple[str, ...]:
    """:data:`FONTS`, after registering the bundled one. An explicit list, not the generic ``sans-serif``:
    matplotlib falls back glyph by glyph only along an explicit family list."""
    register_font()
    return FONTS


@contextmanager
def chart_style() -> Iterator[None]:
    """Report styling without touching the caller's global rcParams (notebooks share the process)."""
    style: dict[str, Any] = {**_RC, "font.family": list(font_families())}
    with matplotlib.rc_context(style):  # type: ignore[arg-type]  # stubs want literal keys
        yield


def use_japanese_fonts() -> None:
    """For notebooks: Japanese labels in any figure (pandas plots too) without tofu, on any machine. Sets
    the global ``font.family`` to :func:`font_families`; call once at the top of a notebook."""
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
    svg = dlp_safe(_METADATA.sub("", _PROLOGUE.sub("", buf.getvalue(), count=1), count=1))
    title = escape(label)  # MarkupSafe, the templates' escaping: quotes too, the label is an attribute value
    return svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)


def dlp_safe(svg: str) -> str:
    """Separate the numbers of path data and transforms by ``", "`` instead of one space.

    Glyph outlines are integer font units (``M 1550 3341 L 2219 …``): three of them in a row can read as
    a 4-4-4 digit group that passes the My Number check digit, and a recipient's DLP scanner flags the
    release (issue 11, point 10). A My-Number-shaped run allows at most one separator character between its
    groups; two (SVG's comma-wsp, same drawing) make such a run impossible across numbers, and one number
    (at most 6 digits each side of its point) is too short to hold 12 digits on its own."""
    return _NUMBER_LISTS.sub(lambda m: m.group(1) + _ONE_SEPARATOR.sub(", ", m.group(2)) + m.group(3), svg)
