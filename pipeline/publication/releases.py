"""Releases as the register knows them, with their published item documents verified against it.

Both ``publish`` and ``provide`` go through here so that a published page or a bundle is only ever made
from item lists whose checksum matches what the ``created`` event recorded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.checksum import sha256_file
from pipeline.errors import RegisterError
from pipeline.release.register import withdrawn

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class RegisteredRelease:
    release_id: str
    created: dict[str, Any]
    #: The published item document (``published_items.json``), checksum-verified.
    items: dict[str, Any]
    items_sha256: str

    @property
    def created_at(self) -> str:
        return str(self.items.get("created_at") or self.created.get("created_at") or "")


def safe_id(release_id: str) -> str:
    """Release ids become file names on the site; refuse anything that is not a plain token."""
    if not _SAFE_ID.match(release_id):
        raise RegisterError(f"release id {release_id!r} is not a plain token usable as a page name")
    return release_id


def load_items(created: dict[str, Any], register: Path | str) -> tuple[dict[str, Any], str]:
    """The item document a ``created`` event points to, refused if missing or changed since creation."""
    rid = created.get("release_id")
    where = created.get("item_list", {}) or {}
    path = Path(str(where.get("path") or Path(str(created.get("release_dir", ""))) / "published_items.json"))
    if not path.is_file():
        raise RegisterError(
            f"{register}: release {rid}: its item list {path} is missing (release moved or deleted?); "
            "restore it where the register says, or record where it went: "
            f"anonymize register --moved {rid} DIR"
        )
    digest = sha256_file(path)
    if where.get("sha256") and digest != where["sha256"]:
        raise RegisterError(
            f"{register}: release {rid}: {path} changed since the release was created "
            "(checksum differs from the register)"
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise RegisterError(f"{register}: release {rid}: {path} is not valid JSON") from None
    if doc.get("release_id") != rid:
        raise RegisterError(f"{register}: release {rid}: {path} belongs to another release")
    return doc, digest


def registered_releases(events: list[dict[str, Any]], register: Path | str) -> list[RegisteredRelease]:
    """Every created release, newest first (by creation time, then register order)."""
    latest: dict[str, tuple[int, dict[str, Any]]] = {}
    moved: dict[str, dict[str, Any]] = {}  # the latest ``moved`` event after the created one
    for i, e in enumerate(events):
        if e.get("event") == "created":
            latest[str(e["release_id"])] = (i, e)
            moved.pop(str(e["release_id"]), None)
        elif e.get("event") == "moved" and str(e.get("release_id")) in latest:
            moved[str(e["release_id"])] = e
    out = []
    gone = withdrawn(events)  # abandoned after its created line: rolled back, not a release
    for rid, (_, created) in latest.items():
        if rid in gone:
            continue
        safe_id(rid)
        where = created
        if rid in moved:
            where = {
                **created,
                "release_dir": moved[rid]["release_dir"],
                "item_list": moved[rid]["item_list"],
            }
        doc, digest = load_items(where, register)
        out.append(
            (created.get("created_at", ""), latest[rid][0], RegisteredRelease(rid, created, doc, digest))
        )
    out.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [r for _, _, r in out]
