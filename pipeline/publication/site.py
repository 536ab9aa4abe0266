"""The static publication site (``anonymize publish --site DIR``): an index, newest first, and one page per
dataset, rendered from the checksum-verified item documents. Plain HTML + inline CSS, no JavaScript, so it
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
from pipeline.publication.html import esc, page
from pipeline.publication.releases import RegisteredRelease
from pipeline.publication.render_items import html_section

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
        rows.append(
            "<tr>"
            f"<td>{esc(d['created_date_ja'])}</td>"
            f'<td><a href="{esc(dataset_page_path(r.release_id))}">{esc(d["dataset_name"])}</a></td>'
            f"<td>{esc('あり(' + str(d['recipient_category']) + ')' if third else 'なし')}</td>"
            f"<td>{esc(d['provision_method'] if third else '—')}</td>"
            f"<td>{esc('あり' if d['continuous'] else 'なし')}</td>"
            "</tr>"
        )
    contacts = sorted({str(r.items.get("contact") or "") for r in releases} - {""})
    body = "\n".join(
        [
            "<main>",
            f"<h1>{esc(SITE_TITLE)}</h1>",
            "<p>個人情報の保護に関する法律第43条第3項及び第4項に基づき、当社が作成した匿名加工情報に含まれる個人に"
            "関する情報の項目、第三者への提供の有無及び提供の方法を公表します。新しいものから順に掲載しています。</p>",
            "<table>",
            "<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in INDEX_HEADINGS) + "</tr></thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
            "<h2>苦情・問い合わせ窓口</h2>",
            "<ul>" + "".join(f"<li>{esc(c)}</li>" for c in contacts) + "</ul>"
            if contacts
            else "<p>(未設定)</p>",
            f'<p class="note">掲載件数: {len(releases)}件 / 最終更新: {esc(wareki.both(today))}</p>',
            f'<p class="note">作成台帳の確認値: 第{anchor["seq"]}行 SHA-256 {esc(anchor["checksum"])}</p>'
            if anchor and anchor.get("seq")
            else "",
            "</main>",
        ]
    )
    return page(SITE_TITLE, body)


def _dataset(r: RegisteredRelease) -> str:
    nav = f'<nav><a href="../index.html">{esc(SITE_TITLE)}(一覧)へ戻る</a></nav>'
    return page(
        f"{r.items['dataset_name']} | {SITE_TITLE}", f"{nav}\n<main>\n{html_section(r.items)}\n</main>"
    )


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
