"""Japanese in every chart without any system font: the report, the explorer and the notebooks draw with
IPAexGothic from the ``matplotlib-fontja`` wheel, embed the glyphs as paths, and look the same whatever
fonts the machine has (tests/report/no_system_fonts.py hides them all in a child process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.ft2font import FT2Font

from pipeline.report import svg
from pipeline.report.html import render_report
from tests.report.conftest import make_candidate

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("no-system-fonts")
    env = {**os.environ, "PYTHONWARNINGS": "always"}
    proc = subprocess.run([sys.executable, "-m", "tests.report.no_system_fonts", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc.stderr


def _after_control(stderr: str) -> str:
    return stderr.split("--- end of control ---", 1)[1]


def test_the_child_has_no_japanese_font_of_its_own(drawn):
    _, stderr = drawn
    before = re.search(r"families before registration: (.*)", stderr).group(1)
    assert "DejaVu Sans" in before
    assert not re.search(r"CJK|IPA|Gothic|Mincho|Hiragino|Meiryo|Noto", before), before
    assert "IPAexGothic" in re.search(r"families after registration: (.*)", stderr).group(1)


def test_control_warns_so_a_missing_glyph_would_be_seen(drawn):
    _, stderr = drawn
    control = stderr.split("--- end of control ---", 1)[0]
    assert "missing from font" in control


def test_no_glyph_missing_and_no_warning_printed(drawn):
    out, stderr = drawn
    rest = _after_control(stderr)
    assert "missing from font" not in rest, rest[-2000:]
    assert "Warning" not in rest, rest[-2000:]  # nothing printed per glyph (or otherwise) while drawing
    assert {p.name for p in (out / "explore").iterdir()} >= {"tradeoff.png", "tradeoff.svg"}
    assert (out / "notebook.png").stat().st_size > 0


def _glyph_indices(text: str) -> set[int]:
    """The IPAexGothic glyphs defined in an SVG (matplotlib names them ``<PostScript name>-<glyph>``)."""
    return {int(index, 16) for index in re.findall(r'<path id="IPAexGothic-([0-9a-f]+)"', text)}


def test_svg_embeds_the_bundled_glyphs_as_paths(drawn):
    out, _ = drawn
    charmap = FT2Font(str(svg.register_font())).get_charmap()  # code point -> glyph index
    for page in (out / "report.html", out / "uniqueness.svg", out / "explore" / "tradeoff.svg"):
        text = page.read_text(encoding="utf-8")
        assert "<text" not in text, page.name  # no text left for the reader's fonts to draw
        glyphs = _glyph_indices(text)
        # every Japanese character of every label (kept as a comment beside its paths) is drawn from the
        # bundled font's own glyph
        labels = "".join(re.findall(r"<!-- (.*?) -->", text))
        japanese = {c for c in labels if CJK.match(c)}
        assert japanese, page.name
        assert {charmap.get(ord(c)) for c in japanese} <= glyphs, page.name
    report = (out / "report.html").read_text(encoding="utf-8")
    assert {charmap[ord(c)] for c in "年齢"} <= _glyph_indices(report)


def test_same_bytes_whatever_fonts_the_machine_has(drawn):
    """The child saw no system font; this process sees all of them (fonts-noto-cjk where CI installs it)."""
    out, _ = drawn
    assert render_report(make_candidate()) == (out / "report.html").read_text(encoding="utf-8")


def test_the_font_comes_from_the_dependency():
    path = svg.register_font()
    assert path.name == "ipaexg.ttf" and "matplotlib_fontja" in path.parts
    assert svg.font_families()[0] == "IPAexGothic"


def test_glyph_outlines_hold_no_my_number_shaped_run(drawn):
    """Glyph outlines are integer font units: written ``x y x y`` they form runs like ``1550 3341 2219``,
    one in ten with a valid My Number check digit, which the release-wide scan (test_end_to_end.py) and any
    recipient's scanner flag. Written as ``x,y`` pairs, no such run is left."""
    from stdnum.jp import in_ as my_number

    out, _ = drawn
    report = (out / "report.html").read_text(encoding="utf-8")
    shaped = re.findall(r"(?<![0-9A-Za-z.])(\d{4})[ -]?(\d{4})[ -]?(\d{4})(?![0-9A-Za-z.])", report)
    assert not shaped
    outline = re.search(r'<path id="IPAexGothic-[0-9a-f]+" d="([^"]+)"', report).group(1)
    assert re.search(r"[MQL] \d+, \d+", outline)
    # the control: the same outline in matplotlib's own spelling would be flagged
    spaced = re.sub(r"(\d), (-?\d)", r"\1 \2", report)
    runs = re.findall(r"(?<![0-9A-Za-z.])(\d{4}) (\d{4}) (\d{4})(?![0-9A-Za-z.])", spaced)
    assert [r for r in runs if my_number.is_valid("".join(r))]
