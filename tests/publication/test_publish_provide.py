"""publish → provide on hand-built releases: the site, the register preconditions, the bundle."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pipeline.errors import ConfigError, RegisterError, ReleaseExistsError, ValidationFailed
from pipeline.publication.created import record_created
from pipeline.publication.provide import provide
from pipeline.publication.publish import publish
from pipeline.release.register import read_register
from tests.publication import htmlcheck
from tests.publication.conftest import make_candidate, make_config, third_party_release, write_release

METHOD = "暗号化したファイルをアクセス制御されたサーバで提供"


def _create(tmp: Path, name: str, reg: Path, third: bool, day: int) -> Path:
    import datetime as dt

    config = make_config(release=third_party_release()) if third else make_config()
    cand = make_candidate(config=config, release_id=f"rel-{name}")
    cand.created_at = dt.datetime(2025, 4, day, 9, 0, tzinfo=dt.UTC)
    release = tmp / name
    record_created(reg, cand, release, write_release(cand, release))
    return release


@pytest.fixture
def world(tmp_path):
    reg = tmp_path / "register.jsonl"
    internal = _create(tmp_path, "internal", reg, third=False, day=1)
    third = _create(tmp_path, "third", reg, third=True, day=2)
    return tmp_path, reg, internal, third


def test_provide_is_refused_before_publication_and_leaves_no_bundle(world):
    tmp, reg, _, third = world
    with pytest.raises(RegisterError, match="no published event"):
        provide(third, tmp / "bundle", reg)
    assert not (tmp / "bundle").exists()
    assert not [p for p in tmp.iterdir() if p.name.startswith(".bundle")]  # no temp dir left behind
    assert [e["event"] for e in read_register(reg)] == ["created", "created"]


def test_publish_then_provide(world):
    tmp, reg, internal, third = world
    site = tmp / "site"
    result = publish(site, reg)
    assert result.releases == 2 and result.new_events == 2
    index = (site / "index.html").read_text(encoding="utf-8")
    parsed = htmlcheck.check(index)
    text = "".join(parsed.text)
    # newest first: the third-party release (created 4月2日) is listed before the internal one (4月1日)
    assert text.index("再保険会社向け契約データ") < text.index("契約者データ(研究用)")
    assert "令和7年4月2日(2025年4月2日)" in text and METHOD in text
    for link in parsed.links:
        assert (site / link).is_file()
    for page in (site / "datasets").iterdir():
        p = htmlcheck.check(page.read_text(encoding="utf-8"))
        assert "年齢(5歳階級、90歳以上は一括)" in "".join(p.text)
    events = read_register(reg)
    published = [e for e in events if e["event"] == "published"]
    assert {e["release_id"]: e["provision_method"] for e in published} == {
        "rel-internal": None,
        "rel-third": METHOD,
    }
    assert all(e["items"] and len(e["items_sha256"]) == 64 for e in published)

    assert publish(site, reg).new_events == 0  # re-publishing refreshes the site, records nothing new

    bundle = tmp / "bundle"
    out = provide(third, bundle, reg)
    assert out.bundle == bundle.resolve()
    names = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    assert {
        "data/policyholders.parquet",
        "manifest.json",
        "validation/results.json",
        "provision_notice.ja.md",
        "data_dictionary.ja.md",
        "data_dictionary.json",
        "SHA256SUMS",
    } <= names
    assert "report.html" not in names
    sums = (bundle / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(sums) == len(names) - 1
    for line in sums:
        digest, rel = line.split("  ", 1)
        assert hashlib.sha256((bundle / rel).read_bytes()).hexdigest() == digest
    notice = (bundle / "provision_notice.ja.md").read_text(encoding="utf-8")
    assert "法律(以下「法」)第2条第6項" in notice and "匿名加工情報" in notice and METHOD in notice
    provided = read_register(reg)[-1]
    assert provided["event"] == "provided" and provided["release_id"] == "rel-third"
    assert provided["provision_method"] == METHOD and provided["bundle_dir"] == str(bundle.resolve())

    with pytest.raises(ReleaseExistsError):
        provide(third, bundle, reg)
    with pytest.raises(ConfigError, match="audience 'internal'"):
        provide(internal, tmp / "bundle2", reg)
    assert not (tmp / "bundle2").exists()


def test_items_changed_after_publication_block_provision(world):
    tmp, reg, _, third = world
    publish(tmp / "site", reg)
    items = third / "published_items.json"
    doc = json.loads(items.read_text(encoding="utf-8"))
    doc["provision_method"] = "電子メールで送付"
    items.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"published_items\.json"):
        provide(third, tmp / "bundle", reg)  # the manifest checksum catches it first
    with pytest.raises(RegisterError, match="changed since the release was created"):
        publish(tmp / "site", reg)
    assert not (tmp / "bundle").exists()


def test_a_release_not_in_the_register_cannot_be_provided(tmp_path):
    cand = make_candidate(config=make_config(release=third_party_release()), release_id="rel-stray")
    write_release(cand, tmp_path / "stray")
    with pytest.raises(RegisterError, match="no created event"):
        provide(tmp_path / "stray", tmp_path / "bundle", tmp_path / "register.jsonl")


def test_other_legal_category_is_refused_at_provision(world):
    tmp, reg, _, third = world
    publish(tmp / "site", reg)
    # a release directory doctored after the fact (manifest re-sealed): still refused on the category
    items = third / "published_items.json"
    doc = json.loads(items.read_text(encoding="utf-8"))
    doc["legal_category"] = "仮名加工情報"
    items.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    manifest = json.loads((third / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["published_items.json"] = hashlib.sha256(items.read_bytes()).hexdigest()
    (third / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ConfigError, match="仮名加工情報"):
        provide(third, tmp / "bundle", reg)


def test_site_refuses_to_replace_a_foreign_directory(world):
    tmp, reg, _, _ = world
    foreign = tmp / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    with pytest.raises(ReleaseExistsError):
        publish(foreign, reg)
    assert (foreign / "keep.txt").exists()


def test_a_failure_while_bundling_leaves_no_bundle_and_no_event(world, monkeypatch):
    import shutil

    from pipeline.publication import provide as provide_mod

    tmp, reg, _, third = world
    publish(tmp / "site", reg)
    before = read_register(reg)

    def broken_copytree(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(provide_mod.shutil, "copytree", broken_copytree)
    with pytest.raises(OSError):
        provide(third, tmp / "bundle", reg)
    monkeypatch.setattr(provide_mod.shutil, "copytree", shutil.copytree)
    assert not (tmp / "bundle").exists()
    assert not [p for p in tmp.iterdir() if p.name.startswith(".bundle")]
    assert read_register(reg) == before


def test_a_failed_register_append_removes_the_bundle(world, monkeypatch):
    from pipeline.publication import provide as provide_mod

    tmp, reg, _, third = world
    publish(tmp / "site", reg)

    def locked(*args, **kwargs):
        raise RegisterError("locked by another run")

    monkeypatch.setattr(provide_mod, "append_event", locked)
    with pytest.raises(RegisterError):
        provide(third, tmp / "bundle", reg)
    assert not (tmp / "bundle").exists()


def test_register_command_lists_events_as_a_table_and_json(world, capsys):
    import argparse

    from wcwidth import wcswidth

    from pipeline.cli import register_cmd

    tmp, reg, _, _ = world
    publish(tmp / "site", reg)
    assert register_cmd.run(argparse.Namespace(register=reg, json=False)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == list(register_cmd.COLUMNS)
    assert len(lines) == 1 + 4 and "rel-third" in lines[2] and "published" in lines[4]
    # columns line up although dataset names are Japanese (double-width)
    starts = {wcswidth(line[: line.index("internal")]) for line in lines[1:] if "internal" in line}
    assert len(starts) == 1
    assert register_cmd.run(argparse.Namespace(register=reg, json=True)) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["event"] for e in events] == ["created", "created", "published", "published"]


def test_a_moved_release_is_published_from_where_the_register_says(world, capsys):
    import argparse
    import shutil

    from pipeline.cli import register_cmd

    tmp, reg, internal, _ = world
    archive = tmp / "archive" / "internal"
    archive.parent.mkdir()
    shutil.move(internal, archive)
    with pytest.raises(RegisterError, match=r"missing .*anonymize register --moved rel-internal DIR"):
        publish(tmp / "site", reg)
    # a directory that is not byte-identical is refused, and nothing is appended
    forged = tmp / "forged"
    shutil.copytree(archive, forged)
    (forged / "published_items.json").write_text("{}", encoding="utf-8")
    with pytest.raises(RegisterError, match="differs from what the register recorded"):
        register_cmd.run(argparse.Namespace(register=reg, json=False, moved=["rel-internal", str(forged)]))
    with pytest.raises(RegisterError, match="no created event"):
        register_cmd.run(argparse.Namespace(register=reg, json=False, moved=["rel-nothing", str(archive)]))
    assert [e["event"] for e in read_register(reg)] == ["created", "created"]
    moved_ok = argparse.Namespace(register=reg, json=False, moved=["rel-internal", str(archive)])
    assert register_cmd.run(moved_ok) == 0
    assert "moved" in capsys.readouterr().out
    assert publish(tmp / "site", reg).releases == 2
    events = read_register(reg)
    assert [e["event"] for e in events] == ["created", "created", "moved", "published", "published"]
    assert events[2]["release_dir"] == str(archive.resolve())


def _kill_provide_after_its_line(third: Path, bundle: Path, reg: Path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CI": "true", "APPI_TEST_KILL_AT": "provide-appended"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", "provide", str(third), "--out",
                           str(bundle), "--register", str(reg)], capture_output=True, text=True, env=env,
                          timeout=300)


def test_provide_killed_between_its_line_and_the_rename_is_rolled_forward(world):
    """kill -9 after the ``provided`` line: no bundle at OUT yet, the sealed one waits beside it; the next
    provide renames exactly that bundle into place (no second line, no second bundle) and it verifies against
    the register."""
    from pipeline.publication.bundle import SUMS, read_sums

    tmp, reg, _, third = world
    publish(tmp / "site", reg)
    bundle = tmp / "bundle"
    proc = _kill_provide_after_its_line(third, bundle, reg)
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert not bundle.exists()
    waiting = [p for p in tmp.iterdir() if p.name.startswith(".bundle.")]
    assert len(waiting) == 1
    assert [e["event"] for e in read_register(reg)].count("provided") == 1

    result = provide(third, bundle, reg)
    assert result.resumed and result.bundle == bundle.resolve() and result.files > 0
    assert not waiting[0].exists() and bundle.is_dir()
    line = next(e for e in read_register(reg) if e["event"] == "provided")
    assert line["bundle_dir"] == str(bundle.resolve())
    assert hashlib.sha256((bundle / SUMS).read_bytes()).hexdigest() == line["sha256sums_sha256"]
    sums, problems = read_sums(bundle)
    assert not problems and all(hashlib.sha256((bundle / n).read_bytes()).hexdigest() == d
                                for n, d in sums.items())


def test_a_changed_waiting_bundle_is_not_rolled_forward(world):
    """The bundle left by a killed provide is changed before the next run: it no longer matches the
    SHA256SUMS its line records, so it is left alone and a fresh bundle with its own line is written."""
    tmp, reg, _, third = world
    publish(tmp / "site", reg)
    bundle = tmp / "bundle"
    assert _kill_provide_after_its_line(third, bundle, reg).returncode == -9
    waiting = next(p for p in tmp.iterdir() if p.name.startswith(".bundle."))
    notice = next(p for p in waiting.rglob("*.md"))
    notice.write_text(notice.read_text(encoding="utf-8") + "\n改ざん\n", encoding="utf-8")

    result = provide(third, bundle, reg)
    assert not result.resumed and waiting.exists()
    assert [e["event"] for e in read_register(reg)].count("provided") == 2


def test_a_malformed_manifest_is_refused_naming_the_key(world):
    """provide reads the release's manifest as the typed Manifest: a key of the wrong type is one clear
    refusal naming the file and the key (not a crash, not a bundle)."""
    tmp, reg, _, third = world
    publish(tmp / "site", reg)
    manifest = json.loads((third / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["policyholders"]["k"] = "2"
    (third / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"third/manifest.json: tables.policyholders.k: expected an"):
        provide(third, tmp / "bundle", reg)
    assert not (tmp / "bundle").exists()


def test_register_check_reports_a_malformed_manifest_of_a_registered_release(world):
    """``register --check`` reads each registered release's manifest as the typed Manifest: one of the wrong
    shape is a problem naming the key, never a release passed over as unreachable."""
    from pipeline.publication.anchors import check

    _, reg, _, third = world
    before = [p for p in check(reg).problems if p.startswith("release rel-third ")]  # its missing anchor
    assert len(before) == 1
    manifest = json.loads((third / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["policyholders"]["k"] = "2"
    (third / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    after = [p for p in check(reg).problems if p.startswith("release rel-third")]
    assert after == [f"release rel-third: {third.resolve()}/manifest.json: tables.policyholders.k: "
                     "expected an integer, found str"]
