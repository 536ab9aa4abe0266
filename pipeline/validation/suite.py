"""Bind a release profile (``expectations/<profile>.json``) to one table: a concrete GX ExpectationSuite.

Why a generic profile plus per-release parameters rather than one frozen suite per release: the rules (which
checks, which patterns, which extra guards for third parties) are policy and change rarely, so they are
versioned as data; the thresholds and column lists (k, the quasi-identifiers, the allowed labels) belong to
each release and are read from its manifest. The bound suite is what runs, and ``validation/results.json``
records it in full.

A profile rule is ``{"expectation": <GX type>, "for": <scope>, "params": {kwarg: context key}, "kwargs":
{kwarg: constant}}``. A scope (:data:`SCOPES`) yields one context per target (the table, each column, each
linking code …); ``"expectation": "by_model"`` with ``"for": "each_model"`` checks each privacy model the
manifest lists with the expectation registered for it in ``MODEL_EXPECTATIONS``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd

from pipeline.errors import ValidationFailed
from pipeline.resources import project_dir
from pipeline.validation.expectations import EXPECTATIONS, MODEL_EXPECTATIONS, ClassRule
from pipeline.validation.joined import joined_view
from pipeline.validation.rules import TableRules
from pipeline.validation.runner import as_categories

#: Versioned profiles live at the repository root, next to configs/ (STYLE.md §12; see pipeline.resources).
PROFILE_DIR = project_dir("expectations")
PROFILES: tuple[str, ...] = ("internal", "third_party")

Context = dict[str, Any]


def load_profile(name: str, directory: Path = PROFILE_DIR) -> dict[str, Any]:
    """Read and check one profile: every rule names a registered expectation and a known scope."""
    path = directory / f"{name}.json"
    if not path.is_file():
        raise ValidationFailed(f"expectation profile {path} not found; profiles: {', '.join(PROFILES)}")
    profile = json.loads(path.read_text(encoding="utf-8"))
    for i, rule in enumerate(profile.get("rules", [])):
        where = f"{path}, rules[{i}]"
        if rule.get("for") not in SCOPES:
            raise ValidationFailed(f"{where}: unknown scope {rule.get('for')!r}; known: {', '.join(SCOPES)}")
        if rule["expectation"] != "by_model" and rule["expectation"] not in EXPECTATIONS:
            raise ValidationFailed(f"{where}: unknown expectation {rule['expectation']!r}")
    return profile


def _base(rules: TableRules) -> Context:
    return {
        "table": rules.name,
        "rows": rules.rows,
        "columns": list(rules.columns),
        "quasi_identifiers": list(rules.quasi_identifiers),
        "person_key": rules.person_key,
        "k": rules.k,
    }


def _table(rules: TableRules, data: pd.DataFrame) -> Iterator[Context]:
    yield _base(rules)


def _each_column(rules: TableRules, data: pd.DataFrame) -> Iterator[Context]:
    """Every column actually present (an unexpected extra column is scanned too), except surrogates."""
    for column in data.columns:
        if column not in rules.linking_codes:
            yield _base(rules) | {"column": column}


def _each_linking_code(rules: TableRules, data: pd.DataFrame) -> Iterator[Context]:
    for column in rules.linking_codes:
        if column in data.columns:
            yield _base(rules) | {"column": column}


def _each_value_set(rules: TableRules, data: pd.DataFrame) -> Iterator[Context]:
    for column, labels in rules.value_sets.items():
        if column in data.columns:
            yield _base(rules) | {"column": column, "value_set": list(labels)}


def _each_bounded_column(rules: TableRules, data: pd.DataFrame) -> Iterator[Context]:
    for column, (bottom, top) in rules.bounds.items():
        if column in data.columns:
            yield _base(rules) | {"column": column, "min_value": bottom, "max_value": top}


def _each_described_column(rules: TableRules, data: pd.DataFrame) -> Iterator[Context]:
    """Categorical columns describing persons (numbers are covered by their top/bottom codes)."""
    for column in dict.fromkeys(rules.described):
        if column in data.columns and not pd.api.types.is_numeric_dtype(data[column]):
            yield _base(rules) | {"column": column}


def _each_sensitive(rules: TableRules, data: pd.DataFrame) -> Iterator[Context]:
    for column in rules.sensitive:
        if column in data.columns:
            yield _base(rules) | {"sensitive": column}


def _each_model(rules: TableRules, data: pd.DataFrame) -> Iterator[Context]:
    for model in rules.models:
        if model.name not in MODEL_EXPECTATIONS:
            raise ValidationFailed(
                f"table {rules.name}: privacy model {model.name!r} has no expectation; "
                f"known: {', '.join(MODEL_EXPECTATIONS)}"
            )
        yield _base(rules) | {"model": model.name, "sensitive": model.column, "l": model.l, "c": model.c,
                              "t": model.t, "k": model.k or rules.k}


def _attribute_risk(rules: TableRules, data: pd.DataFrame) -> Iterator[Context]:
    """The release's policy on risk over all released columns, when it is ``fail`` (issue 15)."""
    columns = [c for c in rules.risk_columns if c in data.columns]
    if rules.risk_threshold is not None and columns:
        yield _base(rules) | {"risk_columns": columns, "risk_threshold": rules.risk_threshold}


SCOPES: dict[str, Callable[[TableRules, pd.DataFrame], Iterator[Context]]] = {
    "table": _table,
    "each_column": _each_column,
    "each_linking_code": _each_linking_code,
    "each_value_set": _each_value_set,
    "each_bounded_column": _each_bounded_column,
    "each_described_column": _each_described_column,
    "each_sensitive": _each_sensitive,
    "each_model": _each_model,
    "attribute_risk": _attribute_risk,
}


def _expectations(profile: dict[str, Any], rules: TableRules, data: pd.DataFrame) -> Iterator[Any]:
    for rule in profile["rules"]:
        for ctx in SCOPES[rule["for"]](rules, data):
            if rule["expectation"] == "by_model":
                cls = MODEL_EXPECTATIONS[ctx["model"]]
                kwargs = {k: v for k, v in ctx.items() if k in cls.__fields__ and v is not None}
                kwargs.setdefault("person_key", ctx["person_key"])
            else:
                cls = EXPECTATIONS[rule["expectation"]]
                kwargs = {kw: ctx[key] for kw, key in rule.get("params", {}).items()}
            kwargs.update(rule.get("kwargs", {}))
            yield cls.build(**kwargs)


def suite_name(profile: dict[str, Any], table: str) -> str:
    return f"appi.{profile['profile']}.{table}"


def build_suite(
    profile: dict[str, Any], rules: TableRules, data: pd.DataFrame, class_rules_only: bool = False
) -> gx.ExpectationSuite:
    """The concrete suite for one table; identical expectations (a model repeating the k rule) appear once.

    ``class_rules_only`` keeps the re-identification rules (for a joined view, whose columns are not a
    released table's)."""
    suite = gx.ExpectationSuite(
        name=suite_name(profile, rules.name),
        meta={"profile": profile["profile"], "suite_version": profile.get("suite_version", "")},
    )
    seen: set[str] = set()
    for expectation in _expectations(profile, rules, data):
        if class_rules_only and not isinstance(expectation, ClassRule):
            continue
        key = json.dumps(expectation.configuration.to_json_dict(), sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            suite.expectations.append(expectation)
    return suite


def build_suites(
    profile: dict[str, Any], tables: dict[str, tuple[pd.DataFrame, TableRules]]
) -> dict[str, tuple[pd.DataFrame, gx.ExpectationSuite]]:
    """Every table's suite, plus a class-rules suite on the joined view of each table that links others.

    Each table is converted once (:func:`~pipeline.validation.runner.as_categories`) and the joined view is
    built from the converted frames, so a column shared with it (the person key, the own quasi-identifiers)
    is not converted again and the linked columns are taken through their category codes."""
    tables = {name: (as_categories(data, keys=rules.linking_codes), rules)
              for name, (data, rules) in tables.items()}
    out = {name: (data, build_suite(profile, rules, data)) for name, (data, rules) in tables.items()}
    for data, rules in tables.values():
        view = joined_view(rules, data, tables)
        if view is not None:
            frame, joined_rules = view
            out[joined_rules.name] = (frame, build_suite(profile, joined_rules, frame, class_rules_only=True))
    return out
