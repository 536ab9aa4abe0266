"""Build a small, real release directory without the search: a k-anonymous frame written by the pipeline's
own :func:`~pipeline.release.manifest.write_release` (data, items, report, the gate, checksums, manifest) —
so the gate and ``verify`` can be tested (and tampered with) on their own."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config.model import (
    ColumnSpec,
    Config,
    HierarchySpec,
    ModelSpec,
    PrivacySpec,
    ReleaseSpec,
    TableSpec,
)
from pipeline.hierarchies.base import Hierarchy
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.release.candidate import ReleaseCandidate, TableResult
from pipeline.release.manifest import MANIFEST, build_manifest, file_checksums, write_release, write_tables
from pipeline.validation.gate import validate_release

K = 4
AGES = ["20-29歳", "30-39歳", "40-49歳", "90歳以上"]
DISEASES = ["循環器", "呼吸器", "消化器"]


def _hierarchy(name: str, leaves: list[str]) -> Hierarchy:
    return Hierarchy.from_rows(name, [[v, "*"] for v in leaves])


def frame(persons_per_class: int = 5, seed: int = 3) -> pd.DataFrame:
    """Policyholders-like table: 8 classes (age × sex) of ``persons_per_class`` persons, two rows each."""
    rng = np.random.default_rng(seed)
    n = len(AGES) * 2 * persons_per_class
    policy = pd.Series([f"KZ{i:08d}" for i in range(n)])
    keys = iter(SurrogateSpace([policy]).replace(policy))  # the pipeline's own surrogates
    rows = []
    for age in AGES:
        for sex in ("男", "女"):
            for i in range(persons_per_class):
                key = next(keys)
                for j in range(2):
                    rows.append({"年齢": age, "性別": sex, "傷病分類": DISEASES[(i + j) % 3],
                                 "保険種類": ("医療", "がん")[i % 2],
                                 "保険料": int(rng.integers(1000, 20000)),
                                 "契約キー": key})
    df = pd.DataFrame(rows)
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def candidate(df: pd.DataFrame, audience: str = "internal", k: int = K) -> ReleaseCandidate:
    columns = (
        ColumnSpec("証券番号", "linking_code", output="契約キー"),
        ColumnSpec("氏名", "identifier"),
        ColumnSpec("生年月日", "quasi_identifier", type="date", output="年齢",
                   hierarchy=HierarchySpec("file")),
        ColumnSpec("性別", "quasi_identifier", type="sex", hierarchy=HierarchySpec("flat")),
        ColumnSpec("傷病名", "sensitive", output="傷病分類", hierarchy=HierarchySpec("flat")),
        ColumnSpec("保険種類", "attribute"),
        ColumnSpec("保険料", "attribute", type="amount", top_code=20000, bottom_code=0),
        ColumnSpec("備考", "free_text"),
    )
    spec = TableSpec("policyholders", None, person_key="証券番号", columns=columns,
                     models=(ModelSpec("distinct-l-diversity", column="傷病名", l=2),))
    hierarchies = {"年齢": _hierarchy("年齢", AGES), "性別": _hierarchy("性別", ["男", "女"])}
    persons = df.groupby(["年齢", "性別"])["契約キー"].nunique()
    table = TableResult(
        name="policyholders", spec=spec, data=df, quasi_identifiers=("年齢", "性別"), sensitive=("傷病分類",),
        attributes=("保険種類", "保険料"), person_key="契約キー", levels={"年齢": 0, "性別": 0},
        hierarchies=hierarchies, rows_in=len(df), suppressed_rows=0, min_class_size=int(persons.min()),
        classes=len(persons), k=k,
        metrics={"models": [{"name": "k-anonymity", "k": k},
                            {"name": "distinct-l-diversity", "column": "傷病分類", "l": 2}]},
    )
    config = Config(
        source=Path("test.yaml"), sha256="0" * 64,
        release=ReleaseSpec("テスト", audience=audience),  # type: ignore[arg-type]
        privacy=PrivacySpec(k=k, suppression_limit=0.05, reference_date=dt.date(2026, 4, 1)),
        tables=(spec,),
    )
    return ReleaseCandidate("test-release", dt.datetime(2026, 4, 1, tzinfo=dt.UTC), config,
                            {"policyholders": table}, {})


def gate(c: ReleaseCandidate, directory: Path) -> dict:
    """The gate alone on ``c``'s tables (written as :func:`write_release` writes them, with the manifest it
    builds), for data the published items would refuse before the gate could name what is wrong."""
    return validate_release(c, directory, build_manifest(c, write_tables(c, directory)))


def make_release(directory: Path, df: pd.DataFrame | None = None, audience: str = "internal") -> Path:
    """A complete release directory, written as ``pipeline.run`` writes one (:func:`write_release`)."""
    write_release(candidate(frame() if df is None else df, audience), directory)
    return directory


def reseal(directory: Path, manifest: dict | None = None) -> None:
    """Recompute the ``files`` map (what a careful tamperer would do after editing a file)."""
    manifest = manifest or json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"] = file_checksums(directory)
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"  # a tamperer's own serialisation
    (directory / MANIFEST).write_text(text, encoding="utf-8")
