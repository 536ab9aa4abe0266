"""report.html opened in headless Chromium: the charts lay out with a real size and the page is drawn."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.report.html import write_report

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]
#: Appended to a copy of the report (the report itself has no script): writes each chart's laid-out box.
PROBE = """<script>
const boxes = [...document.querySelectorAll('figure.chart svg, img')].map(e => {
  const r = e.getBoundingClientRect(); return [e.tagName, Math.round(r.width), Math.round(r.height)]; });
const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(boxes);
document.body.appendChild(pre);
</script>"""


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def rendered(candidate, tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    report = write_report(candidate, root)
    probe = root / "probe.html"
    html = report.read_text(encoding="utf-8")
    probe.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _chromium(["--dump-dom", probe.as_uri()], root / "profile-dom")
    shot = root / "shot.png"
    _chromium(["--window-size=1100,2400", f"--screenshot={shot}", report.as_uri()], root / "profile-shot")
    return report, dom, shot


def test_charts_have_a_laid_out_size(rendered):
    report, dom, _ = rendered
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert match, f"no probe output; chromium stderr: {dom.stderr[-500:]}"
    boxes = json.loads(match.group(1))
    assert len(boxes) == report.read_text(encoding="utf-8").count("<svg ")
    assert all(tag.lower() == "svg" and w > 200 and h > 50 for tag, w, h in boxes), boxes


def test_screenshot_is_not_blank(rendered):
    _, _, shot = rendered
    assert shot.exists(), "chromium wrote no screenshot"
    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert pixels.shape[0] >= 2000 and pixels.shape[1] >= 1000
    ink = (pixels.sum(axis=2) < 600).mean()  # share of pixels that are not (near) white
    colours = len(np.unique(pixels.reshape(-1, 3), axis=0))
    blue = ((pixels[..., 2] > 150) & (pixels[..., 0] < 80)).mean()  # the "after" bars (#1f6fb2)
    assert ink > 0.03, ink
    assert colours > 50, colours
    assert blue > 0.005, blue
