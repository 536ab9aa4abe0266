"""The release register auditors review: ``register.jsonl``, append-only, one sealed JSON line per event.

Events: ``created`` (by ``anonymize run``), ``published`` (by ``anonymize publish``), ``provided`` (by
``anonymize provide``). Default location ``out/register.jsonl`` relative to the working directory
(:data:`DEFAULT_REGISTER`); every command takes ``--register PATH``.

Why each line is sealed: an auditor must be able to trust the file without trusting the machine. Every line
carries ``seq`` (its 1-based line number), ``prev`` (the previous line's checksum) and ``checksum`` (SHA-256
of the line's own canonical JSON without ``checksum``), so an altered, removed or reordered line is found.
Appending takes an exclusive ``fcntl`` lock (two runs at once lose no line), verifies the whole file first
(never appends after a torn or altered line) and ``fsync``s. A crash mid-write leaves a last line without
its newline: it is reported as :class:`RegisterError`, never silently accepted or repaired.

The register holds checksums, counts and paths only; no value from the data, no key, seed or mapping.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from pipeline.errors import RegisterError

DEFAULT_REGISTER = Path("out/register.jsonl")
EVENTS: tuple[str, ...] = ("created", "published", "provided", "moved")
LOCK_TIMEOUT_S = 60.0
_SEAL_KEYS = ("seq", "prev", "checksum")


def _canonical(obj: Any) -> bytes:
    return json.dumps(
        obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default
    ).encode()


def _default(obj: Any) -> Any:
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, dt.datetime | dt.date):
        return obj.isoformat()
    raise TypeError(f"register events hold JSON values only, found {type(obj).__name__}")


def _checksum(body: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical({k: v for k, v in body.items() if k != "checksum"})).hexdigest()


def now() -> str:
    """Event time: UTC, seconds, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def parse_register(data: bytes, path: Path | str = "register") -> list[dict[str, Any]]:
    """Verify and decode the register's bytes: every line complete, valid, sealed and chained."""
    if not data:
        return []
    lines = data.split(b"\n")
    if lines[-1] != b"":
        raise RegisterError(
            f"{path}: line {len(lines)} is incomplete (no newline at its end): a write was interrupted. "
            "Nothing was appended; an administrator must check and repair the register by hand"
        )
    events: list[dict[str, Any]] = []
    prev = ""
    for number, raw in enumerate(lines[:-1], start=1):
        try:
            event = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise RegisterError(f"{path}: line {number} is not valid JSON (torn or altered line)") from None
        if not isinstance(event, dict) or not all(k in event for k in _SEAL_KEYS):
            raise RegisterError(f"{path}: line {number} is not a sealed register event")
        if event["checksum"] != _checksum(event):
            raise RegisterError(f"{path}: line {number}: checksum mismatch, the line was altered")
        if event["seq"] != number or event["prev"] != prev:
            raise RegisterError(
                f"{path}: line {number}: sequence broken, a line was removed, added or reordered"
            )
        prev = event["checksum"]
        events.append(event)
    return events


def read_register(path: Path | str) -> list[dict[str, Any]]:
    """All events, oldest first; ``[]`` when the register does not exist yet. Raises on any corruption."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise RegisterError(f"{p}: cannot read the register ({exc.strerror})") from None
    return parse_register(data, p)


def _lock(fd: int, path: Path) -> None:
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise RegisterError(f"{path}: locked by another run for over {LOCK_TIMEOUT_S:.0f}s") from None
            time.sleep(0.02)


def append_event(register_path: Path | str, event: dict[str, Any]) -> None:
    """Append one event under an exclusive lock, after verifying every line already there; fsync."""
    path = Path(register_path)
    kind = event.get("event")
    if kind not in EVENTS:
        raise RegisterError(f"{path}: unknown event {kind!r}; allowed: {', '.join(EVENTS)}")
    if not isinstance(event.get("release_id"), str) or not event["release_id"]:
        raise RegisterError(f"{path}: a {kind} event needs a release_id")
    if any(k in event for k in _SEAL_KEYS):
        raise RegisterError(f"{path}: {', '.join(_SEAL_KEYS)} are set by the register, not by the caller")
    body = {"time": now(), **event}
    try:
        _canonical(body)
    except TypeError as exc:
        raise RegisterError(f"{path}: {exc}") from None
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        _lock(fd, path)
        with os.fdopen(os.dup(fd), "rb") as f:
            existing = parse_register(f.read(), path)
        body["seq"] = len(existing) + 1
        body["prev"] = existing[-1]["checksum"] if existing else ""
        body["checksum"] = _checksum(body)
        line = _canonical(body) + b"\n"
        written = os.write(fd, line)
        if written != len(line):
            raise RegisterError(f"{path}: short write ({written} of {len(line)} bytes); check the disk")
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def events_for(
    events: list[dict[str, Any]], release_id: str, kind: str | None = None
) -> list[dict[str, Any]]:
    return [
        e for e in events if e.get("release_id") == release_id and (kind is None or e.get("event") == kind)
    ]


def record_created(
    register_path: Path | str, candidate: Any, release_dir: Path, manifest: dict[str, Any]
) -> None:
    """Append the ``created`` event of a release just renamed into place (called by ``pipeline.run``)."""
    from pipeline.publication.created import created_event

    append_event(register_path, created_event(candidate, Path(release_dir), manifest))


def record_moved(register_path: Path | str, release_id: str, new_dir: Path | str) -> dict[str, Any]:
    """Append a ``moved`` event: the release now lives at ``new_dir`` (archived, copied to another share).

    Refused unless the release's ``created`` event exists and the manifest and item list at ``new_dir`` are
    byte-identical to what that event recorded, so a move can never swap in different data or items. The
    register stays append-only: the event says where, ``publish`` reads the item list from the latest place.
    """
    from pipeline.publication.items import ITEMS_JSON
    from pipeline.publication.releases import sha256_file

    events = read_register(register_path)
    created = events_for(events, release_id, "created")
    if not created:
        raise RegisterError(f"{register_path}: no created event for release {release_id!r}")
    new = Path(new_dir).resolve()
    recorded = created[-1]
    for name, expected in (("manifest.json", recorded.get("manifest_sha256")),
                           (ITEMS_JSON, (recorded.get("item_list") or {}).get("sha256"))):
        path = new / name
        if not path.is_file():
            raise RegisterError(f"{new}: {name} is missing; not the release {release_id}")
        if expected and sha256_file(path) != expected:
            raise RegisterError(f"{path} differs from what the register recorded for release {release_id} "
                                "(checksum); a moved release must be byte-identical")
    event = {
        "event": "moved",
        "release_id": release_id,
        "release_dir": str(new),
        "item_list": {"file": ITEMS_JSON, "path": str(new / ITEMS_JSON),
                      "sha256": (recorded.get("item_list") or {}).get("sha256")},
    }
    append_event(register_path, event)
    return event
