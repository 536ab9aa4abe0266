"""Data Docs as an auditor sees them: headless Chromium opens the files with no server and no network."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.validation.release_factory import make_release

CHROMIUM = Path("/usr/bin/chromium")


class _VisibleText(HTMLParser):
    """Text a reader sees: everything outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def dump_dom(page: Path, profile_dir: Path) -> str:
    """The DOM after Chromium loaded ``page`` (file://) and ran its scripts."""
    proc = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile_dir}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def rendered_text(page: Path, profile_dir: Path) -> str:
    """The DOM after Chromium loaded ``page``, as visible text."""
    parser = _VisibleText()
    parser.feed(dump_dom(page, profile_dir))
    return " | ".join(parser.parts)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_auditor_opens_data_docs_in_a_browser(tmp_path: Path) -> None:
    release = make_release(tmp_path / "release")
    docs = release / "validation" / "docs"
    index = rendered_text(docs / "index.html", tmp_path / "chromium")
    assert "appi.internal.policyholders" in index  # the suite
    assert "Validation Results" in index and "Success" in index  # its result, in GX's table
    validation_pages = list((docs / "validations").rglob("*.html"))
    assert len(validation_pages) == 1
    # the index's table row links to the result page by a relative path inside the docs folder
    rel = validation_pages[0].relative_to(docs).as_posix()
    assert f'data-href="{rel}"' in dump_dom(docs / "index.html", tmp_path / "chromium")
    page = rendered_text(validation_pages[0], tmp_path / "chromium")
    assert "Succeeded" in page
    assert "holds at least 4 distinct persons" in page  # the k-anonymity rule, in words
    assert "特異な記述" in page and "contains no My Number" in page
