"""The policyholders extract: one row per policy, personal data in messy spellings.

Clean facts (days, integers, indices) are drawn first with numpy, then spelled (:mod:`spellings`).
The facts the claims table needs (product, dates, age, sum insured, PII for memos) are returned in
:class:`PolicyFacts` so claims stay consistent with their policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.random import Generator

from pipeline.generate import spellings as sp
from pipeline.generate.geography import PREFECTURES
from pipeline.generate.memos import POLICY_NOTES, fill
from pipeline.generate.pools import EMAIL_DOMAINS, Pools
from pipeline.generate.render import by_group, choose, digit_matrix, from_distinct, join, where
from pipeline.generate.vocab import N_AGENCIES, N_RARE_AGENCIES, OCCUPATIONS, PRODUCTS

POLICY_COLUMNS: tuple[str, ...] = (
    "証券番号", "氏名", "カナ", "生年月日", "性別", "郵便番号", "住所", "電話", "e-mail", "個人番号",
    "職業", "保険種類", "保険料", "保険金額", "契約日", "代理店コード", "備考",
)  # fmt: skip

REFERENCE_DATE = date(2026, 4, 1)  # the demo's reference date; every event happens before it
FIRST_CONTRACT = date(2015, 1, 1)
LAST_DAY = date(2026, 3, 31)
CENTENARIAN_RATE = 0.0005  # born 1918-1925: ages over 100 at the reference date
#: (mean, sd) of the age at contract per product, in PRODUCTS order.
AGE_AT_CONTRACT = ((38, 12), (42, 11), (45, 14), (70, 8), (50, 13))
PHONE_LAYOUTS: tuple[tuple[int, ...], ...] = ((3, 4, 4), (2, 4, 4), (3, 3, 4), (4, 2, 4), (4, 3, 3))


@dataclass(frozen=True)
class PolicyFacts:
    """What claims need to know about each policy (row-aligned with the policyholders table)."""

    numbers: pa.StringArray
    product: np.ndarray
    contract_day: np.ndarray
    age_ref: np.ndarray
    female: np.ndarray
    sum_insured: np.ndarray
    memo_fields: dict[str, pa.Array]


def years_between(birth_days: np.ndarray, ref: date) -> np.ndarray:
    """Completed years from each birth day (days since 1970) to ``ref``."""
    d = birth_days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    before = (m > ref.month) | ((m == ref.month) & (dd > ref.day))
    return ref.year - y - before.astype(np.int64)


def _increasing_numbers(rng: Generator, n: int) -> np.ndarray:
    """Unique 8-digit serials that increase with issue order, with random gaps (cancelled/void numbers)."""
    if n > 50_000_000:
        raise ValueError("at most 50,000,000 rows: policy numbers have 8 digits")
    gap = max(1, min(40, 90_000_000 // max(n, 1)))
    return int(rng.integers(1_000, 100_000)) + np.cumsum(rng.integers(1, gap + 1, size=n))


def _names(rng: Generator, pools: Pools, female: np.ndarray) -> tuple[pa.Array, ...]:
    n = len(female)
    surname = pa.array(rng.integers(0, len(pools.surnames.kanji), n))
    fm, ff = len(pools.male.kanji), len(pools.female.kanji)
    first = np.where(female, fm + rng.integers(0, ff, n), rng.integers(0, fm, n))
    first_idx = pa.array(first)

    def cat(attr: str) -> pa.Array:
        return pa.concat_arrays([getattr(pools.male, attr), getattr(pools.female, attr)]).take(first_idx)

    last_k, first_k = pools.surnames.kanji.take(surname), cat("kanji")
    sep = pa.array(np.array([" ", "　", ""])[choose(rng, n, (0.80, 0.15, 0.05))])
    kanji = join(last_k, sep, first_k)
    half = rng.random(n) < 0.12
    kana = where(
        half,
        join(pools.surnames.kana_half.take(surname), " ", cat("kana_half")),
        join(pools.surnames.kana.take(surname), " ", cat("kana")),
    )
    # a family member for memos: same surname, another given name
    family = join(
        last_k,
        " ",
        pa.concat_arrays([pools.male.kanji, pools.female.kanji]).take(pa.array(rng.integers(0, fm + ff, n))),
    )
    return kanji, kana, last_k, family, pools.surnames.roman.take(surname), cat("roman")


def _address(rng: Generator, pools: Pools, pref: np.ndarray) -> tuple[pa.Array, pa.Array]:
    n = len(pref)
    munis = [m for p in PREFECTURES for m in p.municipalities]
    counts = np.array([len(p.municipalities) for p in PREFECTURES])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    muni_idx = offsets[pref] + (rng.random(n) * counts[pref]).astype(np.int64)
    pref_name = pa.array([p.name for p in PREFECTURES]).take(pa.array(pref))
    muni = pa.array(munis).take(pa.array(muni_idx))
    town = pools.towns.take(pa.array(rng.integers(0, len(pools.towns), n)))
    c, b, g = rng.integers(1, 10, n), rng.integers(1, 31, n), rng.integers(1, 31, n)
    style = choose(rng, n, (0.55, 0.25, 0.08, 0.12))
    forms = ("{}丁目{}番{}号", "{}-{}-{}", "{}－{}－{}", "{}丁目{}-{}")

    def block(k: int) -> str:
        s, k = k % 4, k // 4
        text = forms[s].format(k // 1024, (k // 32) % 32, k % 32)
        return sp.fullwidth(text) if s == 2 else text

    blocks = from_distinct(((c * 32 + b) * 32 + g) * 4 + style, block)
    room = from_distinct(rng.integers(1, 13, n) * 100 + rng.integers(1, 10, n), str)
    building = join(
        " ",
        pools.towns.take(pa.array(rng.integers(0, len(pools.towns), n))),
        pools.buildings.take(pa.array(rng.integers(0, len(pools.buildings), n))),
        room,
    )
    sep = pa.array(np.array(["", " ", "　"])[choose(rng, n, (0.90, 0.07, 0.03))])
    has_building = rng.random(n) < 0.35
    address = join(pref_name, sep, muni, town, blocks, where(has_building, building, ""))
    return address, muni


def _postal_digits(rng: Generator, pref: np.ndarray) -> np.ndarray:
    lo = np.array([p.postal_prefixes[0] for p in PREFECTURES])[pref]
    hi = np.array([p.postal_prefixes[1] for p in PREFECTURES])[pref]
    prefix = lo + (rng.random(len(pref)) * (hi - lo + 1)).astype(np.int64)
    return digit_matrix(prefix * 10_000 + rng.integers(0, 10_000, len(pref)), 7)


def _phone(rng: Generator, pref: np.ndarray) -> pa.StringArray:
    """Mobile (070/080/090), the prefecture's landline area code, 050 IP phones, rare 0120."""
    n = len(pref)
    kind = choose(rng, n, (0.60, 0.32, 0.06, 0.02))  # mobile, landline, 050, 0120
    digits = rng.integers(0, 10, size=(n, 11), dtype=np.uint8)
    digits[:, 0] = 0
    layout = np.zeros(n, dtype=np.int64)
    mobile = kind == 0
    digits[mobile, 1] = np.array([9, 8, 7], np.uint8)[choose(rng, int(mobile.sum()), (0.5, 0.35, 0.15))]
    digits[mobile, 2] = 0
    digits[mobile, 3] = rng.integers(1, 10, int(mobile.sum()), dtype=np.uint8)  # no 090-0xxx
    ip = kind == 2
    digits[ip, 1], digits[ip, 2] = 5, 0
    free = kind == 3
    digits[free, 1:4] = (1, 2, 0)
    layout[free] = 4
    land = kind == 1
    codes = [p.area_code for p in PREFECTURES]
    area_len = np.array([len(a) for a in codes])[pref]
    area = np.array([[int(ch) for ch in a.ljust(4, "0")] for a in codes], dtype=np.uint8)[pref]
    in_area = np.arange(4)[None, :] < area_len[:, None]
    digits[land, :4] = np.where(in_area[land], area[land], digits[land, :4])
    digits[land, area_len[land]] = rng.integers(2, 10, int(land.sum()), dtype=np.uint8)
    layout[land] = area_len[land] - 1  # 2 → (2,4,4), 3 → (3,3,4), 4 → (4,2,4)
    return sp.phones(digits, layout, PHONE_LAYOUTS, rng)


def _email(
    rng: Generator, last_roman: pa.Array, first_roman: pa.Array, birth_year: np.ndarray
) -> pa.StringArray:
    n = len(birth_year)
    num = from_distinct(rng.integers(1, 1000, n), str)
    year = from_distinct(birth_year, str)
    initial = pc.utf8_slice_codeunits(first_roman, 0, 1)
    styles = choose(rng, n, (0.25, 0.15, 0.15, 0.20, 0.10, 0.15))

    def local(s: int, idx: np.ndarray) -> pa.Array:
        t = pa.array(idx)
        f, last, k, y, i = (a.take(t) for a in (first_roman, last_roman, num, year, initial))
        return (
            join(f, ".", last),
            join(last, "_", f),
            join(i, last),
            join(f, last, k),
            join(last, ".", f, y),
            join(last, k),
        )[s]

    domains = pa.array([d for d, _ in EMAIL_DOMAINS]).take(
        pa.array(choose(rng, n, [w for _, w in EMAIL_DOMAINS]))
    )
    return join(by_group(styles, local), "@", domains)


def _agency_codes(rng: Generator, n: int) -> pa.StringArray:
    codes = np.sort(rng.choice(np.arange(1, 10_000), size=N_AGENCIES, replace=False))
    weights = 1.0 / np.arange(1, N_AGENCIES + 1) ** 0.8
    weights[-N_RARE_AGENCIES:] = 0.0002
    labels = sp.numbered("AG", codes, width=4)
    return labels.take(pa.array(choose(rng, n, weights)))


def _blank(rng: Generator, values: pa.Array, p_blank: float) -> pa.Array:
    return pc.if_else(pa.array(rng.random(len(values)) < p_blank), pa.scalar(None, pa.string()), values)


def build_policyholders(n: int, rng: Generator, pools: Pools) -> tuple[pa.Table, PolicyFacts]:
    first, last = sp.to_day(FIRST_CONTRACT), sp.to_day(LAST_DAY)
    product = choose(rng, n, [p.share for p in PRODUCTS])
    # business grows: contract density rises linearly over 2015-2026; rows come in issue order
    contract = np.sort(first + (np.sqrt(rng.random(n)) * (last - first)).astype(np.int64))
    mean = np.array([m for m, _ in AGE_AT_CONTRACT])[product]
    sd = np.array([s for _, s in AGE_AT_CONTRACT])[product]
    lo = np.array([p.age_range[0] for p in PRODUCTS])[product]
    hi = np.array([p.age_range[1] for p in PRODUCTS])[product]
    age_at_contract = np.clip(np.round(rng.normal(mean, sd)), lo, hi).astype(np.int64)
    birth = contract - (age_at_contract * 365.25).astype(np.int64) - rng.integers(0, 365, n)
    n_old = max(1, round(CENTENARIAN_RATE * n)) if n >= 1000 else int(rng.binomial(n, CENTENARIAN_RATE))
    old = rng.choice(n, size=n_old, replace=False)
    birth[old] = rng.integers(sp.to_day(date(1918, 1, 1)), sp.to_day(date(1925, 12, 31)), n_old)
    age_ref = years_between(birth, REFERENCE_DATE)
    female = rng.random(n) < 0.52
    pref = choose(rng, n, [p.population_10k for p in PREFECTURES])

    bracket = np.digitize(age_ref, [23, 65])
    occupation = np.zeros(n, dtype=np.int64)
    for b, attr in enumerate(("w_student_age", "w_working_age", "w_senior")):
        rows = np.flatnonzero(bracket == b)
        occupation[rows] = choose(rng, len(rows), [getattr(o, attr) for o in OCCUPATIONS])

    sums = np.zeros(n, dtype=np.int64)
    premium = np.zeros(n, dtype=np.int64)
    for k, p in enumerate(PRODUCTS):
        rows = np.flatnonzero(product == k)
        sums[rows] = rng.choice(np.array(p.sums_insured), size=len(rows))
        step = 100 if p.name == "家財" else 10
        premium[rows] = (
            rng.integers(p.premium_range[0] // step, p.premium_range[1] // step + 1, len(rows)) * step
        )

    numbers = sp.numbered("KZ", _increasing_numbers(rng, n))
    kanji, kana, surname, family, last_roman, first_roman = _names(rng, pools, female)
    address, muni = _address(rng, pools, pref)
    old_address, _ = _address(rng, pools, choose(rng, n, [p.population_10k for p in PREFECTURES]))
    phone_any = _phone(rng, pref)
    birth_year = birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    email_any = _email(rng, last_roman, first_roman, birth_year)
    my_number_any = sp.my_numbers(sp.my_number_digits(rng, n), rng)
    memo_fields = {
        "name": kanji, "surname": surname, "family": family, "phone": phone_any, "email": email_any,
        "my_number": my_number_any, "address": address, "old_address": old_address,
        "hospital": join(muni, pa.array(np.array(["中央病院", "市民病院", "総合病院", "クリニック"])[
            rng.integers(0, 4, n)])),
    }  # fmt: skip
    columns = {
        "証券番号": numbers,
        "氏名": kanji,
        "カナ": kana,
        "生年月日": sp.dates(birth, rng, sp.BIRTH_DATE_WEIGHTS),
        "性別": sp.sexes(female, rng),
        "郵便番号": sp.postal_codes(_postal_digits(rng, pref), rng),
        "住所": address,
        "電話": _blank(rng, phone_any, 0.03),
        "e-mail": _blank(rng, email_any, 0.25),
        "個人番号": _blank(rng, my_number_any, 0.40),
        "職業": pa.array([o.name for o in OCCUPATIONS]).take(pa.array(occupation)),
        "保険種類": pa.array([p.name for p in PRODUCTS]).take(pa.array(product)),
        "保険料": sp.amounts(premium, rng),
        "保険金額": sp.amounts(sums, rng),
        "契約日": sp.dates(contract, rng, sp.EVENT_DATE_WEIGHTS),
        "代理店コード": _agency_codes(rng, n),
        "備考": fill(POLICY_NOTES, memo_fields, n, rng),
    }
    assert tuple(columns) == POLICY_COLUMNS
    table = pa.table(columns)
    facts = PolicyFacts(numbers, product, contract, age_ref, female, sums, memo_fields)
    return table, facts
