"""Through the CLI, on the release the pipeline writes from a generated extract (``anonymize run``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import anonymize


def test_pipeline_release_passes_its_gate_and_verifies(release_cp932: Path) -> None:
    manifest = json.loads((release_cp932 / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["validation"]["success"] is True and manifest["validation"]["failed"] == []
    assert {"validation/results.json", "validation/docs/index.html"} <= set(manifest["files"])
    results = json.loads((release_cp932 / "validation" / "results.json").read_text(encoding="utf-8"))
    assert {v["table"] for v in results["validations"]} == {"policyholders", "claims", "claims_joined"}
    proc = anonymize("verify", str(release_cp932))
    assert proc.returncode == 0, proc.stderr
    assert "intact" in proc.stdout


@pytest.mark.slow
def test_verify_rejects_a_tampered_pipeline_release(release_cp932: Path, tmp_path: Path) -> None:
    release = Path(shutil.copytree(release_cp932, tmp_path / "release"))
    path = release / "data" / "policyholders.parquet"
    df = pd.read_parquet(path)
    df.loc[df.index[0], df.columns[0]] = None
    df.to_parquet(path, index=False)
    proc = anonymize("verify", str(release))
    assert proc.returncode == 8
    assert "data/policyholders.parquet: SHA-256 does not match" in proc.stderr
