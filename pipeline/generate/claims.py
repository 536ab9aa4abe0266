"""The claims extract: 0..n claims per policy, linked by 証券番号, consistent with the policy.

Medical (少額医療) policies claim most (negative binomial: many never claim, a few claim often);
death and funeral policies claim at most once, more often the older the insured; 家財 and ペット claims
are not in this (health) extract. Every claim falls after its contract date and before the reference
date; the payment never exceeds the sum insured. A handful of claims carry a rare disease.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipeline.generate import spellings as sp
from pipeline.generate.memos import CLAIM_NOTES, fill
from pipeline.generate.policyholders import LAST_DAY, PolicyFacts, _increasing_numbers
from pipeline.generate.render import choose
from pipeline.generate.vocab import DISEASES, PRODUCTS, RARE_DISEASES

CLAIM_COLUMNS: tuple[str, ...] = (
    "請求番号",
    "証券番号",
    "請求日",
    "傷病名",
    "入院日数",
    "支払額",
    "担当者メモ",
)

WAITING_DAYS = 30  # no claim in the first month of cover (免責期間)
MEDICAL, DEATH_PRODUCTS = "少額医療", ("葬儀", "死亡")


def _claim_counts(facts: PolicyFacts, rng: np.random.Generator, last: int) -> np.ndarray:
    n = len(facts.product)
    counts = np.zeros(n, dtype=np.int64)
    for k, p in enumerate(PRODUCTS):
        rows = np.flatnonzero(facts.product == k)
        if p.name == MEDICAL:
            r = 0.7  # dispersion: a few heavy claimants
            counts[rows] = np.minimum(rng.negative_binomial(r, r / (r + p.claims_per_policy), len(rows)), 12)
        elif p.name in DEATH_PRODUCTS:
            prob = np.clip(p.claims_per_policy * (facts.age_ref[rows] / 65.0) ** 2, 0.0, 0.9)
            counts[rows] = rng.random(len(rows)) < prob
    counts[facts.contract_day > last - WAITING_DAYS] = 0
    return counts


def _diseases(rng, female: np.ndarray, death: np.ndarray) -> np.ndarray:
    out = np.zeros(len(female), dtype=np.int64)
    for is_female in (False, True):
        for is_death in (False, True):
            rows = np.flatnonzero((female == is_female) & (death == is_death))
            w = np.array([d.w_female if is_female else d.w_male for d in DISEASES])
            if is_death:
                w = w * np.array([d.death_cause for d in DISEASES])
            out[rows] = choose(rng, len(rows), w)
    medical = np.flatnonzero(~death)
    n_rare = 0 if len(medical) < 50 else min(5, max(1, round(len(medical) / 2000)))
    rare_codes = [i for i, d in enumerate(DISEASES) if d.name in RARE_DISEASES]
    picked = rng.choice(medical, size=min(len(medical), n_rare * len(rare_codes)), replace=False)
    out[picked] = np.repeat(rare_codes, n_rare)[: len(picked)]
    return out


def build_claims(facts: PolicyFacts, rng: np.random.Generator) -> pa.Table:
    last = sp.to_day(LAST_DAY)
    policy = np.repeat(np.arange(len(facts.product)), _claim_counts(facts, rng, last))
    n = len(policy)
    start = facts.contract_day[policy] + WAITING_DAYS
    day = start + (rng.random(n) * (last - start + 1)).astype(np.int64)
    order = np.argsort(day, kind="stable")  # claim numbers are issued in date order
    policy, day = policy[order], day[order]

    product_names = np.array([p.name for p in PRODUCTS])[facts.product[policy]]
    death = np.isin(product_names, DEATH_PRODUCTS)
    disease = _diseases(rng, facts.female[policy], death)
    inpatient = rng.random(n) < np.where(death, 0.5, 0.6)
    days = np.where(inpatient, np.minimum(rng.geometric(1 / 9, n), 180), 0)
    sums = facts.sum_insured[policy]
    daily = np.where(sums < 500_000, 5_000, 10_000)
    surgery = np.where(rng.random(n) < 0.3, rng.choice([50_000, 100_000], n), 0)
    medical_pay = np.where(days > 0, daily * days + surgery, rng.integers(50, 301, n) * 100)
    paid = np.where(death, sums, np.minimum(medical_pay, sums))

    take = pa.array(policy)
    fields = {k: v.take(take) for k, v in facts.memo_fields.items()}
    columns = {
        "請求番号": sp.numbered("CL", _increasing_numbers(rng, n)),
        "証券番号": facts.numbers.take(take),
        "請求日": sp.dates(day, rng, sp.EVENT_DATE_WEIGHTS),
        "傷病名": pa.array([d.name for d in DISEASES]).take(pa.array(disease)),
        "入院日数": sp.counts(days, rng),
        "支払額": sp.amounts(paid, rng),
        "担当者メモ": fill(CLAIM_NOTES, fields, n, rng),
    }
    assert tuple(columns) == CLAIM_COLUMNS
    return pa.table(columns)
