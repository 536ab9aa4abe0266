"""``generate_extracts``: the seeded synthetic policyholder and claims extracts, written to a directory."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.generate.claims import build_claims
from pipeline.generate.policyholders import build_policyholders
from pipeline.generate.pools import build_pools
from pipeline.generate.writer import Encoding, Format, write_table


def generate_extracts(
    out_dir: Path,
    rows: int,
    seed: int = 0,
    fmt: Format = "csv",
    encoding: Encoding = "utf-8",
) -> dict[str, Path]:
    """Write ``policyholders`` (``rows`` rows) and ``claims`` (~0.6 per policy) to ``out_dir``.

    The same seed gives byte-identical files (for a given Faker version); ``encoding`` applies to CSV only.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    policies, facts = build_policyholders(rows, rng, build_pools(seed))
    claims = build_claims(facts, rng)
    return {
        "policyholders": write_table(policies, out_dir / "policyholders", fmt, encoding),
        "claims": write_table(claims, out_dir / "claims", fmt, encoding),
    }
