# ruff: noqa: F811  (pytest fixtures imported from tests.hostile._release_fixtures)
"""Forged releases and bundles (issue 11 point 5): ``verify`` catches what the files alone can prove, and
``verify --register`` catches the rest (the register holds the manifest's SHA-256 and every file's)."""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path

import pandas as pd
import pytest

from pipeline.release.register import append_event
from tests.hostile._release_fixtures import (  # noqa: F401 (fixtures)
    assert_no_personal_value,
    assert_one_error_line,
    copy_of,
    inproc,
    pii,
    reseal_release,
    small_extract,
    world,
)

#: whole pipeline runs per case (make test-slow; CI runs it)
pytestmark = pytest.mark.slow


def _verify(folder: Path, register: Path | None = None):
    return inproc("verify", folder, *(["--register", register] if register else []))


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _write_manifest(folder: Path, doc: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def _lower_k(doc: dict, k: int = 2) -> dict:
    doc["privacy"]["k"] = k
    for entry in doc["tables"].values():
        entry["k"] = k
    return doc


def test_an_intact_release_and_bundle_verify_against_the_register(world, pii):
    for folder in (world.rel1, world.bundle):
        res = _verify(folder, world.register)
        assert res.code == 0 and res.err == "", res.out
        assert_no_personal_value(pii, streams=(res.out,))
    assert "bundle" in _verify(world.bundle).out  # the bundle is recognised as such without a register too


def test_k_lowered_in_the_manifest_fails_alone_and_against_the_register(world, pii, tmp_path):
    rel = copy_of(world.rel1, tmp_path / "rel")
    _write_manifest(rel, _lower_k(_manifest(rel)))
    alone = _verify(rel)
    assert alone.code == 8 and "the gate checked k=5 at creation, manifest.json declares k=2" in alone.out
    assert_one_error_line(alone.err)
    res = _verify(rel, world.register)
    assert res.code == 8
    assert "manifest.json: SHA-256 differs from the register's created line" in res.out
    assert "k is 2, the register recorded 5" in res.out
    assert_no_personal_value(pii, streams=(alone.out, alone.err, res.out, res.err))


def test_k_lowered_with_every_trace_rewritten_is_caught_by_the_register(world, tmp_path):
    """The forger also rewrites the gate's results and every checksum: only the register can tell."""
    rel = copy_of(world.rel1, tmp_path / "rel")
    results = rel / "validation" / "results.json"
    results.write_text(results.read_text(encoding="utf-8").replace('"k": 5', '"k": 2'), encoding="utf-8")
    reseal_release(rel, _lower_k(_manifest(rel)))
    res = _verify(rel, world.register)
    assert res.code == 8
    assert "validation/results.json: SHA-256 differs from the register's created line" in res.out
    assert "manifest.json: SHA-256 differs" in res.out


def test_a_claims_table_swapped_with_rewritten_checksums_fails(world, pii, tmp_path):
    """Claims of another release: their surrogate keys match no policyholder of this one."""
    rel = copy_of(world.rel1, tmp_path / "rel")
    claims = pd.read_parquet(rel / "data" / "claims.parquet")
    fresh = {k: "".join(secrets.choice(string.ascii_lowercase) for _ in range(14))
             for k in claims["契約キー"].dropna().unique()}
    claims["契約キー"] = claims["契約キー"].map(fresh)
    claims.to_parquet(rel / "data" / "claims.parquet", index=False)
    reseal_release(rel)
    alone = _verify(rel)
    assert alone.code == 8
    assert "are not in table policyholders, the manifest recorded 0 at creation" in alone.out
    assert "a table was replaced" in assert_one_error_line(alone.err)
    res = _verify(rel, world.register)
    assert res.code == 8 and "data/claims.parquet: SHA-256 differs from the register" in res.out
    assert_no_personal_value(pii, streams=(alone.out, alone.err, res.out))


def test_a_changed_file_in_a_bundle_fails(world, tmp_path):
    bundle = copy_of(world.bundle, tmp_path / "bundle")
    page = bundle / "published_items.ja.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n追記\n", encoding="utf-8")
    res = _verify(bundle)
    assert res.code == 8
    assert "published_items.ja.md: SHA-256 does not match SHA256SUMS" in res.out
    assert "published_items.ja.md: SHA-256 does not match manifest.json" in res.out


def test_a_bundle_missing_a_bundled_file_or_holding_an_extra_one_fails(world, tmp_path):
    bundle = copy_of(world.bundle, tmp_path / "bundle")
    (bundle / "provision_notice.ja.md").unlink()
    (bundle / "report.html").write_text("<html></html>", encoding="utf-8")
    res = _verify(bundle)
    assert res.code == 8
    assert "provision_notice.ja.md: listed in SHA256SUMS but missing" in res.out
    assert "provision_notice.ja.md: listed in manifest.json and part of a bundle, but missing" in res.out
    assert "report.html: file not listed in SHA256SUMS" in res.out


def test_a_bundle_with_a_forged_manifest_and_resealed_sums_fails(world, tmp_path):
    bundle = copy_of(world.bundle, tmp_path / "bundle")
    reseal_release(bundle, _lower_k(_manifest(bundle)))
    alone = _verify(bundle)
    assert alone.code == 8 and "manifest.json declares k=2" in alone.out
    res = _verify(bundle, world.register)
    assert res.code == 8
    assert "SHA256SUMS: no provided line of release" in res.out
    assert "manifest.json: SHA-256 differs from the register's created line" in res.out


def test_a_rolled_back_release_does_not_verify_against_the_register(world, tmp_path):
    reg = tmp_path / "register.jsonl"
    reg.write_bytes(world.register.read_bytes())
    rid = _manifest(world.rel2)["release_id"]
    append_event(reg, {"event": "abandoned", "release_id": rid, "pending_seq": 3, "reason": "test"})
    res = _verify(world.rel2, reg)
    assert res.code == 8 and "was abandoned" in assert_one_error_line(res.err)


def test_a_release_unknown_to_the_register_fails_against_it(world, tmp_path):
    reg = tmp_path / "register.jsonl"
    reg.write_text("".join(line + "\n" for line in world.register.read_text().splitlines()[:2]))
    res = _verify(world.rel2, reg)
    assert res.code == 8 and "no created line for release" in res.out
