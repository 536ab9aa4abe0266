"""Load and validate a YAML config into ``pipeline.config.model`` objects.

Gate one of two (STYLE.md §4): the config alone. Every error names the file, the YAML path, what was
found and what is allowed, with a "did you mean" for near misses. Gate two (config against the data's
schema) is ``pipeline.inputs.check_schema``. Privacy model parameters are checked by the models' own
definitions (``pipeline.privacy``), here, at load time.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Iterable, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import attribute_risk
from pipeline.config.model import (
    HIERARCHY_KINDS,
    METRICS,
    MODEL_NAMES,
    RECODINGS,
    ROLES,
    VALUE_TYPES,
    ColumnSpec,
    Config,
    CustomPattern,
    DetectionSpec,
    HierarchySpec,
    ModelSpec,
    PrivacySpec,
    ReleaseSpec,
    TableSpec,
    UtilitySpec,
)
from pipeline.config.names import DuplicateKeyError, load_yaml, name_problem
from pipeline.config.priorities import resolve_max_level
from pipeline.errors import ConfigError
from pipeline.privacy.base import ParameterError
from pipeline.privacy.registry import model_class

_MISSING = object()


class _Node:
    """A mapping in the YAML tree that knows its path, for error messages."""

    def __init__(self, file: Path, path: str, data: Any) -> None:
        self.file = file
        self.path = path
        if not isinstance(data, Mapping):
            self.fail(f"expected a mapping, found {type(data).__name__}")
        self.data: Mapping[str, Any] = data

    def fail(self, msg: str, key: str | None = None) -> None:
        at = f"{self.path}.{key}" if key else self.path
        raise ConfigError(f"{self.file}: {at or '<top>'}: {msg}")

    def only(self, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in self.data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.fail(f"unknown key {key!r}{hint}; allowed: {', '.join(allowed)}", None)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = _MISSING) -> Any:
        if key not in self.data or self.data[key] is None:
            if default is _MISSING:
                self.fail("is required", key)
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and kind is not bool and not (isinstance(kind, tuple) and bool in kind):
            self.fail(f"expected {_kind_name(kind)}, found a boolean", key)
        if not isinstance(value, kind):
            self.fail(f"expected {_kind_name(kind)}, found {type(value).__name__}", key)
        return value

    def choice(self, key: str, allowed: Iterable[str], default: Any = _MISSING) -> Any:
        allowed = list(allowed)
        value = self.get(key, str, default)
        if value is default and default is not _MISSING:
            return value
        if value not in allowed:
            close = difflib.get_close_matches(value, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.fail(f"{value!r} is not allowed{hint}; allowed: {', '.join(allowed)}", key)
        return value

    def child(self, key: str, default: Any = _MISSING) -> _Node | None:
        if key not in self.data or self.data[key] is None:
            if default is _MISSING:
                self.fail("is required", key)
            return None
        return _Node(self.file, f"{self.path}.{key}" if self.path else key, self.data[key])

    def items_list(self, key: str) -> list[Any]:
        value = self.get(key, list, [])
        return list(value)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "an integer", float: "a number", str: "a string", bool: "true/false", list: "a list",
             dict: "a mapping", dt.date: "a date (YYYY-MM-DD)"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def load_config(path: str | Path) -> Config:
    """Read ``path`` and return a validated :class:`Config`; raise :class:`ConfigError` otherwise."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read config ({exc.strerror})") from None
    try:
        data = load_yaml(raw.decode("utf-8"))
    except DuplicateKeyError as exc:
        raise ConfigError(f"{file}: line {exc.line}: key {exc.key!r} given twice (first on line "
                          f"{exc.first}); a key may appear once, nothing is silently overridden") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{file}:{line} not valid UTF-8 YAML ({type(exc).__name__})") from None
    top = _Node(file, "", data)
    top.only(["release", "privacy", "detection", "tables", "utility"])
    release = _release(top.child("release"))  # type: ignore[arg-type]
    privacy = _privacy(top.child("privacy"), release.audience)  # type: ignore[arg-type]
    detection_node = top.child("detection", None)
    detection = _detection(detection_node) if detection_node else DetectionSpec()
    tables_node = top.child("tables")
    assert tables_node is not None
    if not tables_node.data:
        tables_node.fail("at least one table is required")
    for name in tables_node.data:
        problem = name_problem(name, "table")
        if problem:
            tables_node.fail(f"table name {name!r} {problem} (it names the file data/<table>.parquet)")
    folded = [str(name).casefold() for name in tables_node.data]
    if len(set(folded)) != len(folded):
        tables_node.fail("two table names differ only in case (one file on macOS and Windows)")
    tables = tuple(_table(file, name, tables_node) for name in tables_node.data)
    _check_release_names(tables_node, tables)
    utility = _utility(top.child("utility", None), tables)
    cfg = Config(
        source=file.resolve(),
        sha256=hashlib.sha256(raw).hexdigest(),
        release=release,
        privacy=privacy,
        tables=tables,
        detection=detection,
        utility=utility,
    )
    return cfg


def _utility(n: _Node | None, tables: tuple[TableSpec, ...]) -> UtilitySpec:
    if n is None:
        return UtilitySpec()
    n.only(["product"])
    product = n.get("product", str, None)
    if product is not None and not any(
            product in [c.name for c in t.kept_columns] and t.person_key for t in tables):
        n.fail(f"{product!r} is not a kept column of a table with a person key", "product")
    return UtilitySpec(product=product)


def _release(n: _Node) -> ReleaseSpec:
    n.only(["dataset_name", "legal_category", "audience", "recipient_category", "provision_method",
            "continuous", "contact", "purpose"])
    audience = n.choice("audience", ["internal", "third_party"], "internal")
    legal = n.get("legal_category", str, "匿名加工情報")
    spec = ReleaseSpec(
        dataset_name=n.get("dataset_name", str),
        legal_category=legal,
        audience=audience,
        recipient_category=n.get("recipient_category", str, None),
        provision_method=n.get("provision_method", str, None),
        continuous=n.get("continuous", bool, False),
        contact=n.get("contact", str, ""),
        purpose=n.get("purpose", str, ""),
    )
    if legal != "匿名加工情報":
        # 仮名加工情報 is another regime (APPI.md §5); this tool makes only 匿名加工情報.
        n.fail(f"{legal!r} is not produced by this tool; allowed: 匿名加工情報", "legal_category")
    if audience == "third_party":
        for key in ("recipient_category", "provision_method"):
            if not getattr(spec, key):
                n.fail("is required when audience is third_party "
                       "(法43条4項: publish the method of provision)", key)
    return spec


def _privacy(n: _Node, audience: str = "internal") -> PrivacySpec:
    n.only(["k", "suppression_limit", "reference_date", "metric", "risk_threshold", "max_exact_lattice",
            "max_search_nodes", "recoding", *attribute_risk.KEYS])
    k = n.get("k", int)
    if k < 2:
        n.fail(f"k must be at least 2, found {k}", "k")
    limit = n.get("suppression_limit", float, 0.0)
    if not 0.0 <= limit < 1.0:
        n.fail(f"must be in [0, 1), found {limit}", "suppression_limit")
    ref = n.get("reference_date", (dt.date, str))
    if isinstance(ref, str):
        try:
            ref = dt.date.fromisoformat(ref)
        except ValueError:
            n.fail("expected a date YYYY-MM-DD", "reference_date")
    if n.data.get("recoding") in ("local", "auto") and n.data.get("metric", "loss") != "loss":
        n.fail("local recoding minimises the loss metric (LM); use metric: loss or recoding: global",
               "metric")
    threshold = n.get("risk_threshold", float, 1.0 / k)
    if not 0.0 < threshold <= 1.0:
        n.fail(f"must be in (0, 1], found {threshold}", "risk_threshold")
    return PrivacySpec(
        k=k,
        suppression_limit=limit,
        reference_date=ref,
        metric=n.choice("metric", METRICS, "loss"),
        risk_threshold=threshold,
        max_exact_lattice=_positive(n, "max_exact_lattice", PrivacySpec.max_exact_lattice),
        max_search_nodes=_positive(n, "max_search_nodes", PrivacySpec.max_search_nodes),
        recoding=n.choice("recoding", RECODINGS, "global"),
        attribute_risk=attribute_risk.parse(n, audience),
    )


def _positive(n: _Node, key: str, default: int) -> int:
    value = n.get(key, int, default)
    if value < 1:
        n.fail(f"must be a positive number of nodes, found {value}", key)
    return value


def _detection(n: _Node) -> DetectionSpec:
    n.only(["score_threshold", "ner", "patterns"])
    patterns = []
    for i, raw in enumerate(n.items_list("patterns")):
        p = _Node(n.file, f"{n.path}.patterns[{i}]", raw)
        p.only(["entity", "regex", "score", "label"])
        regex = p.get("regex", str)
        try:
            import re

            re.compile(regex)
        except re.error as exc:
            p.fail(f"not a valid regular expression ({exc})", "regex")
        patterns.append(CustomPattern(entity=p.get("entity", str), regex=regex,
                                      score=p.get("score", float, 0.9), label=p.get("label", str, "")))
    return DetectionSpec(
        score_threshold=n.get("score_threshold", float, 0.5),
        ner=n.get("ner", bool, True),
        patterns=tuple(patterns),
    )


def _hierarchy(file: Path, n: _Node) -> HierarchySpec:
    n.only(["kind", "bands", "top_code", "bottom_code", "unit", "date_levels", "path", "delimiter"])
    kind = n.choice("kind", HIERARCHY_KINDS)
    bands = tuple(n.get("bands", list, []))
    if any(not isinstance(b, int) or isinstance(b, bool) or b < 1 for b in bands):
        n.fail("expected a list of positive integers", "bands")
    if list(bands) != sorted(bands) or any(b2 % b1 for b1, b2 in pairwise(bands)):
        n.fail("bands must grow and each must divide the next (e.g. [5, 10]), so levels nest", "bands")
    path = None
    if kind == "file":
        rel = n.get("path", str)
        path = (file.parent / rel).resolve()
        if not path.is_file():
            n.fail(f"hierarchy file {rel!r} not found (relative to {file.parent})", "path")
    if kind in ("age", "integer", "amount") and not bands:
        n.fail(f"a {kind} hierarchy needs bands, e.g. [5, 10]", "bands")
    top = n.get("top_code", float, None)
    bottom = n.get("bottom_code", float, None)
    if kind in ("age", "integer", "amount") and top is None:
        # 特異な記述: a 106-year-old or an extreme amount must not survive at any level (APPI.md §1 rule 4)
        n.fail(f"a {kind} hierarchy needs top_code (e.g. 90 for ages)", "top_code")
    if top is not None and bottom is not None and bottom >= top:
        n.fail("bottom_code must be below top_code", "bottom_code")
    date_levels = tuple(n.get("date_levels", list, ["day", "month", "year"]))
    if any(not isinstance(x, str) for x in date_levels):
        n.fail("expected a flat list of day, month, year (e.g. [month, year])", "date_levels")
    if kind == "date" and (not set(date_levels) <= {"day", "month", "year"} or not date_levels):
        n.fail("allowed entries: day, month, year", "date_levels")
    if len(set(date_levels)) != len(date_levels):
        n.fail("each of day, month, year at most once", "date_levels")
    return HierarchySpec(kind=kind, bands=bands, top_code=top, bottom_code=bottom,
                         unit=n.get("unit", str, ""), date_levels=date_levels, path=path,
                         delimiter=n.get("delimiter", str, ";"))


def _column(file: Path, name: str, n: _Node) -> ColumnSpec:
    n.only(["role", "type", "output", "hierarchy", "level", "on_invalid", "rare", "rare_label", "top_code",
            "bottom_code", "free_text", "description", "weight", "max_level"])
    role = n.choice("role", ROLES)
    hnode = n.child("hierarchy", None)
    hierarchy = _hierarchy(file, hnode) if hnode else None
    if role == "quasi_identifier" and hierarchy is None:
        n.fail("a quasi_identifier needs a hierarchy (kind: age, date, address, postal_code, amount, "
               "integer, file or flat)", "hierarchy")
    if hierarchy is not None and role not in ("quasi_identifier", "sensitive", "attribute"):
        n.fail(f"a {role} column is deleted or replaced; it takes no hierarchy", "hierarchy")
    level = n.get("level", int, 0)
    if level and role == "quasi_identifier":
        n.fail("a quasi_identifier's level is chosen by the search, not set", "level")
    spec = ColumnSpec(
        name=name,
        role=role,
        type=n.choice("type", VALUE_TYPES, "string"),
        output=n.get("output", str, ""),
        hierarchy=hierarchy,
        level=level,
        on_invalid=n.choice("on_invalid", ["error", "null"], "error"),
        rare=n.choice("rare", ["merge", "suppress"], "merge"),
        rare_label=n.get("rare_label", str, "その他"),
        top_code=n.get("top_code", float, None),
        bottom_code=n.get("bottom_code", float, None),
        free_text=n.choice("free_text", ["delete", "scrub"], "delete"),
        description=n.get("description", str, ""),
        **_priorities(n, role, hierarchy),
    )
    if spec.free_text == "scrub" and role != "free_text":
        n.fail("only a free_text column can be scrubbed", "free_text")
    if (role == "attribute" and spec.type in ("amount", "integer") and spec.top_code is None
            and hierarchy is None):
        # 特異な記述: an extreme amount identifies; a kept number must be top-coded (APPI.md §1 rule 4).
        n.fail("a numeric attribute needs top_code (and usually bottom_code): extreme values are 特異な記述",
               "top_code")
    return spec


def _priorities(n: _Node, role: str, hierarchy: HierarchySpec | None) -> dict[str, Any]:
    """``weight`` and ``max_level`` of a quasi-identifier (``pipeline.config.priorities``)."""
    weight = n.get("weight", float, 1.0)
    raw_max = n.get("max_level", (int, str), None)
    for key, given in (("weight", "weight" in n.data), ("max_level", raw_max is not None)):
        if given and role != "quasi_identifier":
            n.fail(f"only a quasi_identifier has a {key} (this column's role is {role})", key)
    if not weight > 0:
        n.fail(f"must be a positive number, found {weight}", "weight")
    max_level = None
    if raw_max is not None:
        assert hierarchy is not None  # a quasi_identifier without one failed above
        try:
            max_level = resolve_max_level(raw_max, hierarchy)
        except ValueError as exc:
            n.fail(str(exc), "max_level")
    return {"weight": weight, "max_level": max_level}
def _check_release_names(tables_node: _Node, tables: tuple[TableSpec, ...]) -> None:
    """No kept column may be released under the name of a deleted column of its table: a release with a
    column 氏名 or 個人番号 reads as one holding names or My Numbers, whatever it holds (issue 11). Another
    table may keep a column of that name (a scrubbed 備考 there, a deleted one here)."""
    for t in tables:
        deleted = {c.name for c in t.columns if not c.kept}
        for c in t.kept_columns:
            if c.output_name in deleted:
                _Node(tables_node.file, f"{tables_node.path}.{t.name}.columns.{c.name}", {}).fail(
                    f"output name {c.output_name!r} is the name of a deleted column; a release must not "
                    "show a column under a deleted identifier's name", "output" if c.output else None)


def _model(n: _Node) -> ModelSpec:
    """One entry of ``tables.<t>.models``, checked by the model's own definition (``pipeline.privacy``):
    the keys it takes, each parameter's kind and range, so ``t: 1.5`` fails here, naming
    ``tables.<t>.models[<i>].t``, before any input is read."""
    name = n.choice("name", MODEL_NAMES)
    cls = model_class(name)
    n.only(["name", *cls.parameter_names()])
    column = n.get("column", str, None)
    values = {p.name: n.data[p.name] for p in cls.parameters if n.data.get(p.name) is not None}
    try:
        model = cls.from_params(column, values)
    except ParameterError as exc:
        n.fail(exc.message, exc.key)
    params = {p.name: getattr(model, p.name) for p in cls.parameters}
    return ModelSpec(name=name, column=column, **params)


def _table(file: Path, name: str, parent: _Node) -> TableSpec:
    n = parent.child(name)
    assert n is not None
    n.only(["file", "format", "encoding", "delimiter", "person_key", "columns", "models"])
    cols_node = n.child("columns")
    assert cols_node is not None
    columns = tuple(
        _column(file, str(c), cols_node.child(str(c)))  # type: ignore[arg-type]
        for c in cols_node.data
    )
    models = tuple(
        _model(_Node(file, f"{n.path}.models[{i}]", m)) for i, m in enumerate(n.items_list("models"))
    )
    rel = n.get("file", str, None)
    spec = TableSpec(
        name=name,
        file=(file.parent / rel).resolve() if rel else None,
        format=n.choice("format", ["auto", "csv", "parquet"], "auto"),
        encoding=n.choice("encoding", ["auto", "utf-8", "utf-8-sig", "cp932"], "auto"),
        delimiter=n.get("delimiter", str, ","),
        person_key=n.get("person_key", str, None),
        columns=columns,
        models=models,
    )
    names = [c.name for c in columns]
    if spec.person_key is not None:
        if spec.person_key not in names:
            close = difflib.get_close_matches(spec.person_key, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            n.fail(f"{spec.person_key!r} is not a column of this table{hint}", "person_key")
        if spec.column(spec.person_key).role != "linking_code":
            n.fail("the person key must be a linking_code column", "person_key")
    for c in spec.kept_columns:
        problem = name_problem(c.output_name, "output")
        if problem:
            at = "output" if c.output else None
            _Node(file, f"{cols_node.path}.{c.name}", {}).fail(
                f"output name {c.output_name!r} {problem}" + ("" if at else " (set output: to rename it)"),
                at)
    outputs = [c.output_name for c in spec.kept_columns]
    dup = {o for o in outputs if outputs.count(o) > 1}
    if dup:
        n.fail(f"two kept columns share the output name {sorted(dup)[0]!r}", "columns")
    for i, m in enumerate(models):
        if m.column is not None and m.column not in names:
            _Node(file, f"{n.path}.models[{i}]", {}).fail(
                f"{m.column!r} is not a column of this table", "column")
        if m.column is not None and spec.column(m.column).role != "sensitive":
            _Node(file, f"{n.path}.models[{i}]", {}).fail(f"{m.column!r} must have role sensitive", "column")
    return spec
