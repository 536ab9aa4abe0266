"""GX's Data Docs, whole, with every asset they load from the internet served from the release instead.

GX's page templates load Bootstrap, jQuery, bootstrap-table, popper, bootstrap-datepicker, bootstrap-dark,
Font Awesome and Vega from CDNs, and GX's logo from its S3 bucket with a per-view time stamp and the
context id in the query string. Offline (an auditor's laptop, a recipient's locked-down machine) such a page
is unstyled and its filters are dead; online, opening a release tells third parties that someone opened it.
Here the same files, at the versions the templates name, ship in the package (``vendor/``, from the npm
registry with their licences: ``tools/vendor-data-docs-assets``), are copied into the site's
``static/vendor/`` and the pages' URLs are rewritten to relative paths. Nothing else of GX's page changes,
except two attributes that cannot work on ``file://``: ``integrity`` / ``crossorigin`` (a cross-origin
check against an opaque file origin fails); the integrity hashes are checked against the vendored files by
the tests instead.

An external asset this table does not know (a GX upgrade that moves a URL) is removed from the page rather
than loaded from the internet; ``tests/validation/test_docs_assets.py`` fails on it first.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).with_name("vendor")
#: CDN URL in GX's templates (query string ignored) → file under ``vendor/`` (copied to ``static/vendor/``).
ASSETS: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap-4.3.1/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap-4.3.1/js/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js-1.12.9/umd/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table-1.19.1/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table-1.19.1/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table-1.19.0/extensions/filter-control/bootstrap-table-filter-control.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table-1.19.0/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker-1.9.0/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker-1.9.0/js/bootstrap-datepicker.min.js",
    # the minified build of the same file (the template names the 880 kB unminified one)
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark-1.1.0/css/bootstrap-prefers-dark.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fontawesome-free-6.6.0/css/all.min.css",
    # `@5` / `@6`: the newest 5.x / 6.x when vendored (vendor/SOURCES.md), the package's browser build
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.33.1/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.23.0/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.29.0/vega-embed.min.js",
}
#: GX's images on its S3 bucket → the copies GX itself ships in ``static/images/`` (the dark-mode logo has
#: no local copy: the light one stands in).
_S3 = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
IMAGES: dict[str, str] = {_S3 + "logo-long.png": "logo-long.png", _S3 + "full_logo_dark.png": "logo-long.png"}
#: GX's own files the pages use; the rest of GX's ``static/`` (3-4 MB of fonts and GIFs, and copies of the
#: stylesheets the pages inline) is removed.
KEPT_IMAGES = frozenset({"favicon.ico", "logo-long.png"})

_TAG = re.compile(r"<script\b[^>]*>\s*</script>|<(?:link|img)\b[^>]*>", re.I)  # scripts with a src are empty
_URL_ATTR = re.compile(r'(?<![\w-])(src|href)="([^"]*)"', re.I)
_CSS_URL = re.compile(r"""url\((['"]?)(https?://[^'")]+)\1\)""", re.I)
_SRI = re.compile(r'\s+(?:integrity|crossorigin)="[^"]*"', re.I)
_LOCAL_STATIC = re.compile(r"^(?:\./|(?:\.\./)+)?static/")
_EXTERNAL = re.compile(r"^(?:https?:)?//", re.I)


def page_prefix(document: Any) -> str:
    """The path from a page to the site root, from where GX writes it: ``validations/<suite as
    folders>/<run name>/<run time>/<batch>.html``, ``expectations/<suite as folders>.html``, ``index.html``
    (GX's own templates disagree on the validation pages' depth: the favicon link is one level short)."""
    doc = document.to_json_dict() if hasattr(document, "to_json_dict") else dict(document or {})
    kind = str(doc.get("renderer_type") or "")
    dots = str(doc.get("expectation_suite_name") or "").count(".")
    if "ValidationResults" in kind or "ProfilingResults" in kind:
        return "../" * (dots + 4)
    if "ExpectationSuite" in kind:
        return "../" * (dots + 1)
    return ""


def _local(url: str, prefix: str) -> str | None:
    """The relative URL serving ``url`` from the site, or None for an external URL we do not ship."""
    bare = url.split("?", 1)[0]
    if bare in ASSETS:
        return f"{prefix}static/vendor/{ASSETS[bare]}"
    if bare in IMAGES:
        return f"{prefix}static/images/{IMAGES[bare]}"
    if _LOCAL_STATIC.match(url):
        return prefix + _LOCAL_STATIC.sub("static/", url)
    return None if _EXTERNAL.match(url) else url


def localise(html: str, prefix: str) -> str:
    """Rewrite the asset URLs of one GX page (``<script src>``, ``<link href>``, ``<img src>``, CSS
    ``url()``) to the site's copies; drop an asset tag that would still load from the internet."""

    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        found = _URL_ATTR.search(text)
        if not found:
            return text
        local = _local(found.group(2), prefix)
        if local is None:
            return ""
        if local == found.group(2):
            return text
        text = text[: found.start(2)] + local + text[found.end(2):]
        return _SRI.sub("", text)

    def css(match: re.Match[str]) -> str:
        local = _local(match.group(2), prefix)
        return f"url('{local}')" if local else "none"

    return _CSS_URL.sub(css, _TAG.sub(tag, html))


def install_static(docs_dir: Path) -> None:
    """Give the built site its assets: the vendored files (with their licences and SOURCES.md) under
    ``static/vendor/``, and of GX's own static files only those the pages use."""
    static = Path(docs_dir) / "static"
    shutil.rmtree(static / "fonts", ignore_errors=True)
    shutil.rmtree(static / "styles", ignore_errors=True)  # the pages inline GX's styles; copies unused
    for image in (static / "images").glob("*"):
        if image.name not in KEPT_IMAGES:
            image.unlink()
    shutil.copytree(VENDOR, static / "vendor", dirs_exist_ok=True)
