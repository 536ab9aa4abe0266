"""GX's Data Docs in headless Chromium with the network cut off: styled by Bootstrap, scripts running,
Font Awesome icons drawn, the "Failed Only" filter hiding the passed expectations, and no request made
outside the file system. A control page with one CDN URL put back proves the request check would see it."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.errors import ValidationFailed
from tests.validation.release_factory import frame, make_release

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Appended to a copy of a page: after load, report what loaded, click "Failed Only", report again.
PROBE = """<script>
window.addEventListener('load', () => {
  const shown = (sel) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null).length;
  const targets = '.hide-succeeded-validation-target, .hide-succeeded-validation-target-child';
  const out = {
    jquery: typeof window.jQuery, bootstrapTable: window.jQuery ? typeof jQuery.fn.bootstrapTable : 'none',
    vegaEmbed: typeof window.vegaEmbed, bodyFont: getComputedStyle(document.body).fontFamily,
    tables: document.querySelectorAll('.bootstrap-table').length,
    passedShown: shown(targets), failedShown: shown('.fa-times'),
  };
  const filter = [...document.querySelectorAll('label')].find(l => l.textContent.includes('Failed Only'));
  out.filter = !!filter;
  if (window.jQuery) jQuery.fx.off = true;  // GX's filter fades: end states at once, whatever the load
  if (filter) filter.click();
  setTimeout(() => {
    out.passedAfter = shown(targets); out.failedAfter = shown('.fa-times');
    out.iconFont = document.fonts.check('900 16px "Font Awesome 6 Free"');
    out.requests = performance.getEntriesByType('resource').map(e => e.name);
    out.text = document.body.innerText;
    const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 1500);
});
</script>"""
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: a page that needs a CDN breaks visibly
    "--virtual-time-budget=10000",  # let timers (the filter's fade) run before the DOM is dumped
]


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data Docs of a release whose k-anonymity check fails: passed and failed expectations on one page."""
    df = frame()
    small = df["年齢"].eq("90歳以上") & df["性別"].eq("女")
    keep = df.loc[small, "契約キー"].drop_duplicates().iloc[:2]  # 2 persons < k=4
    release = tmp_path_factory.mktemp("offline-docs") / "release"
    with pytest.raises(ValidationFailed):
        make_release(release, df[~small | df["契約キー"].isin(keep)].reset_index(drop=True))
    return release / "validation" / "docs"


def probe(page: Path, tmp: Path, edit=lambda s: s) -> dict:  # type: ignore[no-untyped-def]
    """Open a probed copy of ``page`` (beside it, so relative paths hold) and return the probe's report."""
    copy = page.with_name(page.stem + "-probe.html")
    copy.write_text(edit(page.read_text(encoding="utf-8")).replace("</body>", PROBE + "</body>"),
                    encoding="utf-8")
    args = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", "--dump-dom", copy.as_uri()]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    copy.unlink()
    match = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert match, f"no probe output; chromium stderr: {proc.stderr[-1500:]}"
    return json.loads(html.unescape(match.group(1)))


def _validation_page(docs: Path) -> Path:
    return next(docs.glob("validations/**/*.html"))


def test_validation_page_is_styled_and_its_filter_works(docs, tmp_path):
    report = probe(_validation_page(docs), tmp_path)
    assert report["requests"] == []  # nothing but file:// (which the Resource Timing API does not list)
    assert report["jquery"] == report["bootstrapTable"] == report["vegaEmbed"] == "function"
    assert report["bodyFont"].startswith("-apple-system")  # Bootstrap's reboot, not the browser default
    assert report["iconFont"] is True  # Font Awesome's solid face loaded from static/vendor
    assert report["filter"] is True
    assert report["failedShown"] >= 2 and report["passedShown"] > 10
    assert report["passedAfter"] == 0 and report["failedAfter"] == report["failedShown"]
    assert "Data asset: policyholders" in report["text"] and "__none__" not in report["text"]


def test_index_and_suite_pages_render_gx_tables_offline(docs, tmp_path):
    index = probe(docs / "index.html", tmp_path)
    assert index["requests"] == [] and index["tables"] >= 1
    assert index["bodyFont"].startswith("-apple-system")
    assert "policyholders" in index["text"] and "test-release" in index["text"]
    assert "__none__" not in index["text"] and "None" not in index["text"].split()
    suite = probe(next(docs.glob("expectations/**/*.html")), tmp_path)
    assert suite["requests"] == [] and suite["jquery"] == "function"
    assert suite["bodyFont"].startswith("-apple-system")


def test_control_a_cdn_url_would_be_seen(docs, tmp_path):
    """Put GX's original jQuery URL back: the probe reports the attempted request and the page breaks."""
    cdn = "https://code.jquery.com/jquery-3.7.1.min.js"
    local = r'src="[./]*static/vendor/jquery-3\.7\.1/jquery\.min\.js"'
    report = probe(_validation_page(docs), tmp_path, lambda s: re.sub(local, f'src="{cdn}"', s))
    assert report["requests"] == [cdn]
    assert report["jquery"] == "undefined"
