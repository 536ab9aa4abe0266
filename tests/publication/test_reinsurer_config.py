"""configs/reinsurer.yaml is demo.yaml with another release block and its own analyst priorities (weight,
max_level), nothing else: a drift guard."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipeline.config import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def test_reinsurer_profile_differs_from_demo_only_in_its_release_block():
    demo, reinsurer = load_config(CONFIGS / "demo.yaml"), load_config(CONFIGS / "reinsurer.yaml")
    assert _without_priorities(reinsurer.tables) == _without_priorities(demo.tables)
    ages = [t.column("生年月日") for t in (demo.table("policyholders"), reinsurer.table("policyholders"))]
    assert [c.weight for c in ages] == [4.0, 4.0]  # both users need age bands
    # the attribute-risk policy defaults by audience (issue 15): fail for a third party, warn inside
    assert (demo.privacy.attribute_risk.policy, reinsurer.privacy.attribute_risk.policy) == ("warn", "fail")
    assert replace(reinsurer.privacy, attribute_risk=demo.privacy.attribute_risk) == demo.privacy
    assert reinsurer.detection == demo.detection
    rel = reinsurer.release
    assert rel.audience == "third_party" and rel.legal_category == "匿名加工情報"
    assert rel.recipient_category == "再保険会社" and rel.provision_method
    assert rel.contact == demo.release.contact


def _without_priorities(tables):
    return tuple(replace(t, columns=tuple(replace(c, weight=1.0, max_level=None) for c in t.columns))
                 for t in tables)
