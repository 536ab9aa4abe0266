"""Typed, frozen config objects. Raw dicts never travel past ``pipeline.config.loader``.

Column roles follow the law's own terms (APPI.md §1):

- ``identifier``: describes a person (氏名, 住所, 電話 …): deleted.
- ``identification_code``: 個人識別符号 (My Number, passport …): deleted, never hashed.
- ``linking_code``: links to source records (証券番号): replaced by a per-release random surrogate.
- ``quasi_identifier``: generalised along its hierarchy until k-anonymity (per person) holds.
- ``sensitive``: kept (optionally coarsened to a fixed hierarchy level), protected by l-diversity /
  t-closeness.
- ``attribute``: kept as is, except 特異な記述: rare categories merged/suppressed, numbers top/bottom coded.
- ``free_text``: deleted by default; ``free_text: scrub`` replaces detected PII by tags instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from pipeline.config.attribute_risk import AttributeRiskSpec

Role = Literal[
    "identifier",
    "identification_code",
    "linking_code",
    "quasi_identifier",
    "sensitive",
    "attribute",
    "free_text",
]
ROLES: tuple[str, ...] = (
    "identifier",
    "identification_code",
    "linking_code",
    "quasi_identifier",
    "sensitive",
    "attribute",
    "free_text",
)
#: Roles whose columns never reach a release.
DELETED_ROLES: frozenset[str] = frozenset({"identifier", "identification_code"})

ValueType = Literal["string", "date", "sex", "amount", "integer"]
VALUE_TYPES: tuple[str, ...] = ("string", "date", "sex", "amount", "integer")

HierarchyKind = Literal["age", "date", "address", "postal_code", "amount", "integer", "file", "flat"]
HIERARCHY_KINDS: tuple[str, ...] = (
    "age", "date", "address", "postal_code", "amount", "integer", "file", "flat",
)

MODEL_NAMES: tuple[str, ...] = (
    "k-anonymity",
    "distinct-l-diversity",
    "entropy-l-diversity",
    "recursive-cl-diversity",
    "equal-distance-t-closeness",
    "ordered-distance-t-closeness",
)
METRICS: tuple[str, ...] = ("loss", "discernibility", "aecs", "precision", "entropy")
#: ``global``: one level per quasi-identifier (full-domain, the optimal lattice search); ``local``: rows of a
#: column at different levels of its hierarchy (``pipeline.search.local_recoding``); ``auto``: both, local
#: kept where its answers to the research questions are not biased (``pipeline.anonymise.recoding``).
RECODINGS: tuple[str, ...] = ("global", "local", "auto")


@dataclass(frozen=True)
class HierarchySpec:
    """How a column is generalised. Levels run from 0 (the value as normalised) up to ``*``.

    - ``age``: a date of birth (or an age) becomes the age at ``privacy.reference_date``; levels are
      the age, then one band per entry of ``bands`` (years), then ``*``; ages >= ``top_code`` form one
      top-coded value (e.g. ``90歳以上``) at every level, ages < ``bottom_code`` one bottom-coded value.
    - ``integer`` / ``amount``: like ``age`` on the number itself; level 0 is the finest band when
      ``bands`` starts above 1.
    - ``date``: date → year-month → year → ``*`` (``date_levels`` picks which of them exist).
    - ``address``: 住所 → 市区町村 → 都道府県 → 地方 → ``*`` (the detailed address is never a level).
    - ``postal_code``: 3-digit area → ``*``.
    - ``file``: an ARX-format CSV (``leaf;level1;…;*``), path relative to the config file.
    - ``flat``: value → ``*``.
    """

    kind: HierarchyKind
    bands: tuple[int, ...] = ()
    top_code: float | None = None
    bottom_code: float | None = None
    unit: str = ""
    date_levels: tuple[str, ...] = ("day", "month", "year")
    path: Path | None = None
    delimiter: str = ";"


@dataclass(frozen=True)
class ColumnSpec:
    """One input column: its role, value type, and what the release makes of it."""

    name: str
    role: Role
    type: ValueType = "string"
    output: str = ""
    hierarchy: HierarchySpec | None = None
    #: For ``sensitive`` / ``attribute`` with a hierarchy: the fixed level released (e.g. 傷病名 → 傷病分類).
    level: int = 0
    on_invalid: Literal["error", "null"] = "error"
    #: 特異な記述 policy for categorical kept columns: merge rare values into ``rare_label`` or null them.
    rare: Literal["merge", "suppress"] = "merge"
    rare_label: str = "その他"
    top_code: float | None = None
    bottom_code: float | None = None
    free_text: Literal["delete", "scrub"] = "delete"
    #: Plain-words meaning for the data dictionary and the published item list.
    description: str = ""
    #: Analyst priority of a quasi-identifier (ARX's attribute weight): its share of the loss the search
    #: minimises is multiplied by this (> 0; default 1, equal weights give the unweighted metric).
    weight: float = 1.0
    #: The coarsest level a quasi-identifier may be released at (0 = as normalised); ``None``: up to ``*``.
    #: The search considers no node above it and pays with other attributes or suppression instead.
    max_level: int | None = None

    @property
    def output_name(self) -> str:
        return self.output or self.name

    @property
    def kept(self) -> bool:
        """Whether the column appears in a release."""
        if self.role in DELETED_ROLES:
            return False
        return not (self.role == "free_text" and self.free_text == "delete")


@dataclass(frozen=True)
class ModelSpec:
    """A privacy model by name, with its parameters (unused ones stay ``None``)."""

    name: str
    column: str | None = None
    k: int | None = None
    l: float | None = None  # noqa: E741 - the literature's name
    c: float | None = None
    t: float | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    file: Path | None
    format: Literal["auto", "csv", "parquet"] = "auto"
    encoding: Literal["auto", "utf-8", "utf-8-sig", "cp932"] = "auto"
    delimiter: str = ","
    #: Input column (a ``linking_code``) whose distinct values are persons; ``None``: one row, one person.
    person_key: str | None = None
    columns: tuple[ColumnSpec, ...] = ()
    models: tuple[ModelSpec, ...] = ()

    def release_models(self, k: int) -> list[ModelSpec]:
        """The table's models with output column names, and k-anonymity at the release's k always first
        (what the search, the streaming search and the manifest all use)."""
        models = [ModelSpec(name="k-anonymity", k=k)]
        for m in self.models:
            if m.name == "k-anonymity":
                continue
            col = self.column(m.column).output_name if m.column else None
            models.append(replace(m, column=col))
        return models

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def by_role(self, *roles: str) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.role in roles)

    @property
    def kept_columns(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.kept)


@dataclass(frozen=True)
class PrivacySpec:
    k: int
    suppression_limit: float
    reference_date: dt.date
    metric: str = "loss"
    #: Prosecutor risk above which a record counts as "at risk" (default 1/k... set at load).
    risk_threshold: float = 0.2
    #: Lattices with more nodes than this are searched heuristically: the exact search keeps a few bytes per
    #: node in memory (about 40 B with ten quasi-identifiers, so 2,000,000 nodes ≈ 80 MB).
    #: See pipeline.search.
    max_exact_lattice: int = 2_000_000
    #: Nodes the exact search may evaluate before it stops and returns the better of its best node so far and
    #: the greedy descent's, marked not exact (a deterministic budget, unlike a time limit).
    max_search_nodes: int = 20_000
    #: ``global`` (default), ``local`` recoding, or ``auto`` (local where it answers the research questions
    #: without bias, ``pipeline.anonymise.recoding``), see RECODINGS.
    recoding: str = "global"
    #: Risk over all released columns: policy, threshold, SUDA's m, protect_attributes (issue 15).
    attribute_risk: AttributeRiskSpec = field(default_factory=AttributeRiskSpec)


@dataclass(frozen=True)
class ReleaseSpec:
    """What the release is, legally, and to whom it goes (APPI.md §4)."""

    dataset_name: str
    legal_category: str = "匿名加工情報"
    audience: Literal["internal", "third_party"] = "internal"
    recipient_category: str | None = None
    provision_method: str | None = None
    continuous: bool = False
    contact: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class CustomPattern:
    """An insurer-specific number format (policy, claim, customer number) the detectors must know."""

    entity: str
    regex: str
    score: float = 0.9
    label: str = ""


@dataclass(frozen=True)
class DetectionSpec:
    """Residual-PII gate settings (Presidio, see ``pipeline.detection``)."""

    score_threshold: float = 0.5
    ner: bool = True
    patterns: tuple[CustomPattern, ...] = ()


@dataclass(frozen=True)
class UtilitySpec:
    """What the release's utility is measured on (``pipeline.metrics.research_questions``)."""

    #: Column (input name) of the person table whose mix by region is a standard research question.
    product: str | None = None


@dataclass(frozen=True)
class Config:
    source: Path
    sha256: str
    release: ReleaseSpec
    privacy: PrivacySpec
    tables: tuple[TableSpec, ...]
    detection: DetectionSpec = field(default_factory=DetectionSpec)
    utility: UtilitySpec = field(default_factory=UtilitySpec)

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    def table(self, name: str) -> TableSpec:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)
