"""A small, hand-built ReleaseCandidate: real TableResult / Hierarchy objects, a tiny released DataFrame."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.config.model import ColumnSpec, Config, HierarchySpec, PrivacySpec, ReleaseSpec, TableSpec
from pipeline.hierarchies.base import Hierarchy
from pipeline.publication.items import write_published_items
from pipeline.release.candidate import ReleaseCandidate, TableResult
from pipeline.release.manifest import MANIFEST, Manifest, build_manifest, file_checksums, write_tables

AGE_DESCRIPTIONS = (
    "年齢(1歳単位、90歳以上は一括)",
    "年齢(5歳階級、90歳以上は一括)",
    "年齢(10歳階級、90歳以上は一括)",
    "年齢(削除)",
)


def age_hierarchy() -> Hierarchy:
    rows = []
    for a in range(20, 90):
        lo5, lo10 = a - a % 5, a - a % 10
        rows.append([f"{a}歳", f"{lo5}〜{lo5 + 4}歳", f"{lo10}〜{lo10 + 9}歳", "*"])
    rows.append(["90歳以上", "90歳以上", "90歳以上", "*"])
    return Hierarchy.from_rows("年齢", rows, AGE_DESCRIPTIONS)


def pref_hierarchy() -> Hierarchy:
    rows = [
        ["東京都", "関東", "*"],
        ["神奈川県", "関東", "*"],
        ["大阪府", "近畿", "*"],
        ["京都府", "近畿", "*"],
    ]
    return Hierarchy.from_rows("住所", rows, ("住所(都道府県)", "住所(地方)", "住所(削除)"))


def make_config(release: ReleaseSpec | None = None, **column_overrides: ColumnSpec) -> Config:
    columns = {
        "証券番号": ColumnSpec("証券番号", "linking_code", output="契約キー"),
        "氏名": ColumnSpec("氏名", "identifier"),
        "生年月日": ColumnSpec(
            "生年月日",
            "quasi_identifier",
            type="date",
            output="年齢",
            hierarchy=HierarchySpec("age", bands=(5, 10), top_code=90),
        ),
        "住所": ColumnSpec(
            "住所", "quasi_identifier", hierarchy=HierarchySpec("address"), description="契約者の居住地"
        ),
        "保険種類": ColumnSpec("保険種類", "attribute", description="契約している保険の種類"),
        "保険料": ColumnSpec("保険料", "attribute", type="amount", top_code=100000, bottom_code=0),
        "備考": ColumnSpec("備考", "free_text"),
    }
    columns.update(column_overrides)
    table = TableSpec(
        "policyholders", Path("policyholders.csv"), person_key="証券番号", columns=tuple(columns.values())
    )
    return Config(
        source=Path("/nonexistent/configs/test.yaml"),
        sha256="0" * 64,
        release=release
        or ReleaseSpec(
            dataset_name="契約者データ(研究用)", contact="お客様相談室 0120-000-000", purpose="保険商品の開発"
        ),
        privacy=PrivacySpec(k=2, suppression_limit=0.1, reference_date=dt.date(2025, 4, 1)),
        tables=(table,),
    )


def third_party_release() -> ReleaseSpec:
    return ReleaseSpec(
        dataset_name="再保険会社向け契約データ",
        audience="third_party",
        recipient_category="再保険会社",
        provision_method="暗号化したファイルをアクセス制御されたサーバで提供",
        continuous=True,
        contact="お客様相談室 0120-000-000",
    )


def make_candidate(
    config: Config | None = None,
    levels: dict[str, int] | None = None,
    release_id: str = "20250401T000000Z-abcdef12",
) -> ReleaseCandidate:
    config = config or make_config()
    spec = config.tables[0]
    levels = levels or {"年齢": 1, "住所": 1}
    age, pref = age_hierarchy(), pref_hierarchy()
    rng = np.random.default_rng(0)
    n = 12
    ages = age.generalise(age.encode(pd.Series([f"{a}歳" for a in rng.integers(20, 60, n)])), levels["年齢"])
    prefs = pref.generalise(pref.encode(pd.Series(rng.choice(["東京都", "大阪府"], n))), levels["住所"])
    data = {}
    for c in spec.kept_columns:
        out = c.output_name
        if out == "契約キー":
            data[out] = [f"K{i:08x}" for i in rng.integers(0, 2**31, n)]
        elif out == "年齢":
            data[out] = ages
        elif out == "住所":
            data[out] = prefs
        elif out == "保険料":
            data[out] = rng.integers(1000, 9000, n)
        else:
            data[out] = rng.choice(["家財", "ペット"], n)
    df = pd.DataFrame(data)
    qi = tuple(c.output_name for c in spec.by_role("quasi_identifier") if c.kept)
    table = TableResult(
        name=spec.name,
        spec=spec,
        data=df,
        quasi_identifiers=qi,
        sensitive=(),
        attributes=tuple(c.output_name for c in spec.by_role("attribute")),
        person_key="契約キー",
        levels={k: v for k, v in levels.items() if k in qi},
        hierarchies={"年齢": age, "住所": pref},
        rows_in=n,
        suppressed_rows=0,
        min_class_size=2,
        classes=4,
        k=2,
    )
    return ReleaseCandidate(
        release_id=release_id,
        created_at=dt.datetime(2025, 4, 1, 9, 30, tzinfo=dt.UTC),
        config=config,
        tables={spec.name: table},
        inputs={"policyholders": {"file": "policyholders.csv", "sha256": "1" * 64}},
    )


@pytest.fixture
def candidate() -> ReleaseCandidate:
    return make_candidate()


def replace_release(config: Config, **changes: object) -> Config:
    return dataclasses.replace(config, release=dataclasses.replace(config.release, **changes))


def write_release(candidate: ReleaseCandidate, release_dir: Path) -> Manifest:
    """Lay out a release directory the way ``pipeline.run`` does (data, items, validation, manifest), with the
    pipeline's own writers and the real :class:`Manifest` (so a drift between the dataclass and these tests
    cannot hide), but without the report and the gate: the hand-built candidate is not what they test. The
    gate's place is taken by a passing ``validation/results.json``; the manifest's ``validation`` stays null,
    so the ``created`` event reads the outcome from that file."""
    entries = write_tables(candidate, release_dir)
    (release_dir / "validation").mkdir()
    (release_dir / "validation" / "results.json").write_text('{"success": true}\n', encoding="utf-8")
    write_published_items(candidate, release_dir)
    manifest = dataclasses.replace(build_manifest(candidate, entries), files=file_checksums(release_dir))
    (release_dir / MANIFEST).write_text(manifest.dumps(), encoding="utf-8")
    return manifest
