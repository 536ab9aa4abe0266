"""The published site in headless Chromium: the index renders, in Japanese, with the datasets."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline.publication.publish import publish
from tests.publication.test_publish_provide import _create

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("headless Chromium (/usr/bin/chromium) is not installed; .ci/run installs it")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp / 'profile'}",
        "--window-size=1200,900",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("site")
    reg = tmp / "register.jsonl"
    _create(tmp, "internal", reg, third=False, day=1)
    _create(tmp, "third", reg, third=True, day=2)
    publish(tmp / "site", reg)
    return tmp / "site"


def test_dump_dom_shows_the_datasets(site, tmp_path):
    result = _chromium(tmp_path, "--dump-dom", (site / "index.html").as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "再保険会社向け契約データ" in dom and "契約者データ(研究用)" in dom
    assert dom.index("再保険会社向け契約データ") < dom.index("契約者データ(研究用)")  # newest first
    assert "令和7年4月2日" in dom and "<script" not in dom


def test_screenshot_is_non_trivial(site, tmp_path):
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False).stdout
    assert fonts.strip(), "no Japanese font (fonts-noto-cjk): the screenshot would show tofu"
    png = tmp_path / "index.png"
    result = _chromium(tmp_path, f"--screenshot={png}", (site / "index.html").as_uri())
    assert png.is_file(), result.stderr[-2000:]
    from matplotlib.image import imread

    img = imread(png)[..., :3]
    assert img.shape[:2] == (900, 1200)
    ink = (img.mean(axis=2) < 0.6).mean()  # share of dark (text / rule) pixels
    assert 0.005 < ink < 0.5, ink
    assert len(np.unique((img * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 20
