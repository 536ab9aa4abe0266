"""``anonymize register --moved RELEASE_ID NEW_DIR``: a release now lives elsewhere (checked identical)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.errors import RegisterError
from pipeline.release.register import append_event, events_for, read_register, withdrawn


def record_moved(register_path: Path | str, release_id: str, new_dir: Path | str) -> dict[str, Any]:
    """Append a ``moved`` event: the release now lives at ``new_dir`` (archived, copied to another share).

    Refused unless the release's ``created`` event exists and the folder at ``new_dir`` is identical to what
    that event recorded: ``manifest.json`` byte-identical, every file the manifest lists present with the
    recorded SHA-256 and no other file, so a move can never swap in different data or items. The register
    stays append-only: the event says where, ``publish`` reads the item list from the latest place.
    """
    from pipeline.publication.items import ITEMS_JSON
    from pipeline.publication.releases import sha256_file

    events = read_register(register_path)
    created = events_for(events, release_id, "created")
    if not created or release_id in withdrawn(events):
        raise RegisterError(f"{register_path}: no created event for release {release_id!r}")
    new = Path(new_dir).resolve()
    recorded = created[-1]
    manifest = new / "manifest.json"
    if not manifest.is_file():
        raise RegisterError(f"{new}: manifest.json is missing; not the release {release_id}")
    if sha256_file(manifest) != recorded.get("manifest_sha256"):
        raise RegisterError(f"{manifest} differs from what the register recorded for release {release_id} "
                            "(checksum); a moved release must be byte-identical")
    expected: dict[str, str] = dict(recorded.get("outputs") or {})
    on_disk = {p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file()} - {"manifest.json"}
    extra = sorted(on_disk - set(expected))
    if extra:
        raise RegisterError(f"{new}: {extra[0]} is not a file of release {release_id}; a moved release must "
                            "be byte-identical")
    for rel, digest in sorted(expected.items()):
        path = new / rel
        if not path.is_file() or sha256_file(path) != digest:
            raise RegisterError(f"{path} is missing or differs from what the register recorded for release "
                                f"{release_id} (checksum); a moved release must be byte-identical")
    event = {
        "event": "moved",
        "release_id": release_id,
        "release_dir": str(new),
        "item_list": {"file": ITEMS_JSON, "path": str(new / ITEMS_JSON),
                      "sha256": (recorded.get("item_list") or {}).get("sha256")},
    }
    return append_event(register_path, event)
