"""One release, end to end: the wiring of the pure steps, with all I/O at this edge.

    load config → prepare (read, schema gate, normalise, hierarchies) → anonymise (surrogates, search,
    rare values, shuffle) → residual-PII gate → staging dir: data, manifest, published items, report,
    validation gate → checksums → atomic rename → register event.

Any failure before the rename leaves no release directory.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import progress
from pipeline.anonymise import anonymise_prepared
from pipeline.checksum import sha256_file
from pipeline.config.model import Config
from pipeline.prepare import Prepared, prepare
from pipeline.release.candidate import ReleaseCandidate
from pipeline.release.manifest import (
    MANIFEST,
    build_manifest,
    file_checksums,
    table_entry,
    write_json,
)
from pipeline.release.writer import publish_dir, staging

__all__ = ["RunSummary", "anonymise_prepared", "build_candidate", "prepare", "run_pipeline"]


@dataclass(frozen=True)
class RunSummary:
    release_dir: Path
    release_id: str
    manifest: dict[str, Any]


def build_candidate(prepared: Prepared) -> ReleaseCandidate:
    tables = anonymise_prepared(prepared)
    now = dt.datetime.now(dt.UTC).astimezone()
    release_id = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    inputs = {name: {"file": t.file.name, "sha256": t.sha256, "rows": str(t.rows)}
              for name, t in prepared.tables.items()}
    return ReleaseCandidate(release_id, now, prepared.config, tables, inputs)


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, compression="zstd")


def run_pipeline(config: Config, out_dir: Path, inputs: dict[str, Path] | None = None,
                 register: Path | None = None) -> RunSummary:
    out_dir = Path(out_dir).resolve()  # GX Data Docs and the register want absolute paths
    if out_dir.exists():
        from pipeline.errors import ReleaseExistsError

        raise ReleaseExistsError(f"{out_dir} already exists; releases are never overwritten, "
                                 "choose a new --out")
    prepared = prepare(config, inputs)
    with progress.phase("anonymise"):
        candidate = build_candidate(prepared)
    del prepared
    from pipeline.detection.gate import check_candidate

    with progress.step("residual PII scan"):
        detection_summary = check_candidate(candidate)
    with staging(out_dir) as tmp:
        candidate.staging_dir = tmp
        (tmp / "data").mkdir()
        tables = {}
        with progress.step("write", total=sum(len(t.data) for t in candidate.tables.values())) as bar:
            for name, t in candidate.tables.items():
                rel = f"data/{name}.parquet"
                _write_parquet(t.data, tmp / rel)
                tables[name] = table_entry(t, rel, sha256_file(tmp / rel))
                bar.advance(len(t.data))
        with progress.phase("manifest"):
            manifest = build_manifest(candidate, tables)
            manifest["residual_pii_scan"] = detection_summary
            write_json(tmp / MANIFEST, manifest)
        with progress.phase("published items"):
            from pipeline.publication.items import write_published_items

            write_published_items(candidate, tmp)
        with progress.phase("report"):
            from pipeline.report.html import write_report

            write_report(candidate, tmp)
        from pipeline.validation.gate import validate_release

        with progress.step("validate"):
            manifest["validation"] = validate_release(candidate, tmp)
        with progress.phase("checksums"):
            manifest["files"] = file_checksums(tmp)
            write_json(tmp / MANIFEST, manifest)
        publish_dir(tmp, out_dir)
    if register is not None:
        with progress.phase("register"):
            from pipeline.publication.register import record_created

            record_created(register, candidate, out_dir, manifest)
    return RunSummary(out_dir, candidate.release_id, manifest)
