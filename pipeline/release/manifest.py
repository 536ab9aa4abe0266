"""manifest.json: what the release holds, how it was made (never how to undo it), and checksums.

The manifest is typed (:class:`Manifest`, one :class:`TableEntry` per table), built once from the
in-memory candidate (:func:`build_manifest`), handed in memory to the validation gate and the publication
steps, and serialised once by :func:`pipeline.write.write_release` (:meth:`Manifest.to_json`: the same
keys, in the same order and meaning, as every earlier release's ``manifest.json``). ``anonymize verify``
reads a release's file back into the same classes (:meth:`Manifest.from_json`), which checks the type of
every key it knows: a malformed or forged manifest is one clear error naming the key, never a crash deep
in a check. Blocks that only reports read (``information_loss``, ``risk``, ``search``, ``utility`` …)
stay JSON values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from pipeline import __version__
from pipeline.checksum import sha256_file
from pipeline.config.model import ModelSpec
from pipeline.errors import ValidationFailed
from pipeline.io.arrow import arrow_chunks
from pipeline.release.candidate import ReleaseCandidate, TableResult
from pipeline.release.granularity import describe_levels

MANIFEST = "manifest.json"
#: A JSON value as the manifest holds it (reports' blocks, kept as written).
Json = Any


class ManifestError(ValidationFailed):
    """manifest.json does not have the shape this tool writes (exit 8, like every ``verify`` finding)."""


# -- reading helpers: each names the key path of what is wrong --------------------------------------------
_REQUIRED: Any = object()


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _fail(path: str, expected: str, value: Any) -> ManifestError:
    found = "null" if value is None else type(value).__name__
    return ManifestError(f"manifest.json: {path or '<top>'}: expected {expected}, found {found}")


def _value(d: Mapping[str, Any], key: str, path: str, default: Any) -> tuple[Any, bool]:
    """(value, done): done when the key is absent (its default) or null where a default allows it."""
    if key not in d:
        if default is _REQUIRED:
            raise ManifestError(f"manifest.json: {_at(path, key)}: missing")
        return default, True
    value = d[key]
    return value, value is None and default is not _REQUIRED


def _int(d: Mapping[str, Any], key: str, path: str, default: Any = _REQUIRED) -> Any:
    value, done = _value(d, key, path, default)
    if done:
        return value
    if not _is_int(value):
        raise _fail(_at(path, key), "an integer", value)
    return value


def _str(d: Mapping[str, Any], key: str, path: str, default: Any = _REQUIRED) -> Any:
    value, done = _value(d, key, path, default)
    if done:
        return value
    if not isinstance(value, str):
        raise _fail(_at(path, key), "a string", value)
    return value


def _strings(d: Mapping[str, Any], key: str, path: str) -> tuple[str, ...] | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(_at(path, key), "a list of strings", value)
    return tuple(value)


def _mapping(d: Mapping[str, Any], key: str, path: str, check: Callable[[Any], bool] | None = None,
             expected: str = "a mapping") -> dict[str, Any]:
    value = d.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict) or (check is not None and not all(check(v) for v in value.values())):
        raise _fail(_at(path, key), expected, value)
    return dict(value)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return v is None or (isinstance(v, int | float) and not isinstance(v, bool))


@dataclass(frozen=True)
class LinkedPersons:
    """Distinct persons of a table, and how many of them the table it links to does not hold."""

    persons: int
    absent: int

    def to_json(self) -> dict[str, int]:
        return {"persons": self.persons, "absent": self.absent}


@dataclass(frozen=True)
class TableEntry:
    """``tables.<name>``: one released table. Fields a reader may lack in an older or hand-made manifest are
    ``None`` (or empty) when read back; :func:`table_entry` fills every one."""

    rows: int
    k: int
    file: str | None = None
    sha256: str | None = None
    rows_in: int | None = None
    columns: tuple[str, ...] | None = None
    quasi_identifiers: tuple[str, ...] | None = None
    sensitive: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    #: Absent from the JSON (``has_person_key`` False) differs from ``"person_key": null`` (no person key).
    person_key: str | None = None
    has_person_key: bool = True
    linking_codes: tuple[str, ...] = ()
    min_class_size: int | None = None
    classes: int | None = None
    suppressed_rows: int | None = None
    levels: dict[str, int] = field(default_factory=dict)
    granularity: dict[str, str] = field(default_factory=dict)
    level_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Column → allowed generalised labels, in hierarchy order.
    value_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Column → ``{top_code, bottom_code}``.
    top_bottom_codes: dict[str, dict[str, float | None]] = field(default_factory=dict)
    models: tuple[ModelSpec, ...] = ()
    #: ``{"<table>.<column>": level}`` (a table that links nothing: ``[]`` or ``{}``, as written).
    linked_quasi_identifiers: Json = field(default_factory=list)
    information_loss: Json = field(default_factory=dict)
    risk: Json = field(default_factory=dict)
    attribute_risk: Json = field(default_factory=dict)
    search: Json = field(default_factory=dict)
    utility: Json = field(default_factory=dict)
    rare_values_changed: dict[str, int] = field(default_factory=dict)
    invalid_cells_nulled: dict[str, int] = field(default_factory=dict)
    free_text_scrubbed: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Column → addresses that fell back to their 都道府県; written only when some did.
    addresses_coarsened_to_prefecture: dict[str, int] = field(default_factory=dict)
    #: Written only for a table that links quasi-identifiers of earlier tables.
    linked_persons: dict[str, LinkedPersons] = field(default_factory=dict)

    @property
    def linked(self) -> tuple[str, ...]:
        """``<table>.<column>`` quasi-identifiers of other tables (only the mapping form names its table):
        what the suite binds its joined view to."""
        if not isinstance(self.linked_quasi_identifiers, Mapping):
            return ()
        return tuple(str(k) for k in self.linked_quasi_identifiers if "." in str(k))

    @property
    def linked_names(self) -> tuple[str, ...]:
        """Every name ``linked_quasi_identifiers`` holds, in either form, as written. Why beside
        :attr:`linked`: ``verify``'s release-only rechecks (classes, linked persons) must try every name
        a manifest gives, so that one they cannot join is reported rather than skipped."""
        return tuple(str(k) for k in self.linked_quasi_identifiers or ())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "sha256": self.sha256,
            "rows": self.rows,
            "rows_in": self.rows_in,
            "columns": list(self.columns or ()),
            "quasi_identifiers": list(self.quasi_identifiers or ()),
            "sensitive": list(self.sensitive),
            "attributes": list(self.attributes),
            "person_key": self.person_key,
            "linking_codes": list(self.linking_codes),
            "k": self.k,
            "min_class_size": self.min_class_size,
            "classes": self.classes,
            "suppressed_rows": self.suppressed_rows,
            "levels": dict(self.levels),
            "granularity": dict(self.granularity),
            "level_shares": {c: dict(s) for c, s in self.level_shares.items()},
            "value_sets": {c: list(v) for c, v in self.value_sets.items()},
            "top_bottom_codes": {c: dict(b) for c, b in self.top_bottom_codes.items()},
            "models": [model_dict(m) for m in self.models],
            "linked_quasi_identifiers": self.linked_quasi_identifiers,
            "information_loss": self.information_loss,
            "risk": self.risk,
            "attribute_risk": self.attribute_risk,
            "search": self.search,
            "utility": self.utility,
            "rare_values_changed": dict(self.rare_values_changed),
            "invalid_cells_nulled": dict(self.invalid_cells_nulled),
            "free_text_scrubbed": {c: dict(n) for c, n in self.free_text_scrubbed.items()},
        }
        if self.addresses_coarsened_to_prefecture:
            out["addresses_coarsened_to_prefecture"] = dict(self.addresses_coarsened_to_prefecture)
        if self.linked_persons:
            out["linked_persons"] = {s: f.to_json() for s, f in self.linked_persons.items()}
        return out

    @classmethod
    def from_json(cls, name: str, d: Any) -> TableEntry:
        path = f"tables.{name}"
        if not isinstance(d, dict):
            raise _fail(path, "a mapping", d)
        person_key = _str(d, "person_key", path, None)
        models = []
        for i, m in enumerate(d.get("models") or []):
            where = f"{path}.models[{i}]"
            if not isinstance(m, dict):
                raise _fail(where, "a mapping", m)
            models.append(ModelSpec(
                name=_str(m, "name", where), column=_str(m, "column", where, None),
                k=_int(m, "k", where, None),
                **{p: _number(m, p, where) for p in ("l", "c", "t")}))
        linked_persons = {}
        for source, figures in _mapping(d, "linked_persons", path).items():
            where = f"{path}.linked_persons.{source}"
            if not isinstance(figures, dict):
                raise _fail(where, "a mapping", figures)
            linked_persons[str(source)] = LinkedPersons(_int(figures, "persons", where),
                                                        _int(figures, "absent", where))
        value_sets = _mapping(d, "value_sets", path, lambda v: isinstance(v, list),
                              "a mapping of column to a list of labels")
        codes = _mapping(d, "top_bottom_codes", path, lambda v: isinstance(v, dict)
                         and all(_is_number(x) for x in v.values()), "a mapping of column to its codes")
        return cls(
            rows=_int(d, "rows", path), k=_int(d, "k", path),
            file=_str(d, "file", path, None), sha256=_str(d, "sha256", path, None),
            rows_in=_int(d, "rows_in", path, None), columns=_strings(d, "columns", path),
            quasi_identifiers=_strings(d, "quasi_identifiers", path),
            sensitive=_strings(d, "sensitive", path) or (), attributes=_strings(d, "attributes", path) or (),
            person_key=person_key, has_person_key="person_key" in d,
            linking_codes=_strings(d, "linking_codes", path) or (),
            min_class_size=_int(d, "min_class_size", path, None), classes=_int(d, "classes", path, None),
            suppressed_rows=_int(d, "suppressed_rows", path, None),
            levels=_mapping(d, "levels", path, _is_int, "a mapping of column to a level"),
            granularity=_mapping(d, "granularity", path),
            level_shares=_mapping(d, "level_shares", path),
            value_sets={str(c): tuple(str(x) for x in v) for c, v in value_sets.items()},
            top_bottom_codes={str(c): dict(v) for c, v in codes.items()},
            models=tuple(models),
            linked_quasi_identifiers=_linked(d, path),
            information_loss=d.get("information_loss", {}), risk=d.get("risk", {}),
            attribute_risk=d.get("attribute_risk", {}), search=d.get("search", {}),
            utility=d.get("utility", {}),
            rare_values_changed=_mapping(d, "rare_values_changed", path),
            invalid_cells_nulled=_mapping(d, "invalid_cells_nulled", path),
            free_text_scrubbed=_mapping(d, "free_text_scrubbed", path),
            addresses_coarsened_to_prefecture=_mapping(d, "addresses_coarsened_to_prefecture", path, _is_int,
                                                       "a mapping of column to a count"),
            linked_persons=linked_persons,
        )


def _linked(d: Mapping[str, Any], path: str) -> Json:
    """``linked_quasi_identifiers`` as written: ``{"<table>.<column>": level}``, or a list of names (a table
    that links nothing: ``[]`` or ``{}``); kept as it is, so that the file reads back byte for byte."""
    value = d.get("linked_quasi_identifiers", [])
    if isinstance(value, dict | list) and all(isinstance(name, str) for name in value):
        return value  # the names are what every reader uses; the levels are the search's, shown as written
    raise _fail(_at(path, "linked_quasi_identifiers"), "a mapping of <table>.<column> to a level, or a list "
                "of names", value)


def _number(d: Mapping[str, Any], key: str, path: str) -> Any:
    value = d.get(key)
    if not _is_number(value):
        raise _fail(f"{path}.{key}", "a number", value)
    return value  # as written: 2 stays 2, 2.0 stays 2.0 (the file reads back byte for byte)


def model_dict(m: ModelSpec) -> dict[str, Any]:
    """A model as the manifest lists it (its set parameters only)."""
    keys = ("name", "column", "k", "l", "c", "t")
    return {key: getattr(m, key) for key in keys if getattr(m, key) is not None}


@dataclass(frozen=True)
class PrivacyFacts:
    k: int
    suppression_limit: float | None = None
    metric: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"k": self.k, "suppression_limit": self.suppression_limit, "metric": self.metric}


@dataclass(frozen=True)
class Manifest:
    """The whole ``manifest.json``. ``validation`` (the gate's summary), ``files`` (SHA-256 of every other
    file) and ``register_anchor`` are set by :func:`pipeline.write.write_release` once they exist.

    Typed are the fields a step decides on (ids, k, files, tables, the anchor); ``residual_pii_scan``,
    ``attribute_risk`` and ``validation`` stay JSON values (:data:`Json`): free-form report blocks that
    their writers own, copied and shown, never checked field by field here."""

    release_id: str
    tables: dict[str, TableEntry]
    created_at: str | None = None
    tool_version: str | None = None
    legal_category: str | None = None
    dataset_name: str | None = None
    audience: str | None = None
    recipient_category: str | None = None
    config_sha256: str | None = None
    reference_date: str | None = None
    privacy: PrivacyFacts | None = None
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    demo: bool = False
    residual_pii_scan: Json = field(default_factory=dict)
    attribute_risk: Json = field(default_factory=dict)
    validation: Json = None
    files: dict[str, str] = field(default_factory=dict)
    register_anchor: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "release_id": self.release_id,
            "created_at": self.created_at,
            "tool_version": self.tool_version,
            "legal_category": self.legal_category,
            "dataset_name": self.dataset_name,
            "audience": self.audience,
            "recipient_category": self.recipient_category,
            "config_sha256": self.config_sha256,
            "reference_date": self.reference_date,
            "privacy": self.privacy.to_json() if self.privacy else None,
            "inputs": {t: dict(v) for t, v in self.inputs.items()},
            "tables": {name: t.to_json() for name, t in self.tables.items()},
        }
        if self.demo:
            out["demo"] = True
        out["residual_pii_scan"] = self.residual_pii_scan
        out["attribute_risk"] = self.attribute_risk
        out["validation"] = self.validation
        out["files"] = dict(self.files)
        if self.register_anchor is not None:
            out["register_anchor"] = self.register_anchor
        return out

    def dumps(self) -> str:
        """The file's text: the one serialisation of a manifest."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2, default=str) + "\n"

    @classmethod
    def from_json(cls, d: Any) -> Manifest:
        """A manifest read back (``verify``): every key this tool writes is checked for its type; keys it
        does not know are ignored. Raises :class:`ManifestError` naming the key."""
        if not isinstance(d, dict):
            raise _fail("<top>", "a JSON object", d)
        tables = _mapping(d, "tables", "")  # absent or empty: verify reports "no 'tables'"
        privacy = d.get("privacy")
        if privacy is not None and not isinstance(privacy, dict):
            raise _fail("privacy", "a mapping", privacy)
        files = _mapping(d, "files", "", lambda v: isinstance(v, str),
                         "a mapping of relative path to SHA-256")
        anchor = d.get("register_anchor")
        if "register_anchor" in d and not isinstance(anchor, dict):
            # written only when there is one: absent and null must not read back the same
            raise _fail("register_anchor", "a mapping", anchor)
        return cls(
            release_id=_str(d, "release_id", ""),
            tables={str(n): TableEntry.from_json(str(n), e) for n, e in tables.items()},
            created_at=_str(d, "created_at", "", None),
            tool_version=_str(d, "tool_version", "", None),
            legal_category=_str(d, "legal_category", "", None),
            dataset_name=_str(d, "dataset_name", "", None),
            audience=_str(d, "audience", "", None),
            recipient_category=_str(d, "recipient_category", "", None),
            config_sha256=_str(d, "config_sha256", "", None),
            reference_date=_str(d, "reference_date", "", None),
            privacy=None if privacy is None else PrivacyFacts(
                _int(privacy, "k", "privacy"), _number(privacy, "suppression_limit", "privacy"),
                _str(privacy, "metric", "privacy", None)),
            inputs=_mapping(d, "inputs", ""),
            demo=d.get("demo") is True,
            residual_pii_scan=d.get("residual_pii_scan", {}),
            attribute_risk=d.get("attribute_risk", {}),
            validation=d.get("validation"),
            files={str(k): v for k, v in files.items()},
            register_anchor=anchor,
        )


# -- building: once, from the in-memory candidate -------------------------------------------------------
def table_entry(t: TableResult, file: str, sha256: str,
                addresses_coarsened: Mapping[str, int] | None = None) -> TableEntry:
    value_sets = {}
    for name in t.quasi_identifiers:
        h = t.hierarchies[name]
        used = sorted(t.level_shares.get(name) or {t.levels[name]: 1.0})  # local recoding: several levels
        value_sets[name] = tuple(dict.fromkeys(str(x) for b in used for x in h.labels[b]))
    codes = {}
    for c in t.spec.kept_columns:
        if c.role == "attribute" and (c.top_code is not None or c.bottom_code is not None):
            codes[c.output_name] = {"top_code": c.top_code, "bottom_code": c.bottom_code}
    models = tuple(ModelSpec(name=str(m["name"]), column=m.get("column"), k=m.get("k"), l=m.get("l"),
                             c=m.get("c"), t=m.get("t")) for m in t.metrics.get("models", []))
    return TableEntry(
        file=file,
        sha256=sha256,
        rows=len(t.data),
        rows_in=int(t.rows_in),
        columns=tuple(t.data.columns),
        quasi_identifiers=tuple(t.quasi_identifiers),
        sensitive=tuple(t.sensitive),
        attributes=tuple(t.attributes),
        person_key=t.person_key,
        linking_codes=tuple(c.output_name for c in t.spec.kept_columns if c.role == "linking_code"),
        k=int(t.k),
        min_class_size=int(t.min_class_size),
        classes=int(t.classes),
        suppressed_rows=int(t.suppressed_rows),
        levels={k: int(v) for k, v in t.levels.items()},
        granularity={k: _granularity(t, k, v) for k, v in t.levels.items()},
        level_shares={k: {str(b): round(v, 6) for b, v in sh.items()} for k, sh in t.level_shares.items()},
        value_sets=value_sets,
        top_bottom_codes=codes,
        models=models,
        linked_quasi_identifiers=t.metrics.get("linked_quasi_identifiers", []),
        information_loss=t.metrics.get("loss", {}),
        risk=t.metrics.get("risk", {}),
        attribute_risk=t.metrics.get("attribute_risk", {}),
        search=t.metrics.get("search", {}),
        utility=t.metrics.get("utility", {}),
        rare_values_changed=dict(t.rare_values),
        invalid_cells_nulled=dict(t.invalid_nulled),
        free_text_scrubbed={c: dict(n) for c, n in t.scrubbed.items()},
        addresses_coarsened_to_prefecture=dict(addresses_coarsened or {}),
    )


def _granularity(t: TableResult, column: str, level: int) -> str:
    """The level's description; a column released at several levels (local recoding) states the range."""
    shares = t.level_shares.get(column, {})
    if len(shares) > 1:
        spec = next(c for c in t.spec.kept_columns if c.output_name == column)
        return describe_levels(column, spec, t.hierarchies[column], shares).label
    return str(t.hierarchies[column].level_descriptions[level])


def build_manifest(c: ReleaseCandidate, tables: dict[str, TableEntry], demo: bool = False,
                   residual_pii_scan: Json = None) -> Manifest:
    r = c.config.release
    return Manifest(
        release_id=c.release_id,
        created_at=c.created_at.isoformat(timespec="seconds"),
        tool_version=__version__,
        legal_category=r.legal_category,
        dataset_name=r.dataset_name,
        audience=r.audience,
        recipient_category=r.recipient_category,
        config_sha256=c.config.sha256,
        reference_date=c.config.privacy.reference_date.isoformat(),
        privacy=PrivacyFacts(c.config.privacy.k, c.config.privacy.suppression_limit, c.config.privacy.metric),
        inputs={t: dict(v) for t, v in c.inputs.items()},
        tables=with_linked_persons(c, tables),
        demo=demo,
        residual_pii_scan=residual_pii_scan if residual_pii_scan is not None else {},
        attribute_risk=c.attribute_risk,
    )


def linked_persons(data: pd.DataFrame, key: str, source: pd.DataFrame, source_key: str) -> dict[str, int]:
    """Distinct persons of ``data`` and how many of them the ``source`` table does not hold (suppressed
    there, or never in its input). Distinct keys only, in Arrow: ``unique`` and one hashed ``is_in``, so no
    key becomes a Python string (pandas' ``isin`` on Arrow strings converts the probed values one by one,
    7 s for a million keys; Python objects cost 60 bytes a key, 10M policyholders' keys 600 MiB)."""
    import pyarrow.compute as pc

    try:
        keys = pc.unique(arrow_chunks(data[key])).drop_null()
        held = pc.unique(arrow_chunks(source[source_key])).drop_null()
        present = pc.is_in(keys, value_set=held)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):  # keys of mixed types
        objects = pd.Index(pd.unique(data[key].dropna().to_numpy(dtype=object)))
        found = objects.isin(pd.unique(source[source_key].dropna().to_numpy(dtype=object)))
        return {"persons": len(objects), "absent": int((~found).sum())}
    return {"persons": len(keys), "absent": len(keys) - int(pc.sum(present).as_py() or 0)}


def with_linked_persons(c: ReleaseCandidate, tables: dict[str, TableEntry]) -> dict[str, TableEntry]:
    """``linked_persons`` per table that links quasi-identifiers of earlier tables (``{source: {persons,
    absent}}``): what ``anonymize verify`` re-counts on the released files, so a table swapped in from another
    release (whose keys match no person of the source table) cannot pass."""
    out = dict(tables)
    for name, t in c.tables.items():
        linked = t.metrics.get("linked_quasi_identifiers") or {}
        sources = {str(q).split(".", 1)[0] for q in linked if "." in str(q)}
        figures = {}
        for src in sorted(sources):
            other = c.tables.get(src)
            if other is None or not t.person_key or not other.person_key:
                continue
            figures[src] = LinkedPersons(**linked_persons(t.data, t.person_key, other.data, other.person_key))
        if figures and name in out:
            out[name] = replace(out[name], linked_persons=figures)
    return out


def file_checksums(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` except the manifest itself, by POSIX relative path."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.relative_to(root).as_posix() != MANIFEST:
            out[p.relative_to(root).as_posix()] = sha256_file(p)
    return out


def read_manifest(release_dir: Path) -> Manifest:
    """``release_dir/manifest.json`` as a :class:`Manifest`; a missing, unparsable or malformed file is a
    :class:`~pipeline.errors.ValidationFailed` naming the file (and the key)."""
    return Manifest.from_json(read_manifest_json(release_dir))


def read_manifest_json(release_dir: Path) -> Any:
    path = Path(release_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationFailed(f"{path}: manifest.json is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ValidationFailed(f"{path}: not valid JSON{line}") from None


def write_tables(candidate: ReleaseCandidate, directory: Path,
                 addresses_coarsened: Mapping[str, Mapping[str, int]] | None = None) -> dict[str, TableEntry]:
    """``data/<table>.parquet`` for every table (a table whose ``file`` is already written there, the
    streamed run's, taken as it is), and each table's manifest entry."""

    from pipeline import progress
    from pipeline.release.faults import kill_point
    from pipeline.release.writer import inside

    candidate.staging_dir = directory
    written = [t.file for t in candidate.tables.values() if t.file is not None]
    (directory / "data").mkdir(parents=True, exist_ok=bool(written))
    kill_point("writing")
    entries = {}
    coarsened = addresses_coarsened or {}
    with progress.step("write", total=sum(len(t.data) for t in candidate.tables.values())) as bar:
        for name, t in candidate.tables.items():
            rel = f"data/{name}.parquet"
            path = inside(directory, rel)
            if t.file is None:
                _write_parquet(t.data, path, bar.advance)
            elif Path(t.file).resolve() != path.resolve():  # a programming error, never a release
                raise ValueError(f"table {name}: its written file is not the release's {rel}")
            else:
                bar.advance(len(t.data))
            entries[name] = table_entry(t, rel, sha256_file(path), coarsened.get(name))
    return entries


def _values(labels: pd.Series) -> pd.Series:
    """A categorical's values in its categories' dtype, by one ``take`` of the categories (Arrow's, for
    Arrow strings; ``astype`` goes through Python objects, 5x slower), nulls where the code is -1."""
    values = labels.cat.categories.array.take(labels.cat.codes.to_numpy(), allow_fill=True)
    return pd.Series(values, index=labels.index, name=labels.name)


#: rows per slice converted to Arrow and written: pyarrow's default row group, so the file is the one
#: ``pq.write_table`` writes of the whole frame, without the whole frame converted at once
WRITE_ROWS = 1 << 20


def _write_parquet(data: pd.DataFrame, path: Path, advance: Callable[[int], None]) -> None:
    """``data`` as Parquet (zstd), slice by slice: only one slice of it is held in Arrow at a time. A
    categorical column (the streamed run holds its released labels as codes) is written as its values, so
    the file does not depend on how the frame held them."""
    import pyarrow.parquet as pq

    coded = [c for c in data.columns if isinstance(data[c].dtype, pd.CategoricalDtype)]
    schema = None
    writer = None
    step = WRITE_ROWS
    if len(data) > step:
        first = pa.Schema.from_pandas(data.iloc[:step].drop(columns=coded), preserve_index=False)
        if any(pa.types.is_null(f.type) for f in first):  # no value in the first slice: typed by the whole
            step = len(data)
    try:
        for start in range(0, max(len(data), 1), step):
            part = data.iloc[start:start + step]
            if coded:
                part = part.assign(**{c: _values(part[c]) for c in coded})
            table = pa.Table.from_pandas(part, schema=schema, preserve_index=False)
            if writer is None:
                schema = table.schema
                writer = pq.ParquetWriter(path, schema, compression="zstd")
            writer.write_table(table)
            advance(len(part))
    finally:
        if writer is not None:
            writer.close()
