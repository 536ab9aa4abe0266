"""Drift between the places a privacy model is named: the registry (``pipeline.privacy.MODELS``), the
config's names (``MODEL_NAMES``), the gate's expectations (``MODEL_EXPECTATIONS``), the config keys the suite
binds (``ModelSpec``), and the one-file-per-model layout. A model added in one place and not the others
fails here."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from pipeline.config.model import MODEL_NAMES, ModelSpec
from pipeline.privacy import MODELS
from pipeline.validation.expectations import EXPECTATIONS, MODEL_EXPECTATIONS, MODEL_RULES

PRIVACY_DIR = Path(__file__).resolve().parents[2] / "pipeline" / "privacy"


def test_registry_config_names_and_expectations_are_one_set() -> None:
    assert list(MODELS) == list(MODEL_NAMES)
    assert set(MODEL_EXPECTATIONS) == set(MODEL_NAMES)


def test_every_model_has_exactly_one_expectation_and_every_expectation_one_model() -> None:
    counts = Counter(rule.model for rule in MODEL_RULES)
    assert set(counts) == set(MODELS.values())
    assert all(n == 1 for n in counts.values()), counts
    for name, rule in MODEL_EXPECTATIONS.items():
        assert rule.model is MODELS[name]
        assert EXPECTATIONS[rule.expectation_type] is rule  # registered with the suite's profiles


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_one_file_per_model_and_its_expectation_alongside(name: str) -> None:
    cls = MODELS[name]
    module = name.replace("-", "_")
    assert cls.__module__ == f"pipeline.privacy.{module}"
    assert (PRIVACY_DIR / f"{module}.py").is_file()
    assert MODEL_EXPECTATIONS[name].__module__ == f"pipeline.validation.expectations.{module}"


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_parameters_are_config_keys_and_expectation_fields(name: str) -> None:
    """Each declared parameter is a ``ModelSpec`` field (the loader and the manifest carry it) and a kwarg of
    the model's expectation (the gate checks the threshold the config set)."""
    cls = MODELS[name]
    spec_fields = {f.name for f in dataclasses.fields(ModelSpec)}
    rule_fields = set(MODEL_EXPECTATIONS[name].__fields__)
    for p in cls.parameters:
        assert p.name in spec_fields, p.name
        assert p.name in rule_fields, p.name
        assert p.name in MODEL_EXPECTATIONS[name].success_keys
    assert ("sensitive" in rule_fields) == cls.takes_column
