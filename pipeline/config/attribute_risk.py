"""``privacy.attribute_risk`` and friends: the policy on risk over *all* released columns (issue 15).

Keys (all optional, under ``privacy:``):

- ``attribute_risk: warn | fail`` — what a release whose rows are unique over all its released columns
  (quasi-identifiers and attributes; surrogate keys, sensitive values and scrubbed free text excluded) gets:
  a warning in the report, manifest and run summary, or no release at all (exit 6). Default ``fail`` for
  ``audience: third_party`` (the data leaves the company: 法43条4項), ``warn`` for ``internal``.
- ``attribute_risk_threshold`` — the share of rows (0 ≤ share < 1) that may be unique over all released
  columns before the policy applies; default 0: no unique row at all.
- ``suda_max_columns`` — m, the largest column subset searched for special uniques (SUDA); default 3.
- ``protected_attribute_weight`` — the search weight of a promoted attribute (default 0.5, half a declared
  quasi-identifier's: the attribute is coarsened before the analyst's research dimensions).
- ``protect_attributes: true`` — attributes that drive special uniques become extra quasi-identifiers (with
  their hierarchy, or a default one: amounts in bands, dates by month and year, codes with rare values in
  その他), so the search finds the least-loss release k-anonymous on them too (``pipeline.attributes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

#: The keys this module reads under ``privacy:``.
KEYS: tuple[str, ...] = ("attribute_risk", "attribute_risk_threshold", "suda_max_columns",
                         "protect_attributes", "protected_attribute_weight")


@dataclass(frozen=True)
class AttributeRiskSpec:
    policy: Literal["warn", "fail"] = "warn"
    threshold: float = 0.0
    max_columns: int = 3
    protect: bool = False
    #: The search weight (``weight`` of a quasi-identifier) of a promoted attribute. Below the declared
    #: quasi-identifiers' 1 so that the search coarsens the attribute before the analyst's dimensions:
    #: on the 5,000-policyholder demo without analyst weights, 1.0 deletes 年齢 to keep 保険金額; 0.5
    #: keeps 年齢 in 10-year bands (its level without the promotion) and bands 保険料 instead (README).
    weight: float = 0.5


def parse(n: Any, audience: str) -> AttributeRiskSpec:
    """Read the keys from the ``privacy`` node ``n`` (a loader ``_Node``); defaults follow ``audience``."""
    default = "fail" if audience == "third_party" else "warn"
    policy = n.choice("attribute_risk", ["warn", "fail"], default)
    threshold = n.get("attribute_risk_threshold", float, 0.0)
    if not 0.0 <= threshold < 1.0:
        n.fail(f"must be a share of rows in [0, 1), found {threshold}", "attribute_risk_threshold")
    m = n.get("suda_max_columns", int, 3)
    if m < 1:
        n.fail(f"must be at least 1 column, found {m}", "suda_max_columns")
    weight = n.get("protected_attribute_weight", float, AttributeRiskSpec.weight)
    if not weight > 0:
        n.fail(f"must be a positive number, found {weight}", "protected_attribute_weight")
    return AttributeRiskSpec(policy=policy, threshold=threshold, max_columns=m,
                             protect=n.get("protect_attributes", bool, False), weight=weight)
