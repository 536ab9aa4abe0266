# ruff: noqa: F811  (pytest fixtures imported from tests.hostile._release_fixtures)
"""Register forgery (issue 11 point 9): a line deleted or rewritten with every seal recomputed is caught by
the anchors kept outside the register (release manifests, the published site), and by the HMAC when the
insurer keeps a key; ``register --moved`` only accepts a folder identical to the release, file by file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.errors import RegisterError
from pipeline.release.register import KEY_ENV, append_event, read_register
from tests.hostile._release_fixtures import (  # noqa: F401 (fixtures)
    assert_no_personal_value,
    assert_one_error_line,
    events,
    inproc,
    pii,
    reseal_register,
    small_extract,
    world,
)

#: whole pipeline runs per case (make test-slow; CI runs it)
pytestmark = pytest.mark.slow


def _lines(register: Path) -> list[dict]:
    return [json.loads(line) for line in register.read_text(encoding="utf-8").splitlines()]


def _lines_of(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.splitlines()]


def _forged(world, tmp_path: Path, edit) -> Path:
    reg = tmp_path / "register.jsonl"
    reg.write_bytes(reseal_register(edit(_lines(world.register))))
    read_register(reg)  # the forgery is internally perfect: every seal and the chain verify
    return reg


def _check(reg: Path, *extra: str | Path):
    return inproc("register", "--register", reg, "--check", *extra)


def test_the_world_register_checks_clean_against_every_anchor(world, pii):
    res = _check(world.register, "--site", world.site, "--release", world.bundle)
    assert res.code == 0 and res.err == "", res.out
    assert events(world.register) == ["pending", "created", "pending", "created", "published", "published",
                                      "provided"]
    assert_no_personal_value(pii, streams=(res.out,), roots=(world.register, world.site))


def test_a_deleted_and_resealed_line_breaks_the_second_release_anchor(world, pii, tmp_path):
    reg = _forged(world, tmp_path, lambda lines: lines[1:])  # rel1's pending line gone
    res = _check(reg, "--site", world.site)
    assert res.code == 9
    assert "problem" in assert_one_error_line(res.err)
    assert "records register line 2 with another checksum" in res.out  # rel2's manifest
    assert "site " in res.out  # the public site's anchor breaks too
    assert_no_personal_value(pii, streams=(res.out, res.err))


def test_a_rewritten_created_line_is_caught(world, tmp_path):
    def lower_k(lines: list[dict]) -> list[dict]:
        lines[1]["tables"]["policyholders"]["k"] = 2
        return lines

    res = _check(_forged(world, tmp_path, lower_k), "--site", world.site)
    assert res.code == 9 and res.out.count("problem:") >= 2


def test_cut_off_newest_lines_are_caught_by_the_site_and_the_release(world, tmp_path):
    reg = tmp_path / "register.jsonl"
    reg.write_text("".join(line + "\n" for line in world.register.read_text().splitlines()[:2]))
    assert _check(reg).code == 0  # the register alone cannot know what is missing from its end
    res = _check(reg, "--site", world.site, "--release", world.rel2)
    assert res.code == 9
    assert "register has 2 lines" in res.out and "no created line for release" in res.out


def test_hmac_lines_cannot_be_resealed_without_the_key(tmp_path, monkeypatch):
    key = tmp_path / "register.key"
    key.write_bytes(b"k" * 32)
    monkeypatch.setenv(KEY_ENV, str(key))
    reg = tmp_path / "register.jsonl"
    for i in range(3):
        append_event(reg, {"event": "moved", "release_id": f"r{i}", "release_dir": f"/x/{i}"})
    assert all("hmac" in e for e in read_register(reg))
    good = reg.read_bytes()
    lines = _lines(reg)
    lines[1]["release_dir"] = "/elsewhere"
    reg.write_bytes(reseal_register(lines))  # sealed and chained, every HMAC stripped
    with pytest.raises(RegisterError, match="no line is signed with the register key"):
        read_register(reg, require_signed=True)
    res = _check(reg)
    assert res.code == 9 and "register key" in assert_one_error_line(res.err)
    resealed = reseal_register(lines).splitlines()  # the same, keeping the old HMACs
    kept = [json.dumps({**json.loads(line), "hmac": old["hmac"]}).encode() for line, old in
            zip(resealed, _lines_of(good), strict=True)]
    reg.write_bytes(b"\n".join(kept) + b"\n")
    with pytest.raises(RegisterError, match="line 2: HMAC does not match"):
        read_register(reg)
    reg.write_bytes(good)
    read_register(reg)
    key.write_bytes(b"another key of the same length!!")
    with pytest.raises(RegisterError, match="line 1: HMAC does not match"):
        read_register(reg)


@pytest.mark.parametrize("change", ["data", "docs", "extra"])
def test_moved_to_a_folder_that_is_not_identical_is_refused(world, pii, tmp_path, change):
    reg = Path(shutil.copy(world.register, tmp_path / "register.jsonl"))
    rid = json.loads((world.rel1 / "manifest.json").read_text())["release_id"]
    new = Path(shutil.copytree(world.rel1, tmp_path / "archive"))
    if change == "data":
        other = world.rel2.joinpath("data", "claims.parquet").read_bytes()
        (new / "data" / "claims.parquet").write_bytes(other)
    elif change == "docs":
        page = next((new / "validation" / "docs").rglob("*.html"))
        page.write_text(page.read_text(encoding="utf-8") + "<!-- -->", encoding="utf-8")
    else:
        (new / "notes.txt").write_text("x", encoding="utf-8")
    before = reg.read_bytes()
    res = inproc("register", "--register", reg, "--moved", rid, new)
    assert res.code == 9 and "identical" in assert_one_error_line(res.err)
    assert reg.read_bytes() == before
    assert_no_personal_value(pii, streams=(res.out, res.err))


def test_moved_to_an_identical_folder_is_recorded(world, tmp_path):
    reg = Path(shutil.copy(world.register, tmp_path / "register.jsonl"))
    rid = json.loads((world.rel1 / "manifest.json").read_text())["release_id"]
    new = Path(shutil.copytree(world.rel1, tmp_path / "archive"))
    res = inproc("register", "--register", reg, "--moved", rid, new)
    assert res.code == 0 and events(reg)[-1] == "moved"
    assert _check(reg).code == 0  # the release is now checked at its new place


def test_a_key_can_be_introduced_on_an_existing_register(tmp_path, monkeypatch):
    reg = tmp_path / "register.jsonl"
    append_event(reg, {"event": "moved", "release_id": "r0", "release_dir": "/x/0"})
    key = tmp_path / "register.key"
    key.write_bytes(b"k" * 32)
    monkeypatch.setenv(KEY_ENV, str(key))
    assert _check(reg).code == 9  # not one line signed yet: the check says so
    append_event(reg, {"event": "moved", "release_id": "r1", "release_dir": "/x/1"})  # signs the tail
    assert ["hmac" in e for e in read_register(reg, require_signed=True)] == [False, True]
    assert _check(reg).code == 0
