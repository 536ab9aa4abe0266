"""configs/reinsurer.yaml is demo.yaml with another release block, nothing else: a drift guard."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def test_reinsurer_profile_differs_from_demo_only_in_its_release_block():
    demo, reinsurer = load_config(CONFIGS / "demo.yaml"), load_config(CONFIGS / "reinsurer.yaml")
    assert reinsurer.tables == demo.tables
    assert reinsurer.privacy == demo.privacy
    assert reinsurer.detection == demo.detection
    rel = reinsurer.release
    assert rel.audience == "third_party" and rel.legal_category == "匿名加工情報"
    assert rel.recipient_category == "再保険会社" and rel.provision_method
    assert rel.contact == demo.release.contact
