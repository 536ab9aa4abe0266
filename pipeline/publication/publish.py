"""``anonymize publish``: render every registered release into the static site, then record ``published``.

A ``published`` event is appended once per release and site location (re-running publish to refresh the
index does not repeat it), with the item labels, their checksum and, for a third-party release, the method
of provision: the precondition ``provide`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.publication.items import check_legal_category_doc
from pipeline.publication.releases import RegisteredRelease, registered_releases, sha256_file
from pipeline.publication.site import dataset_page_path, render_site
from pipeline.release.register import append_event, head, read_register


@dataclass(frozen=True)
class PublishResult:
    site: Path
    releases: int
    new_events: int


def published_event(r: RegisteredRelease, site: Path, anchor: dict[str, Any] | None = None) -> dict[str, Any]:
    d = r.items
    third = bool(d["third_party_provision"])
    page = dataset_page_path(r.release_id)
    return {
        "event": "published",
        "release_id": r.release_id,
        "dataset_name": d["dataset_name"],
        "legal_category": d["legal_category"],
        "audience": d["audience"],
        "third_party_provision": third,
        "recipient_category": d.get("recipient_category") if third else None,
        "provision_method": d.get("provision_method") if third else None,
        "continuous": d["continuous"],
        "contact": d.get("contact", ""),
        "items": [i["label"] for i in d["items"]],
        "items_sha256": r.items_sha256,
        "site": str(site),
        "page": page,
        "page_sha256": sha256_file(site / page),
        "register_anchor": anchor,
    }


def publish(site: Path | str, register: Path | str) -> PublishResult:
    site = Path(site).resolve()
    events = read_register(register)
    releases = registered_releases(events, register)
    for r in releases:
        check_legal_category_doc(r.items, r.release_id)
    anchor = {"file": Path(register).name, **head(events)}
    render_site(releases, site, anchor=anchor)
    done = {
        (e["release_id"], e.get("site"), e.get("items_sha256"))
        for e in events
        if e.get("event") == "published"
    }
    new = 0
    for r in reversed(releases):  # oldest first, so the register reads in creation order
        if (r.release_id, str(site), r.items_sha256) in done:
            continue
        append_event(register, published_event(r, site, anchor))
        new += 1
    return PublishResult(site=site, releases=len(releases), new_events=new)
