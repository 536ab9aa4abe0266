"""What the suite checks on one table, as one typed frozen object (STYLE.md §3).

Built from the release's typed manifest entry (:class:`~pipeline.release.manifest.TableEntry`): the one
the gate receives in memory, or the one ``verify`` reads back from ``manifest.json``. Keys read
(``rows``, ``quasi_identifiers``, ``person_key`` and ``k`` are required; the rest optional):

``rows``, ``columns`` (released column names = published items), ``quasi_identifiers``, ``sensitive``,
``attributes``, ``linking_codes``, ``person_key``, ``k``, ``value_sets`` (column → allowed generalised
labels, in hierarchy order), ``top_bottom_codes`` (column → ``{top_code, bottom_code}``), ``models``
(``[{name, column, k, l, c, t}]``), ``linked_quasi_identifiers`` (``{"<table>.<column>": level}``: the
quasi-identifiers of another table a row's person carries, see ``pipeline.validation.joined``).

Without ``columns`` the expected set is quasi-identifiers + sensitive + attributes + linking codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.config.model import ModelSpec
from pipeline.errors import ValidationFailed
from pipeline.release.manifest import TableEntry


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


def _bound(value: Any) -> float | None:
    return None if value is None else float(value)


def rules_for(name: str, entry: TableEntry, columns: tuple[str, ...] | None = None) -> TableRules:
    """Rules for table ``name`` from its manifest entry (the gate's in memory, or ``verify``'s read back);
    ``columns`` overrides the expected columns (the published items)."""
    missing = [key for key, absent in (("quasi_identifiers", entry.quasi_identifiers is None),
                                       ("person_key", not entry.has_person_key)) if absent]
    if missing:
        raise ValidationFailed(
            f"manifest.json, table {name}: missing {', '.join(missing)}; "
            "the suite cannot be bound without them"
        )
    person_key = entry.person_key
    linking = entry.linking_codes
    if person_key and person_key not in linking:
        linking = (*linking, person_key)
    qis = entry.quasi_identifiers or ()
    columns = columns or entry.columns or tuple(
        dict.fromkeys(qis + entry.sensitive + entry.attributes + linking))
    return TableRules(
        name=name,
        rows=entry.rows,
        columns=columns,
        quasi_identifiers=qis,
        person_key=person_key,
        k=entry.k,
        sensitive=entry.sensitive,
        attributes=entry.attributes,
        linking_codes=linking,
        value_sets=dict(entry.value_sets),
        bounds={c: (_bound(b.get("bottom_code")), _bound(b.get("top_code")))
                for c, b in entry.top_bottom_codes.items()},
        models=entry.models,
        linked=entry.linked,
        **_attribute_risk(entry.attribute_risk),
    )


def _attribute_risk(value: Any) -> dict[str, Any]:
    """``risk_threshold`` and ``linked_risk`` from the table entry's ``attribute_risk`` (issue 15)."""
    if not isinstance(value, Mapping) or value.get("policy") != "fail":
        return {}
    joined = value.get("joined") if isinstance(value.get("joined"), Mapping) else {}
    linked = tuple(str(c) for c in (joined or {}).get("columns", ()) if "." in str(c))
    return {"risk_threshold": float(value.get("threshold") or 0.0), "linked_risk": linked}


def rules_from_manifest(name: str, entry: Any) -> TableRules:
    """Rules from a ``tables.<name>`` entry as JSON (read through :meth:`TableEntry.from_json`)."""
    return rules_for(name, TableEntry.from_json(name, entry))
