"""``anonymize provide``: the provision bundle for a third-party release (法43条4項, APPI.md §4).

Refused (no bundle at all) unless: the release's files match its manifest; its legal category is
匿名加工情報 and its audience ``third_party``; the register holds its ``created`` event (same manifest) and a
``published`` event for exactly its item list with its method of provision. The bundle's format (what is
in it, what is withheld, ``SHA256SUMS``) is defined in :mod:`pipeline.publication.bundle`.

Commit protocol (a bundle at ``OUT`` never exists without its register line, whatever kills the process):

1. the bundle is assembled and sealed (``SHA256SUMS``) in a temporary sibling ``.OUT.<random>``;
2. the ``provided`` event is appended, naming ``OUT`` and the SHA-256 of the sealed ``SHA256SUMS``;
3. the temporary directory is renamed to ``OUT`` (atomic on one file system).

A failure before 2 removes the temporary directory: no line, no bundle. Killed between 2 and 3 (kill -9,
power cut), the line is there and the sealed bundle waits beside ``OUT``: the next ``provide`` of the same
``OUT`` rolls it forward (renames it into place, after checking that its ``SHA256SUMS`` is the one the line
records and that every file matches it) instead of writing a second bundle and a second line. A temporary
directory no line names is the leftover of a run killed before 2; it is left alone and named in the error.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError, RegisterError, ReleaseExistsError, ValidationFailed
from pipeline.publication.bundle import BUNDLE_DIRS, BUNDLE_FILES, SUMS, read_sums, write_sums
from pipeline.publication.items import ITEMS_JSON, check_legal_category_doc
from pipeline.publication.notice import NOTICE_MD
from pipeline.publication.releases import sha256_file
from pipeline.release.faults import kill_point
from pipeline.release.manifest import Manifest, ManifestError
from pipeline.release.register import append_event, events_for, read_register


@dataclass(frozen=True)
class ProvideResult:
    bundle: Path
    release_id: str
    files: int
    #: True when this call completed a provision killed between its register line and its rename
    resumed: bool = False


def _verify_release(release: Path) -> Manifest:
    """The release's typed manifest, once every file it lists matches its checksum; a manifest of the wrong
    shape is refused naming the key (:meth:`Manifest.from_json`)."""
    try:
        doc = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationFailed(f"{release}: no manifest.json; not a release directory") from None
    except ValueError:
        raise ValidationFailed(f"{release}/manifest.json is not valid JSON") from None
    try:
        manifest = Manifest.from_json(doc)
    except ManifestError as exc:  # its message starts with "manifest.json: "
        raise ManifestError(f"{release}/{exc}") from None
    if not manifest.files:
        raise ValidationFailed(f"{release}/manifest.json lists no files and checksums")
    for rel, digest in manifest.files.items():
        path = release / rel
        if not path.is_file() or sha256_file(path) != digest:
            raise ValidationFailed(f"{release}: {rel} is missing or does not match its manifest checksum")
    return manifest


def _require_bundle_files(release: Path, manifest: Manifest) -> None:
    for name in BUNDLE_FILES[1:]:
        if name not in manifest.files:
            raise ValidationFailed(
                f"{release}: {name} is not part of the release; a third-party release made by "
                "`anonymize run` with audience third_party has it"
            )


def _check_register(register: Path | str, release: Path, rid: str, doc: dict[str, Any]) -> dict[str, Any]:
    events = read_register(register)
    manifest_sha = sha256_file(release / "manifest.json")
    created = [e for e in events_for(events, rid, "created") if e.get("manifest_sha256") == manifest_sha]
    if not created:
        raise RegisterError(
            f"{register}: release {rid} has no created event for this manifest; "
            "only releases made by `anonymize run` with this register can be provided"
        )
    if (created[-1].get("validation") or {}).get("success") is False:
        raise RegisterError(
            f"{register}: release {rid} is recorded with a failed validation; it cannot be provided"
        )
    items_sha = sha256_file(release / ITEMS_JSON)
    method = doc.get("provision_method")
    for e in reversed(events_for(events, rid, "published")):
        if e.get("items_sha256") == items_sha and method and e.get("provision_method") == method:
            return e
    raise RegisterError(
        f"{register}: release {rid}: no published event with its item list and method of provision; "
        "publish them first (`anonymize publish --site DIR`), 法43条4項"
    )


def provide(release: Path | str, out: Path | str, register: Path | str) -> ProvideResult:
    release, out = Path(release).resolve(), Path(out).resolve()
    manifest = _verify_release(release)
    doc = json.loads((release / ITEMS_JSON).read_text(encoding="utf-8"))
    rid = str(doc.get("release_id"))
    if rid != manifest.release_id:
        raise ValidationFailed(f"{release}: {ITEMS_JSON} and manifest.json name different releases")
    check_legal_category_doc(doc, rid)
    if doc.get("audience") != "third_party" or not doc.get("third_party_provision"):
        raise ConfigError(
            f"release {rid} was made for audience {doc.get('audience')!r}; only a release made with "
            "release.audience: third_party (items and method of provision published) can be provided"
        )
    _require_bundle_files(release, manifest)
    published = _check_register(register, release, rid, doc)
    if out.exists():
        raise ReleaseExistsError(f"{out} already exists; a bundle is never overwritten")
    out.parent.mkdir(parents=True, exist_ok=True)
    resumed = _roll_forward(out, register, rid)
    if resumed is not None:
        return resumed
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name in BUNDLE_FILES:
            shutil.copy2(release / name, tmp / name)
        for name in BUNDLE_DIRS:
            if (release / name).is_dir():
                shutil.copytree(release / name, tmp / name)
        sums = {p.relative_to(tmp).as_posix(): sha256_file(p) for p in tmp.rglob("*") if p.is_file()}
        write_sums(tmp, sums)
        tmp.chmod(0o755)
        append_event(
            register,
            {
                "event": "provided",
                "release_id": rid,
                "dataset_name": doc["dataset_name"],
                "legal_category": doc["legal_category"],
                "audience": doc["audience"],
                "recipient_category": doc.get("recipient_category"),
                "provision_method": doc.get("provision_method"),
                "published_seq": published.get("seq"),
                "bundle_dir": str(out),
                "sha256sums_sha256": sha256_file(tmp / SUMS),
                "notice_sha256": sha256_file(tmp / NOTICE_MD),
                "files": len(sums),
            },
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    kill_point("provide-appended")
    tmp.rename(out)
    return ProvideResult(bundle=out, release_id=rid, files=len(sums))


def _roll_forward(out: Path, register: Path | str, rid: str) -> ProvideResult | None:
    """The sealed bundle of a provision killed between its line and its rename, renamed into place; None if
    there is none. Only a temporary sibling whose ``SHA256SUMS`` is the one a ``provided`` line of this
    release records for ``out``, and whose every file matches it, is taken (see the module docstring)."""
    lines = [e for e in read_register(register) if e.get("event") == "provided"
             and e.get("release_id") == rid and e.get("bundle_dir") == str(out)]
    if not lines:
        return None
    recorded = {str(e.get("sha256sums_sha256")) for e in lines}
    for tmp in sorted(out.parent.glob(f".{out.name}.*")):
        sums_file = tmp / SUMS
        if not tmp.is_dir() or tmp.is_symlink() or not sums_file.is_file():
            continue
        if sha256_file(sums_file) not in recorded or not _matches_sums(tmp):
            continue
        tmp.rename(out)
        return ProvideResult(bundle=out, release_id=rid, files=len(read_sums(out)[0]), resumed=True)
    return None


def _matches_sums(folder: Path) -> bool:
    """Every file of ``folder`` is listed in its ``SHA256SUMS`` with its digest; every listed file exists."""
    listed, problems = read_sums(folder)
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {SUMS}
    return not problems and present == set(listed) and all(sha256_file(folder / n) == d
                                                           for n, d in listed.items())
