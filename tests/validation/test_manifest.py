"""The typed manifest (``pipeline.release.manifest``): what ``write_release`` serialises is what
``Manifest.from_json`` reads back, byte for byte, in the keys and order of every earlier release; a
malformed or forged manifest is one clear ``verify`` problem naming the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.release.manifest import MANIFEST, Manifest, TableEntry
from pipeline.validation.verify import verify_release
from tests.validation.release_factory import make_release

#: The keys a release's manifest.json has had, in order, since before the manifest was typed.
TOP_KEYS = ["release_id", "created_at", "tool_version", "legal_category", "dataset_name", "audience",
            "recipient_category", "config_sha256", "reference_date", "privacy", "inputs", "tables",
            "residual_pii_scan", "attribute_risk", "validation", "files"]
TABLE_KEYS = ["file", "sha256", "rows", "rows_in", "columns", "quasi_identifiers", "sensitive", "attributes",
              "person_key", "linking_codes", "k", "min_class_size", "classes", "suppressed_rows", "levels",
              "granularity", "level_shares", "value_sets", "top_bottom_codes", "models",
              "linked_quasi_identifiers", "information_loss", "risk", "attribute_risk", "search", "utility",
              "rare_values_changed", "invalid_cells_nulled", "free_text_scrubbed"]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_release(tmp_path_factory.mktemp("manifest") / "release")


def test_written_once_and_read_back_byte_for_byte(release: Path) -> None:
    text = (release / MANIFEST).read_text(encoding="utf-8")
    doc = json.loads(text)
    assert list(doc) == TOP_KEYS
    assert list(doc["tables"]["policyholders"]) == TABLE_KEYS
    typed = Manifest.from_json(doc)
    assert typed.dumps() == text
    entry = typed.tables["policyholders"]
    assert entry.k == 4 and entry.person_key == "契約キー" and entry.quasi_identifiers == ("年齢", "性別")
    assert [m.name for m in entry.models] == ["k-anonymity", "distinct-l-diversity"]
    assert set(typed.files) == {p.relative_to(release).as_posix() for p in release.rglob("*")
                                if p.is_file() and p.name != MANIFEST}


def test_optional_blocks_are_written_only_when_set() -> None:
    entry = TableEntry(rows=1, k=2)
    written = entry.to_json()
    assert "linked_persons" not in written and "addresses_coarsened_to_prefecture" not in written
    demo = Manifest(release_id="r", tables={"t": entry}, demo=True, register_anchor={"seq": 0})
    assert list(demo.to_json())[-6:] == ["demo", "residual_pii_scan", "attribute_risk", "validation", "files",
                                         "register_anchor"]


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda m: m["tables"]["policyholders"].update(k="4"), "tables.policyholders.k: expected an integer"),
    (lambda m: m["tables"]["policyholders"].update(rows=None),
     "tables.policyholders.rows: expected an integer"),
    (lambda m: m["tables"]["policyholders"].pop("k"), "tables.policyholders.k: missing"),
    (lambda m: m["tables"]["policyholders"].update(quasi_identifiers="年齢"),
     "tables.policyholders.quasi_identifiers: expected a list of strings"),
    (lambda m: m["tables"]["policyholders"]["models"].append({"name": "k-anonymity", "k": True}),
     "tables.policyholders.models[2].k: expected an integer"),
    (lambda m: m.update(files=["data/policyholders.parquet"]), "files: expected a mapping"),
    (lambda m: m.update(release_id=7), "release_id: expected a string"),
    (lambda m: m.update(privacy={"k": 4.5}), "privacy.k: expected an integer"),
    (lambda m: m["tables"]["policyholders"].update(linked_quasi_identifiers="claims.年齢"),
     "tables.policyholders.linked_quasi_identifiers: expected a mapping of <table>.<column> to a level"),
    (lambda m: m.update(register_anchor=None), "register_anchor: expected a mapping, found null"),
])
def test_a_malformed_manifest_is_one_clear_problem(release: Path, tmp_path: Path, edit,  # type: ignore[no-untyped-def]
                                                  expected: str) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    edit(manifest)  # manifest.json is not in its own files map: no reseal needed
    (copy / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    problems = verify_release(copy)
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_untouched_release_verifies(release: Path) -> None:
    assert verify_release(release) == []
