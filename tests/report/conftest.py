"""A hand-made ReleaseCandidate: generalised with real hierarchies, suppressed below k, like the pipeline.

Leaf labels of the city and diagnosis hierarchies carry a marker (秘) so a test can prove that no level-0
value reaches the report; 沖縄県 is held by fewer than k persons, so it is suppressed and must not appear.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.config.model import ColumnSpec, Config, PrivacySpec, ReleaseSpec, TableSpec
from pipeline.hierarchies.base import Hierarchy
from pipeline.metrics.utility import level_shares
from pipeline.release.candidate import ReleaseCandidate, TableResult

K = 5
PREFS = {"東京都": 0.45, "大阪府": 0.3, "北海道": 0.24, "沖縄県": 0.01}
DIAG = {"循環器系": ["秘病A", "秘病B"], "新生物": ["秘病C", "秘病D", "秘病E"], "呼吸器系": ["秘病F"]}


def city_leaves() -> list[str]:
    return [f"秘市{i:03d}" for i in range(40)]


def diag_leaves() -> list[str]:
    return [leaf for leaves in DIAG.values() for leaf in leaves]


def _hierarchies() -> dict[str, Hierarchy]:
    prefs = list(PREFS)
    city_rows = [[c, prefs[i % 3] if i < 39 else "沖縄県", "*"] for i, c in enumerate(city_leaves())]
    age_rows = [[str(a), f"{a // 5 * 5}-{a // 5 * 5 + 4}歳", f"{a // 20 * 20}-{a // 20 * 20 + 19}歳", "*"]
                for a in range(20, 80)]
    sex_rows = [["男", "*"], ["女", "*"]]
    diag_rows = [[leaf, cat, "*"] for cat, leaves in DIAG.items() for leaf in leaves]
    return {
        "居住地": Hierarchy.from_rows("居住地", city_rows, ("市区町村", "都道府県", "全て一括")),
        "年齢": Hierarchy.from_rows("年齢", age_rows,
                                    ("年齢(1歳)", "年齢(5歳階級)", "年齢(20歳階級)", "全て一括")),
        "性別": Hierarchy.from_rows("性別", sex_rows),
        "傷病分類": Hierarchy.from_rows("傷病分類", diag_rows, ("傷病名", "傷病分類", "全て一括")),
    }


def make_candidate(
    rows: int = 400, seed: int = 7, with_metrics: bool = True, null_share: float = 0.03
) -> ReleaseCandidate:
    rng = np.random.default_rng(seed)
    hier = _hierarchies()
    persons = rng.integers(0, int(rows * 0.8), rows)
    person_attrs = pd.DataFrame({
        "居住地": rng.choice(city_leaves(), int(rows * 0.8)),
        "年齢": rng.integers(20, 80, int(rows * 0.8)).astype(str),
        "性別": rng.choice(["男", "女"], int(rows * 0.8)),
    })
    before = person_attrs.iloc[persons].reset_index(drop=True)
    before["傷病分類"] = rng.choice(diag_leaves(), rows)
    before.loc[rng.random(rows) < null_share, "年齢"] = None
    levels = {"居住地": 1, "年齢": 2, "性別": 0, "傷病分類": 1}
    data = pd.DataFrame({
        col: hier[col].generalise(hier[col].encode(before[col]), levels[col]) for col in levels
    })
    data["person"] = [f"P{p:05d}" for p in persons]
    qis = ("居住地", "年齢", "性別")
    size = data.groupby(list(qis), dropna=False)["person"].transform("nunique")
    released = data[size >= K].sample(frac=1.0, random_state=seed).reset_index(drop=True)
    sizes = released.groupby(list(qis), dropna=False)["person"].nunique()
    columns = (
        ColumnSpec("証券番号", "linking_code", output="person"),
        ColumnSpec("住所", "quasi_identifier", output="居住地"),
        ColumnSpec("生年月日", "quasi_identifier", type="date", output="年齢"),
        ColumnSpec("性別", "quasi_identifier", type="sex"),
        ColumnSpec("傷病名", "sensitive", output="傷病分類", level=1),
    )
    spec = TableSpec("claims", Path("claims.csv"), person_key="証券番号", columns=columns)
    metrics: dict = {}
    if with_metrics:
        metrics = {
            "risk": {
                "before": {"prosecutor_max": 1.0, "prosecutor_avg": 0.61, "records_at_risk": 0.83,
                           "sample_uniques": 0.5, "marketer": 0.6},
                "after": {"prosecutor_max": 1 / int(sizes.min()), "prosecutor_avg": 0.08,
                          "records_at_risk": 0.0, "sample_uniques": 0.0, "marketer": 0.05},
            },
            "loss": {"per_attribute": {"居住地": 0.35, "年齢": 0.4, "性別": 0.0}, "lm": 0.27},
            "utility": {"suppressed_share": (rows - len(released)) / rows,
                        "levels": {q: level_shares(released[q], hier[q], rows) for q in qis}},
        }
    table = TableResult(
        name="claims", spec=spec, data=released, quasi_identifiers=qis, sensitive=("傷病分類",),
        attributes=(),
        person_key="person", levels=levels, hierarchies=hier, rows_in=rows,
        suppressed_rows=rows - len(released), min_class_size=int(sizes.min()), classes=len(sizes), k=K,
        metrics=metrics, rare_values={"傷病分類": 0}, before=before,
    )
    config = Config(
        source=Path("/nonexistent/demo.yaml"), sha256="0" * 64,
        release=ReleaseSpec(dataset_name="請求データ(テスト)", purpose="商品開発"),
        privacy=PrivacySpec(k=K, suppression_limit=0.1, reference_date=dt.date(2024, 4, 1)),
        tables=(spec,),
    )
    return ReleaseCandidate(
        release_id="r-test", created_at=dt.datetime(2024, 4, 1, 9, 0, tzinfo=dt.UTC), config=config,
        tables={"claims": table}, inputs={"claims": {"file": "claims.csv", "sha256": "1" * 64}},
    )


@pytest.fixture(scope="module")
def candidate() -> ReleaseCandidate:
    return make_candidate()
