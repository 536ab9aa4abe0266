"""The register: sealed lines, append-only under a lock, torn or altered lines reported, never accepted."""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path

import pytest

from pipeline.errors import RegisterError
from pipeline.publication.created import record_created
from pipeline.release.manifest import read_manifest
from pipeline.release.register import append_event, read_register
from tests.publication.conftest import make_candidate, write_release


def _event(i: int) -> dict:
    return {"event": "created", "release_id": f"r{i:04d}", "audience": "internal"}


def test_append_and_read_back(tmp_path):
    reg = tmp_path / "sub" / "register.jsonl"
    for i in range(3):
        append_event(reg, _event(i))
    events = read_register(reg)
    assert [e["release_id"] for e in events] == ["r0000", "r0001", "r0002"]
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert events[1]["prev"] == events[0]["checksum"]
    assert all(len(e["checksum"]) == 64 and e["time"] for e in events)


def test_missing_register_reads_empty(tmp_path):
    assert read_register(tmp_path / "none.jsonl") == []


def test_torn_last_line_is_reported_and_blocks_appends(tmp_path):
    reg = tmp_path / "register.jsonl"
    append_event(reg, _event(0))
    append_event(reg, _event(1))
    data = reg.read_bytes()
    reg.write_bytes(data[: len(data) - 20])  # a crash mid-write: the last line lost its tail and newline
    with pytest.raises(RegisterError, match="line 2 is incomplete"):
        read_register(reg)
    with pytest.raises(RegisterError, match="line 2 is incomplete"):
        append_event(reg, _event(2))
    assert reg.read_bytes() == data[: len(data) - 20]  # nothing appended after the torn line


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda lines: [lines[0].replace(b'"internal"', b'"third_party"'), *lines[1:]], "line 1: checksum"),
        (lambda lines: [lines[0], lines[2]], "line 2: sequence broken"),
        (lambda lines: [lines[1], lines[0], lines[2]], "line 1: sequence broken"),
        (lambda lines: [lines[0], b"{not json", lines[2]], "line 2 is not valid JSON"),
        (
            lambda lines: [lines[0], b'{"event": "created", "release_id": "x"}', lines[2]],
            "line 2 is not a sealed",
        ),
    ],
)
def test_altered_removed_or_reordered_lines_are_found(tmp_path, mutate, message):
    reg = tmp_path / "register.jsonl"
    for i in range(3):
        append_event(reg, _event(i))
    lines = reg.read_bytes().rstrip(b"\n").split(b"\n")
    reg.write_bytes(b"\n".join(mutate(lines)) + b"\n")
    with pytest.raises(RegisterError, match=message):
        read_register(reg)


def test_bad_events_are_refused(tmp_path):
    reg = tmp_path / "register.jsonl"
    with pytest.raises(RegisterError, match="unknown event"):
        append_event(reg, {"event": "deleted", "release_id": "x"})
    with pytest.raises(RegisterError, match="release_id"):
        append_event(reg, {"event": "created"})
    with pytest.raises(RegisterError, match="set by the register"):
        append_event(reg, {"event": "created", "release_id": "x", "seq": 9})
    with pytest.raises(RegisterError, match="JSON values"):
        append_event(reg, {"event": "created", "release_id": "x", "blob": object()})
    assert not reg.exists() or read_register(reg) == []


def _writer(path: str, worker: int, n: int) -> None:
    for i in range(n):
        append_event(Path(path), {"event": "created", "release_id": f"w{worker}-{i}", "pad": "x" * 2000})


def test_two_processes_appending_at_once_lose_no_line(tmp_path):
    reg = tmp_path / "register.jsonl"
    n = 60
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(reg), w, n)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    events = read_register(reg)  # verifies every seal and the chain
    assert len(events) == 2 * n
    assert {e["release_id"] for e in events} == {f"w{w}-{i}" for w in range(2) for i in range(n)}
    assert [e["seq"] for e in events] == list(range(1, 2 * n + 1))


def test_record_created_carries_what_auditors_need(tmp_path):
    cand = make_candidate()
    release = tmp_path / "release"
    manifest = write_release(cand, release)
    reg = tmp_path / "register.jsonl"
    record_created(reg, cand, release, manifest)
    (event,) = read_register(reg)
    assert event["event"] == "created" and event["release_id"] == cand.release_id
    assert event["audience"] == "internal" and event["recipient_category"] is None
    assert event["config_sha256"] == cand.config.sha256
    assert event["inputs"] == cand.inputs
    assert event["outputs"] == manifest.files
    assert event["tables"]["policyholders"]["min_class_size"] == 2
    assert event["tables"]["policyholders"]["k"] == 2
    assert event["validation"] == {"success": True, "file": "validation/results.json"}
    assert event["item_list"]["path"] == str((release / "published_items.json").resolve())
    assert event["item_list"]["sha256"] == manifest.files["published_items.json"]
    assert read_manifest(release) == manifest  # the file is the dataclass the event was built from
    text = json.dumps(event, ensure_ascii=False)
    for value in cand.tables["policyholders"].data["契約キー"]:
        assert value not in text  # no surrogate value in the register
