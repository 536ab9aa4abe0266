"""What the suite checks on one table, as one typed frozen object (STYLE.md §3).

Built from the release's ``manifest.json`` entry ``tables.<name>`` — the only source ``verify`` has — and,
in the gate, completed from the in-memory :class:`~pipeline.release.candidate.TableResult` for keys the
manifest does not carry. Manifest keys read (``rows``, ``quasi_identifiers``, ``person_key`` and ``k`` are
required; the rest optional):

``rows``, ``columns`` (released column names = published items), ``quasi_identifiers``, ``sensitive``,
``attributes``, ``linking_codes``, ``person_key``, ``k``, ``value_sets`` (column → allowed generalised
labels, in hierarchy order), ``top_bottom_codes`` (column → ``{top_code, bottom_code}``), ``models``
(``[{name, column, k, l, c, t}]``), ``linked_quasi_identifiers`` (``{"<table>.<column>": level}``: the
quasi-identifiers of another table a row's person carries, see ``pipeline.validation.joined``).

Without ``columns`` the expected set is quasi-identifiers + sensitive + attributes + linking codes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.config.model import ModelSpec
from pipeline.errors import ValidationFailed

REQUIRED_KEYS = ("rows", "quasi_identifiers", "person_key", "k")


@dataclass(frozen=True)
class TableRules:
    name: str
    rows: int
    columns: tuple[str, ...]
    quasi_identifiers: tuple[str, ...]
    person_key: str | None
    k: int
    sensitive: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    linking_codes: tuple[str, ...] = ()
    value_sets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bounds: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)
    models: tuple[ModelSpec, ...] = ()  # as configured, with output column names (manifest ``models``)
    #: ``<table>.<column>`` quasi-identifiers of another table, joined through the person key.
    linked: tuple[str, ...] = ()
    #: Risk over all released columns (issue 15): the share of rows that may be unique over
    #: ``risk_columns``, bound only under ``attribute_risk: fail`` (None: not checked); ``linked_risk`` are
    #: the other tables' attributes (``<table>.<column>``) the joined view carries for that check.
    risk_threshold: float | None = None
    linked_risk: tuple[str, ...] = ()

    @property
    def risk_columns(self) -> tuple[str, ...]:
        """Every released column except surrogate keys, sensitive values and free text (and, in a joined
        view, the linked ones)."""
        own = tuple(c for c in self.columns if c in set(self.quasi_identifiers) | set(self.attributes))
        return own + tuple(c for c in self.columns if "." in c and c not in own)

    @property
    def described(self) -> tuple[str, ...]:
        """Columns that describe persons (kept values a reader sees): 特異な記述 applies to these."""
        return self.quasi_identifiers + self.sensitive + self.attributes


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _bound(value: Any) -> float | None:
    return None if value is None else float(value)


def rules_from_manifest(
    name: str, entry: Mapping[str, Any], fallback: Mapping[str, Any] | None = None
) -> TableRules:
    """Rules for table ``name`` from its manifest entry; ``fallback`` supplies keys the manifest lacks."""
    merged: dict[str, Any] = dict(fallback or {})
    merged.update({k: v for k, v in entry.items() if v is not None or k == "person_key"})
    missing = [k for k in REQUIRED_KEYS if k not in merged]
    if missing:
        raise ValidationFailed(
            f"manifest.json, table {name}: missing {', '.join(missing)}; "
            "the suite cannot be bound without them"
        )
    person_key = merged.get("person_key")
    linking = _strings(merged.get("linking_codes"))
    if person_key and person_key not in linking:
        linking = (*linking, person_key)
    qis = _strings(merged.get("quasi_identifiers"))
    sensitive = _strings(merged.get("sensitive"))
    attributes = _strings(merged.get("attributes"))
    columns = _strings(merged.get("columns")) or tuple(dict.fromkeys(qis + sensitive + attributes + linking))
    models = tuple(
        ModelSpec(
            name=str(m["name"]),
            column=m.get("column"),
            k=m.get("k"),
            l=m.get("l"),
            c=m.get("c"),
            t=m.get("t"),
        )
        for m in merged.get("models") or ()
    )
    return TableRules(
        name=name,
        rows=int(merged["rows"]),
        columns=columns,
        quasi_identifiers=qis,
        person_key=person_key,
        k=int(merged["k"]),
        sensitive=sensitive,
        attributes=attributes,
        linking_codes=linking,
        value_sets={str(c): _strings(v) for c, v in (merged.get("value_sets") or {}).items()},
        bounds={
            str(c): (_bound(b.get("bottom_code")), _bound(b.get("top_code")))
            for c, b in (merged.get("top_bottom_codes") or {}).items()
        },
        models=models,
        linked=_linked(merged.get("linked_quasi_identifiers")),
        **_attribute_risk(merged.get("attribute_risk")),
    )


def _attribute_risk(value: Any) -> dict[str, Any]:
    """``risk_threshold`` and ``linked_risk`` from the table entry's ``attribute_risk`` (issue 15)."""
    if not isinstance(value, Mapping) or value.get("policy") != "fail":
        return {}
    joined = value.get("joined") if isinstance(value.get("joined"), Mapping) else {}
    linked = tuple(str(c) for c in (joined or {}).get("columns", ()) if "." in str(c))
    return {"risk_threshold": float(value.get("threshold") or 0.0), "linked_risk": linked}


def _linked(value: Any) -> tuple[str, ...]:
    """Only the ``{"table.column": level}`` form names its table; anything else links nothing."""
    if not isinstance(value, Mapping):
        return ()
    return tuple(str(k) for k in value if "." in str(k))


def candidate_facts(table: Any) -> dict[str, Any]:
    """Manifest-shaped facts about one :class:`TableResult` (the gate's fallback for missing keys)."""
    spec = table.spec
    kept = spec.kept_columns
    value_sets = {
        col: [str(v) for v in h.labels[table.levels[col]]]
        for col, h in table.hierarchies.items()
        if col in table.levels and col in table.quasi_identifiers
    }
    bounds = {
        c.output_name: {"top_code": c.top_code, "bottom_code": c.bottom_code}
        for c in kept
        if c.hierarchy is None and (c.top_code is not None or c.bottom_code is not None)
    }
    models = [
        {"name": m.name, "column": m.column, "k": m.k, "l": m.l, "c": m.c, "t": m.t}
        for m in spec.models
    ]
    for m in models:  # model columns are input names in the config; the data has output names
        if m["column"] is not None:
            with contextlib.suppress(KeyError):
                m["column"] = spec.column(m["column"]).output_name
    return {
        "rows": len(table.data),
        "columns": [c.output_name for c in kept],
        "quasi_identifiers": list(table.quasi_identifiers),
        "sensitive": list(table.sensitive),
        "attributes": list(table.attributes),
        "linking_codes": [c.output_name for c in spec.by_role("linking_code") if c.kept],
        "person_key": table.person_key,
        "k": table.k,
        "value_sets": value_sets,
        "top_bottom_codes": bounds,
        "models": models,
    }
