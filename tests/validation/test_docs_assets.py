"""Data Docs assets without a browser: every CDN URL of GX's installed templates has its vendored file at
the version the template names (integrity hashes checked), with a licence; a written release's pages load
nothing from outside the docs folder, every reference resolves inside it, and nothing says ``__none__``."""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import re
import tomllib
from pathlib import Path

import great_expectations
import pytest

from pipeline.errors import ValidationFailed
from pipeline.validation.docs.assets import ASSETS, IMAGES, VENDOR, localise, page_prefix
from tests.validation.release_factory import frame, make_release

ROOT = Path(__file__).resolve().parents[2]
GX_VIEW = Path(great_expectations.__file__).parent / "render" / "view"
_CDN = re.compile(r"""(?:src|href)="(https?://[^"]+)"|url\(['"]?(https?://[^'")]+)""")
_ASSET_REF = re.compile(r'<(?:script|link|img)\b[^>]*?(?<![\w-])(?:src|href)="([^"]+)"'
                        r"""|url\(['"]?([^'")]+)""", re.I)


def _gx_asset_urls() -> set[str]:
    """Every external asset GX's page templates and default stylesheet load (not plain links)."""
    urls = set()
    files = [*GX_VIEW.joinpath("templates").glob("*.j2"), *GX_VIEW.joinpath("static", "styles").glob("*.css")]
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "<a " in line:
                continue
            for match in _CDN.finditer(line):
                urls.add(match.group(1) or match.group(2))
    return urls


def test_every_cdn_asset_of_gx_templates_is_vendored() -> None:
    known = set(ASSETS) | set(IMAGES)
    urls = _gx_asset_urls()
    assert len(urls) >= 17
    assert urls <= known, f"GX references assets we do not ship: {sorted(urls - known)}"
    for path in ASSETS.values():
        assert (VENDOR / path).is_file(), path


@pytest.mark.parametrize(("url", "path"), sorted(ASSETS.items()))
def test_vendored_version_is_the_templates(url: str, path: str) -> None:
    version = re.search(r"[@/-](\d+(?:\.\d+)*)(?:/|$|\.min)", url.replace(".min.js", "/")).group(1)
    folder = path.split("/", 1)[0]
    assert folder.endswith(f"-{version}") or folder.rsplit("-", 1)[1].startswith(f"{version}."), (url, folder)


def test_integrity_hashes_of_gx_templates_match_the_vendored_files() -> None:
    """GX pins popper and Bootstrap's JavaScript by SRI hash: the vendored files are those bytes."""
    imports = GX_VIEW.joinpath("templates", "js_script_imports.j2").read_text(encoding="utf-8")
    pinned = re.findall(r'src="([^"]+)" integrity="sha384-([^"]+)"', imports)
    assert len(pinned) == 2
    for url, digest in pinned:
        data = (VENDOR / ASSETS[url]).read_bytes()
        assert base64.b64encode(hashlib.sha384(data).digest()).decode() == digest, url


def test_each_vendored_package_has_its_licence_and_source() -> None:
    sources = (VENDOR / "SOURCES.md").read_text(encoding="utf-8")
    folders = {p.split("/", 1)[0] for p in ASSETS.values()}
    for folder in folders:
        licences = [p for p in (VENDOR / folder).iterdir() if p.name.upper().startswith("LICENSE")]
        assert licences and licences[0].stat().st_size > 500, folder
        assert f"@{folder.rsplit('-', 1)[1]}`" in sources, folder


def test_vendored_stylesheets_reference_only_vendored_files() -> None:
    """Font Awesome's ``src: url(x.woff2) format("woff2"), url(x.ttf)``: the TrueType fallback is not
    shipped (a browser that runs Bootstrap 4 takes the woff2 and never asks for it); all else resolves."""
    for css in VENDOR.rglob("*.css"):
        for ref in re.findall(r"""url\(['"]?([^'")]+)""", css.read_text(encoding="utf-8")):
            if ref.startswith("data:"):
                continue
            target = (css.parent / ref.split("?")[0].split("#")[0]).resolve()
            if target.suffix == ".ttf":
                target = target.with_suffix(".woff2")
            assert target.is_file(), (css.name, ref)


def test_the_wheel_carries_the_vendored_files() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = data["package-data"]["pipeline.validation.docs"]
    package = VENDOR.parent
    for path in VENDOR.rglob("*"):
        if path.is_file():
            rel = path.relative_to(package).as_posix()
            assert any(fnmatch.fnmatch(rel, p) for p in patterns), rel


def test_unknown_external_asset_is_dropped_not_loaded() -> None:
    html = ('<script src="https://cdn.example/x.js"></script>'
            '<link rel="stylesheet" href="//cdn.example/y.css"><img src="https://cdn.example/z.png"><style>a{background:url("https://cdn.example/b.png")}</style>'
            '<a href="https://example.org/">link</a><script src="https://code.jquery.com/jquery-3.7.1.min.js"'
            ' integrity="sha384-x" crossorigin="anonymous"></script>')
    out = localise(html, "../../")
    assert "cdn.example" not in out
    assert '<a href="https://example.org/">' in out  # a link is not a request
    assert '<script src="../../static/vendor/jquery-3.7.1/jquery.min.js"></script>' in out


def test_page_prefix_follows_gx_layout() -> None:
    assert page_prefix({"renderer_type": "SiteIndexPageRenderer"}) == ""
    suite = "appi.internal.policyholders"
    assert page_prefix({"renderer_type": "ExpectationSuitePageRenderer",
                        "expectation_suite_name": suite}) == "../" * 3
    assert page_prefix({"renderer_type": "ValidationResultsPageRenderer",
                        "expectation_suite_name": suite}) == "../" * 6


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release whose k-anonymity check fails: GX's pages with passed and failed expectations."""
    df = frame()
    small = df["年齢"].eq("90歳以上") & df["性別"].eq("女")
    keep = df.loc[small, "契約キー"].drop_duplicates().iloc[:2]  # 2 persons < k=4
    release = tmp_path_factory.mktemp("docs") / "release"
    with pytest.raises(ValidationFailed):
        make_release(release, df[~small | df["契約キー"].isin(keep)].reset_index(drop=True))
    return release / "validation" / "docs"


def test_written_pages_load_nothing_from_outside(docs: Path) -> None:
    pages = sorted(docs.rglob("*.html"))
    assert len(pages) == 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script" in html and "bootstrap-table" in html  # GX's page, scripts and all
        refs = [a or b for a, b in _ASSET_REF.findall(html)]
        assert len(refs) > 15, page.name
        for ref in refs:
            assert not re.match(r"(https?:)?//", ref), (page.name, ref)
            target = (page.parent / ref.split("?")[0]).resolve()
            assert target.is_file() and docs.resolve() in target.parents, (page.name, ref)
        assert "integrity=" not in html and "crossorigin=" not in html


def test_names_are_meaningful(docs: Path) -> None:
    paths = [p.relative_to(docs).as_posix() for p in docs.rglob("*.html")]
    assert not [p for p in paths if "__none__" in p]
    validation = next(docs.glob("validations/**/*.html"))
    assert "/test-release/" in validation.as_posix()  # the run is named after the release id
    html = validation.read_text(encoding="utf-8")
    assert "__none__" not in html and "Data asset: None" not in html
    assert "Data asset: policyholders<br>" in html
    assert ">Validations / appi.internal.policyholders / policyholders / test-release / " in html  # title
    assert "__none__" not in (docs / "index.html").read_text(encoding="utf-8")


def test_static_keeps_only_what_pages_use(docs: Path) -> None:
    static = docs / "static"
    assert sorted(p.name for p in (static / "images").iterdir()) == ["favicon.ico", "logo-long.png"]
    assert not (static / "fonts").exists() and not (static / "styles").exists()
    size = sum(p.stat().st_size for p in static.rglob("*") if p.is_file())
    assert size < 2_600_000, size  # per release; Vega's 830 kB included
