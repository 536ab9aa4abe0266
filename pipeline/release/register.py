"""The release register auditors review: ``register.jsonl``, append-only, one sealed JSON line per event.

Events: ``pending`` then ``created`` or ``abandoned`` (by ``anonymize run``, see
:mod:`pipeline.release.commit`), ``published`` (by ``anonymize publish``), ``provided`` (by ``anonymize
provide``), ``moved`` (``anonymize register --moved``). Default location ``out/register.jsonl`` relative to
the working directory (:data:`DEFAULT_REGISTER`); every command takes ``--register PATH``.

Why each line is sealed: an auditor must be able to trust the file without trusting the machine. Every line
carries ``seq`` (its 1-based line number), ``prev`` (the previous line's checksum) and ``checksum`` (SHA-256
of the line's own canonical JSON without ``checksum`` and ``hmac``), so an altered, removed or reordered
line is found. A chain alone can be recomputed by whoever can write the file; two things make that
detectable (:mod:`pipeline.publication.anchors`): every release's manifest and the published site carry the
register's head (``seq`` and ``checksum`` of its last line) at the time, and, when the insurer keeps a key
outside the register (``ANONYMIZE_REGISTER_KEY`` = path of a key file), every line also carries
``hmac`` = HMAC-SHA256 over its canonical JSON, which nobody without the key can recompute.

Appending takes an exclusive ``fcntl`` lock (two runs at once lose no line), verifies the whole file first
(never appends after a torn or altered line), writes one line and ``fsync``s. A failed or interrupted
write (full disk, a signal) is cut off again (``ftruncate`` to the size before), so the file never keeps
half a line from a failure the process saw. Only a crash mid-write (kill -9, power loss) can leave a last
line without its newline: it is reported as :class:`RegisterError`, never silently accepted; ``anonymize
register --repair`` cuts it off (keeping its bytes in a side file) because an incomplete line was never a
committed event.

The register holds checksums, counts and paths only; no value from the data, no key, seed or mapping.

Why it lives in ``release/``: the commit protocol (:mod:`pipeline.release.commit`) appends to it, and every
publication step (publish, provide, moved, anchors) and ``verify --register`` read it; it needs only
:mod:`pipeline.errors` and :mod:`pipeline.release.faults`, so below publication it serves all of them
without an import cycle. What goes *into* a ``created`` line is publication's
(:mod:`pipeline.publication.created`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import RegisterError
from pipeline.release.faults import armed, kill_point

DEFAULT_REGISTER = Path("out/register.jsonl")
EVENTS: tuple[str, ...] = ("pending", "created", "abandoned", "published", "provided", "moved")
LOCK_TIMEOUT_S = 60.0
KEY_ENV = "ANONYMIZE_REGISTER_KEY"
_SEAL_KEYS = ("seq", "prev", "checksum")
_SET_BY_REGISTER = (*_SEAL_KEYS, "hmac")


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
    sealed = {k: v for k, v in body.items() if k not in ("checksum", "hmac")}
    return hashlib.sha256(_canonical(sealed)).hexdigest()


def _hmac(key: bytes, body: dict[str, Any]) -> str:
    return hmac.new(key, _canonical({k: v for k, v in body.items() if k != "hmac"}), "sha256").hexdigest()


def register_key() -> bytes | None:
    """The insurer's register key (``ANONYMIZE_REGISTER_KEY`` names a file), or ``None`` when not set."""
    where = os.environ.get(KEY_ENV)
    if not where:
        return None
    try:
        key = Path(where).read_bytes().strip()
    except OSError as exc:
        raise RegisterError(f"{KEY_ENV}={where}: cannot read the register key ({exc.strerror})") from None
    if len(key) < 16:
        raise RegisterError(f"{KEY_ENV}={where}: the register key must be at least 16 bytes")
    return key


def now() -> str:
    """Event time: UTC, seconds, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def parse_register(
    data: bytes, path: Path | str = "register", key: bytes | None = None, signed_tail: bool = False
) -> list[dict[str, Any]]:
    """Verify and decode the register's bytes: every line complete, valid, sealed and chained; with ``key``,
    every line from the first signed one on carries a valid ``hmac`` and (``signed_tail``) the last line is
    signed, so stripping every HMAC is no way around the key. Lines from before the key was introduced are
    protected by the chain and the anchors only."""
    if not data:
        return []
    lines = data.split(b"\n")
    if lines[-1] != b"":
        raise RegisterError(
            f"{path}: line {len(lines)} is incomplete (no newline at its end): a write was interrupted. "
            "Nothing was appended; check it, then cut it off with `anonymize register --repair`"
        )
    events: list[dict[str, Any]] = []
    prev = ""
    signed = False
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
        if key is not None:
            if "hmac" in event:
                signed = True
                if not hmac.compare_digest(str(event["hmac"]), _hmac(key, event)):
                    raise RegisterError(
                        f"{path}: line {number}: HMAC does not match the register key; the line was "
                        "rewritten by someone without the key (or the key is not this register's)"
                    )
            elif signed:
                raise RegisterError(f"{path}: line {number}: no HMAC after signed lines; the line was forged")
        prev = event["checksum"]
        events.append(event)
    if key is not None and signed_tail and not signed:
        raise RegisterError(f"{path}: no line is signed with the register key ({KEY_ENV}); the HMACs were "
                            "stripped, or the key was set after the last line was written")
    return events


def read_register(path: Path | str, require_signed: bool = False) -> list[dict[str, Any]]:
    """All events, oldest first; ``[]`` when the register does not exist yet. Raises on any corruption.

    With the key set, ``require_signed`` (``register --check``) also refuses a register none of whose lines
    is signed; the other commands accept one, so that a key can be introduced on an existing register (the
    next append signs the tail)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise RegisterError(f"{p}: cannot read the register ({exc.strerror})") from None
    return parse_register(data, p, register_key(), signed_tail=require_signed)


def head(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The register's head: ``seq`` and ``checksum`` of its last line (``0`` / ``""`` when empty)."""
    if not events:
        return {"seq": 0, "checksum": ""}
    return {"seq": events[-1]["seq"], "checksum": events[-1]["checksum"]}


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


class Locked:
    """The register under its exclusive lock: the verified events, and :meth:`append`."""

    def __init__(self, path: Path, fd: int, events: list[dict[str, Any]], key: bytes | None) -> None:
        self.path, self._fd, self.events, self._key = path, fd, events, key

    def append(self, event: dict[str, Any]) -> dict[str, Any]:
        """Seal and append one event; on any failure the file is cut back to its size before."""
        body = _check_event(self.path, event)
        body["seq"] = len(self.events) + 1
        body["prev"] = self.events[-1]["checksum"] if self.events else ""
        body["checksum"] = _checksum(body)
        if self._key is not None:
            body["hmac"] = _hmac(self._key, body)
        line = _canonical(body) + b"\n"
        size = os.fstat(self._fd).st_size
        try:
            if armed("append-torn"):  # tests only (pipeline.release.faults): a crash mid-write
                os.write(self._fd, line[: len(line) // 2])
                kill_point("append-torn")
            written = os.write(self._fd, line)
            if written != len(line):
                raise OSError(28, f"short write ({written} of {len(line)} bytes)")
            os.fsync(self._fd)
        except BaseException as exc:
            cut = _cut_back(self._fd, size)
            if not isinstance(exc, OSError):
                raise
            state = "the register is unchanged" if cut else (
                "the register may end in a torn line: run `anonymize register --repair`")
            raise RegisterError(
                f"{self.path}: cannot append the {body['event']} event ({exc.strerror or exc}); {state}"
            ) from None
        self.events.append(body)
        return body


def _cut_back(fd: int, size: int) -> bool:
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
        return True
    except OSError:
        return False


def _check_event(path: Path, event: dict[str, Any]) -> dict[str, Any]:
    kind = event.get("event")
    if kind not in EVENTS:
        raise RegisterError(f"{path}: unknown event {kind!r}; allowed: {', '.join(EVENTS)}")
    if not isinstance(event.get("release_id"), str) or not event["release_id"]:
        raise RegisterError(f"{path}: a {kind} event needs a release_id")
    if any(k in event for k in _SET_BY_REGISTER):
        raise RegisterError(
            f"{path}: {', '.join(_SET_BY_REGISTER)} are set by the register, not by the caller"
        )
    body = {"time": now(), **event}
    try:
        _canonical(body)
    except TypeError as exc:
        raise RegisterError(f"{path}: {exc}") from None
    return body


@contextlib.contextmanager
def locked(register_path: Path | str) -> Iterator[Locked]:
    """Hold the register's exclusive lock; yields its verified events and an appender."""
    path = Path(register_path)
    key = register_key()
    created = not path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError as exc:
        raise RegisterError(f"{path}: cannot open the register ({exc.strerror})") from None
    try:
        _lock(fd, path)
        try:
            with os.fdopen(os.dup(fd), "rb") as f:
                data = f.read()
        except OSError as exc:
            raise RegisterError(f"{path}: cannot read the register ({exc.strerror})") from None
        # the first append with a newly introduced key may follow unsigned lines; it signs the tail
        yield Locked(path, fd, parse_register(data, path, key, signed_tail=False), key)
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        with contextlib.suppress(OSError):
            _fsync_dir(path.parent)


def append_event(register_path: Path | str, event: dict[str, Any]) -> dict[str, Any]:
    """Append one event under an exclusive lock, after verifying every line already there; fsync."""
    path = Path(register_path)
    _check_event(path, event)  # refuse a bad event before creating or locking anything
    with locked(path) as reg:
        return reg.append(event)


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


def withdrawn(events: list[dict[str, Any]]) -> set[str]:
    """Release ids whose last ``created`` / ``abandoned`` event is ``abandoned``: not (or no longer) a
    release, whatever else the register says about them."""
    state: dict[str, str] = {}
    for e in events:
        if e.get("event") in ("created", "abandoned"):
            state[str(e.get("release_id"))] = str(e["event"])
    return {rid for rid, kind in state.items() if kind == "abandoned"}
