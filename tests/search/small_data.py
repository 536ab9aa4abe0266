"""A small synthetic claims-like table with hand-written hierarchies, shared by the search tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.hierarchies.base import Hierarchy
from pipeline.search.engine import QuasiIdentifier, SensitiveColumn


def hierarchies() -> dict[str, Hierarchy]:
    ages = [[str(a), f"{a // 5 * 5}-{a // 5 * 5 + 4}", f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"]
            for a in range(20, 60)]
    area = {"札幌": "北日本", "仙台": "北日本", "東京": "東日本", "横浜": "東日本",
            "大阪": "西日本", "神戸": "西日本", "福岡": "西日本", "那覇": "西日本"}
    regions = [[city, a, "*"] for city, a in area.items()]
    return {
        "age": Hierarchy.from_rows("age", ages),
        "sex": Hierarchy.from_rows("sex", [["男", "*"], ["女", "*"]]),
        "region": Hierarchy.from_rows("region", regions),
    }


def frame(rows: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    person = rng.integers(0, int(rows * 0.6), rows)
    # a person's quasi-identifiers are mostly stable across their rows, as in a claims table
    base_age = rng.integers(20, 60, person.max() + 1)
    age = np.clip(base_age[person] + (rng.random(rows) < 0.1), 20, 59)
    sex = np.array(["男", "女"])[rng.integers(0, 2, person.max() + 1)][person]
    region = np.array(["札幌", "仙台", "東京", "横浜", "大阪", "神戸", "福岡", "那覇"])[
        rng.choice(8, rows, p=[.05, .05, .35, .2, .15, .1, .07, .03])]
    names = ["風邪", "骨折", "胃炎", "肺炎", "腰痛", "希少疾患"]
    disease = rng.choice(names, rows, p=[.4, .2, .15, .12, .1, .03])
    amount = rng.choice(5, rows, p=[.35, .3, .2, .1, .05])
    return pd.DataFrame({"person": person, "age": age.astype(str), "sex": sex, "region": region,
                         "disease": disease, "amount": amount})


def encode(df: pd.DataFrame) -> tuple[list[QuasiIdentifier], list[SensitiveColumn]]:
    hs = hierarchies()
    qis = [QuasiIdentifier(n, hs[n].encode(df[n]), hs[n]) for n in ("age", "sex", "region")]
    d_codes, d_uniq = pd.factorize(df["disease"], sort=True)
    sens = [SensitiveColumn("disease", d_codes.astype(np.int32), len(d_uniq)),
            SensitiveColumn("amount", df["amount"].to_numpy().astype(np.int32), 5, ordered=True)]
    return qis, sens
