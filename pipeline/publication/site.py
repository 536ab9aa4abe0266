"""The static publication site (``anonymize publish --site DIR``): an index, newest first, and one page per
dataset, rendered from the checksum-verified item documents (templates ``site_index.html.j2``,
``site_dataset.html.j2``). Plain HTML + inline CSS, no JavaScript, so it
can be copied onto the insurer's web server as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pipeline.errors import ReleaseExistsError
from pipeline.publication import wareki
from pipeline.publication.releases import RegisteredRelease
from pipeline.publication.render_items import html_view
from pipeline.templates import render_html

MARKER = ".anonymize-site"
SITE_HEAD = "register-head.json"  # the register's head when the site was rendered (publication.anchors)
SITE_TITLE = "匿名加工情報に関する公表事項"
INDEX_HEADINGS = ("作成日", "匿名加工情報の名称", "第三者提供", "提供の方法", "継続的な作成")


def dataset_page_path(release_id: str) -> str:
    return f"datasets/{release_id}.html"


def _index(releases: list[RegisteredRelease], today: dt.date, anchor: dict[str, Any] | None = None) -> str:
    rows = []
    for r in releases:
        d = r.items
        third = bool(d["third_party_provision"])
        rows.append({
            "created": d["created_date_ja"],
            "href": dataset_page_path(r.release_id),
            "name": d["dataset_name"],
            "third_party": f"あり({d['recipient_category']})" if third else "なし",
            "method": d["provision_method"] if third else "—",
            "continuous": "あり" if d["continuous"] else "なし",
        })
    contacts = sorted({str(r.items.get("contact") or "") for r in releases} - {""})
    return render_html("site_index.html.j2", title=SITE_TITLE, site_title=SITE_TITLE, headings=INDEX_HEADINGS,
                       rows=rows, contacts=contacts, updated=wareki.both(today),
                       anchor=anchor if anchor and anchor.get("seq") else None)


def _dataset(r: RegisteredRelease) -> str:
    return render_html("site_dataset.html.j2", title=f"{r.items['dataset_name']} | {SITE_TITLE}",
                       site_title=SITE_TITLE, view=html_view(r.items))


def render_site(releases: list[RegisteredRelease], site: Path, today: dt.date | None = None,
                anchor: dict[str, Any] | None = None) -> list[Path]:
    """Write the whole site to a temporary sibling, then swap it in: readers never see half a site.
    Refuses to replace a directory that is not a site made by this command. ``anchor`` (the register's head,
    :mod:`pipeline.publication.anchors`) is published as ``register-head.json`` and in the index's footer."""
    site = Path(site)
    if site.exists() and (not site.is_dir() or (any(site.iterdir()) and not (site / MARKER).is_file())):
        raise ReleaseExistsError(
            f"{site} exists and is not a site written by `anonymize publish`; "
            "choose another --site or remove it"
        )
    site.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}.", dir=site.parent))
    try:
        (tmp / "datasets").mkdir()
        (tmp / MARKER).write_text(
            "written by anonymize publish; replaced as a whole on every run\n", encoding="utf-8"
        )
        (tmp / "index.html").write_text(_index(releases, today or dt.date.today(), anchor), encoding="utf-8")
        if anchor is not None:
            (tmp / SITE_HEAD).write_text(json.dumps(anchor, sort_keys=True) + "\n", encoding="utf-8")
        for r in releases:
            (tmp / dataset_page_path(r.release_id)).write_text(_dataset(r), encoding="utf-8")
        os.chmod(tmp, 0o755)
        old = None
        if site.exists():
            old = site.parent / f"{tmp.name}.old"
            site.rename(old)
        tmp.rename(site)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [site / "index.html", *(site / dataset_page_path(r.release_id) for r in releases)]
