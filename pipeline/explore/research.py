"""Reading a release for research (利用目的 7): load its tables, claim rates by group, mixes.

Works on released data only (generalised labels, surrogate keys of one release). The join of claims to
policyholders uses the release's own surrogate key, which is consistent across the tables of one release
and links to nothing outside it. Groups with fewer than ``min_persons`` persons are dropped from results,
so a figure computed here never singles out a small group (a research output is published too).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.release.manifest import read_manifest


def load_release(release_dir: Path) -> dict[str, pd.DataFrame]:
    """Every table of a release directory, by name, as listed in its (typed) manifest."""
    release_dir = Path(release_dir)
    manifest_path = release_dir / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(f"{release_dir}: no manifest.json; not a release directory")
    tables = read_manifest(release_dir).tables
    return {name: pd.read_parquet(release_dir / (t.file or f"data/{name}.parquet"))
            for name, t in tables.items()}


def claim_rates(policyholders: pd.DataFrame, claims: pd.DataFrame, by: Sequence[str], key: str,
                min_persons: int = 10) -> pd.DataFrame:
    """Per group of ``by`` (policyholder columns): persons, claimants, claims, claim rate (claimants /
    persons) and claims per 1,000 persons."""
    persons = policyholders.drop_duplicates(key)
    n_claims = claims.groupby(key).size().rename("claims")
    frame = persons[[key, *by]].merge(n_claims, how="left", left_on=key, right_index=True)
    frame["claims"] = frame["claims"].fillna(0).astype("int64")
    out = frame.groupby(list(by), dropna=False, observed=True).agg(
        persons=(key, "size"), claimants=("claims", lambda c: int((c > 0).sum())), claims=("claims", "sum"))
    out = out[out["persons"] >= min_persons].copy()
    out["claim_rate"] = out["claimants"] / out["persons"]
    out["claims_per_1000"] = 1000 * out["claims"] / out["persons"]
    return out.reset_index()


def mix(frame: pd.DataFrame, column: str, by: str | None = None, min_persons: int = 10,
        key: str | None = None) -> pd.DataFrame:
    """Share of each value of ``column`` (overall, or within each value of ``by``): e.g. product mix."""
    data = frame.drop_duplicates(key) if key else frame
    groups = [by, column] if by else [column]
    counts = data.groupby(groups, dropna=False, observed=True).size().rename("count").reset_index()
    totals = counts.groupby(by)["count"].transform("sum") if by else counts["count"].sum()
    counts["share"] = counts["count"] / totals
    if by:
        counts = counts[totals >= min_persons]
    return counts.sort_values([*([by] if by else []), "count"], ascending=[*([True] if by else []), False])
