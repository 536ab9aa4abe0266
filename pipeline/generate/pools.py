"""Pools of Faker ja_JP values, built once per run and then sampled with numpy.

Calling Faker per row costs ~50 µs, i.e. a minute per million rows; a few thousand draws give the same
variety (Faker's ja_JP lists are short: 50 surnames, 51 given names, 140 towns) with the popularity
weighting Faker applies to surnames preserved by the repeated draws. Kanji, kana and romanised forms
come from Faker's ``*_name_pair`` methods, so a person's 氏名 and カナ always agree. Every pool value is
checked to be encodable in CP932; a value that is not is dropped, so a CP932 export cannot fail.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from faker import Faker

from pipeline.generate.spellings import halfwidth_kana

#: Free-mail and carrier domains seen in Japanese customer data (weights are rough shares).
EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.32),
    ("yahoo.co.jp", 0.22),
    ("docomo.ne.jp", 0.10),
    ("ezweb.ne.jp", 0.06),
    ("softbank.ne.jp", 0.05),
    ("icloud.com", 0.10),
    ("outlook.jp", 0.05),
    ("hotmail.co.jp", 0.04),
    ("nifty.com", 0.03),
    ("biglobe.ne.jp", 0.03),
)


def cp932_ok(text: str) -> bool:
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class NamePool:
    kanji: pa.StringArray
    kana: pa.StringArray
    kana_half: pa.StringArray  # half-width katakana of ``kana``
    roman: pa.StringArray  # lower case, for e-mail local parts


@dataclass(frozen=True)
class Pools:
    surnames: NamePool
    male: NamePool
    female: NamePool
    towns: pa.StringArray
    buildings: pa.StringArray


def _name_pool(draw, size: int) -> NamePool:
    pairs = [p for p in (draw() for _ in range(size)) if cp932_ok(p[0] + p[1])]
    return NamePool(
        kanji=pa.array([p[0] for p in pairs], type=pa.string()),
        kana=pa.array([p[1] for p in pairs], type=pa.string()),
        kana_half=pa.array([halfwidth_kana(p[1]) for p in pairs], type=pa.string()),
        roman=pa.array([p[2].lower() for p in pairs], type=pa.string()),
    )


def _distinct(values: list[str]) -> pa.StringArray:
    seen = dict.fromkeys(v for v in values if v and cp932_ok(v))
    return pa.array(list(seen), type=pa.string())


def build_pools(seed: int, size: int = 3000) -> Pools:
    """Draw the pools with a Faker ja_JP instance seeded with ``seed`` (deterministic per Faker version)."""
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    return Pools(
        surnames=_name_pool(fake.last_name_pair, size),
        male=_name_pool(fake.first_name_male_pair, size // 2),
        female=_name_pool(fake.first_name_female_pair, size // 2),
        towns=_distinct([fake.town() for _ in range(size // 5)]),
        buildings=_distinct([fake.building_name() for _ in range(100)]),
    )
