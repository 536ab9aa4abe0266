"""Anonymise prepared tables: surrogates, generalisation search, rare values, shuffling.

Pure with respect to the files: a :class:`~pipeline.prepare.Prepared` extract in, ``TableResult`` objects
out, nothing written. The one source of randomness is ``secrets`` (surrogates, row order); no seed is kept.

Several tables with one person key (policyholders and their claims) are anonymised in config order. A later
table that shares the person key with an earlier one is made k-anonymous on the *joined* view: the earlier
table's released quasi-identifiers (per person) are fixed quasi-identifiers of its search. So joining the
two releases on the surrogate key cannot single out fewer than k persons.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

import numpy as np
import pandas as pd

from pipeline import progress
from pipeline.config.model import ColumnSpec, Config, ModelSpec, TableSpec
from pipeline.errors import PrivacyError
from pipeline.identifiers.rare import merge_rare, top_bottom_code
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.prepare import Prepared, PreparedTable
from pipeline.privacy import build_models
from pipeline.release.candidate import TableResult
from pipeline.search.engine import QuasiIdentifier, SensitiveColumn, risk_profile, search


def _sensitive_codes(values: pd.Series, numeric: bool) -> tuple[np.ndarray, int]:
    if numeric:
        num = pd.to_numeric(values, errors="coerce")
        uniq = np.sort(num.dropna().unique())
        codes = np.searchsorted(uniq, num.to_numpy(dtype="float64", na_value=np.nan))
        codes = np.where(num.isna().to_numpy(), len(uniq), codes)
        return codes.astype(np.int32), len(uniq) + 1
    codes, uniq = pd.factorize(values, sort=True)
    codes = np.where(codes < 0, len(uniq), codes)
    return codes.astype(np.int32), len(uniq) + 1


def _fixed_level(col: ColumnSpec, prepared: PreparedTable) -> pd.Series:
    """A kept column's released values before rare-value handling: generalised to its fixed level if any."""
    values = prepared.values[col.name]
    if col.name in prepared.leaves:
        leaves, h = prepared.leaves[col.name]
        level = min(col.level, h.height - 1)
        codes = h.encode(leaves, prepared.spec.name)
        return pd.Series(h.generalise(codes, level), index=values.index, name=col.output_name)
    if col.type == "date":
        return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)
    return values


def anonymise_table(
    config: Config,
    prepared: PreparedTable,
    surrogates: dict[str, SurrogateSpace],
    k: int,
    suppression_limit: float,
    linked: dict[str, pd.DataFrame],
) -> TableResult:
    spec = prepared.spec
    person = prepared.person
    n = prepared.rows
    # sensitive columns: fixed level, then rare values (a rare disease is 特異な記述 too)
    sensitive_values: dict[str, pd.Series] = {}
    rare_counts: dict[str, int] = {}
    for col in spec.by_role("sensitive"):
        v = _fixed_level(col, prepared)
        if col.type == "string" or col.name in prepared.leaves:
            v, changed = merge_rare(v, person, k, col.rare, col.rare_label)
            if changed:
                rare_counts[col.output_name] = changed
        sensitive_values[col.output_name] = v
    qis = []
    leaf_frame = {}
    for col in spec.by_role("quasi_identifier"):
        leaves, h = prepared.leaves[col.name]
        qis.append(QuasiIdentifier(col.output_name, h.encode(leaves, spec.name), h))
        leaf_frame[col.output_name] = leaves
    fixed = []
    link_key = spec.column(spec.person_key).name if spec.person_key else None
    if link_key is not None and link_key in linked:
        # the joined view: the earlier release's generalised QIs of each row's person
        earlier = linked[link_key]
        keys = prepared.values[link_key].astype("string")
        for name in earlier.columns:
            vals = keys.map(earlier[name]).astype(object)
            vals = vals.where(vals.notna(), "*")
            codes, uniq = pd.factorize(vals)
            from pipeline.hierarchies.base import Hierarchy

            h = Hierarchy.from_rows(f"{name}(linked)", [[u] for u in uniq] or [["*"]], [f"{name}"])
            fixed.append(QuasiIdentifier(f"{name}(linked)", codes.astype(np.int32), h))
    sens_cols = [
        SensitiveColumn(name, *_sensitive_codes(v, spec.column(_input_of(spec, name)).type in ("amount", "integer")),
                        ordered=spec.column(_input_of(spec, name)).type in ("amount", "integer"))
        for name, v in sensitive_values.items()
    ]
    models = build_models(_models_for(spec, k), k)
    if not qis and not fixed:
        raise PrivacyError(f"table {spec.name}: no quasi-identifier configured; k-anonymity cannot be assessed")
    with progress.step(f"search {spec.name}") as bar:
        result = search(qis, sens_cols, person if spec.person_key else None, models, suppression_limit,
                        metric=config.privacy.metric, max_exact_lattice=config.privacy.max_exact_lattice,
                        fixed=fixed)
        bar.advance(result.nodes_evaluated)
    keep = result.keep
    before_class = pd.DataFrame({q.name: q.codes for q in qis + fixed}).groupby(
        [q.name for q in qis + fixed], sort=False).ngroup().to_numpy()
    risk_before = risk_profile(before_class, person if spec.person_key else None, config.privacy.risk_threshold)
    risk_after = risk_profile(result.class_id[keep], person[keep] if spec.person_key else None,
                              config.privacy.risk_threshold)
    # assemble the released columns, in config order
    out: dict[str, pd.Series | np.ndarray] = {}
    kept_person = person[keep]
    for col in spec.columns:
        name = col.output_name
        if not col.kept:
            continue
        if col.role == "linking_code":
            out[name] = surrogates[col.name].replace(prepared.values[col.name]).to_numpy()[keep]
        elif col.role == "quasi_identifier":
            q = next(q for q in qis if q.name == name)
            out[name] = q.hierarchy.generalise(q.codes[keep], result.levels[name])
        elif col.role == "sensitive":
            v = sensitive_values[name][keep].reset_index(drop=True)
            if col.type == "string" or col.name in prepared.leaves:
                v, changed = merge_rare(v, kept_person, k, col.rare, col.rare_label)
                rare_counts[name] = rare_counts.get(name, 0) + changed
            out[name] = v.to_numpy()
        elif col.role == "attribute":
            v = _fixed_level(col, prepared)[keep].reset_index(drop=True)
            if col.type in ("amount", "integer"):
                v, changed = top_bottom_code(v, col.top_code, col.bottom_code)
            elif col.type == "date":
                changed = 0
            else:
                v, changed = merge_rare(v, kept_person, k, col.rare, col.rare_label)
            if changed:
                rare_counts[name] = rare_counts.get(name, 0) + changed
            out[name] = v.to_numpy()
        elif col.role == "free_text":  # kept only with free_text: scrub
            from pipeline.detection.scrub import scrub_series

            v, changed = scrub_series(prepared.values[col.name][keep].reset_index(drop=True), config.detection)
            rare_counts[name] = changed
            out[name] = v.to_numpy()
    data = pd.DataFrame(out)
    order = np.random.default_rng(secrets.randbits(128)).permutation(len(data))
    data = data.iloc[order].reset_index(drop=True)
    for name in data.columns:
        col = next(c for c in spec.columns if c.output_name == name)
        if col.type in ("amount", "integer") and col.role in ("attribute", "sensitive") and col.name not in prepared.leaves:
            data[name] = data[name].astype("Int64")
        else:
            data[name] = data[name].astype("string")
    before = pd.DataFrame({k_: np.asarray(v, dtype=object) for k_, v in leaf_frame.items()})
    for name, v in sensitive_values.items():
        before[name] = v.to_numpy()
    before = before.iloc[np.random.default_rng(secrets.randbits(128)).permutation(len(before))].reset_index(drop=True)
    levels = dict(result.levels)
    hierarchies = {q.name: q.hierarchy for q in qis}
    for col in spec.kept_columns:
        if col.role != "quasi_identifier" and col.name in prepared.leaves:
            h = prepared.leaves[col.name][1]
            levels[col.output_name] = min(col.level, h.height - 1)
            hierarchies[col.output_name] = h
    person_key_out = spec.column(spec.person_key).output_name if spec.person_key else None
    return TableResult(
        name=spec.name,
        spec=spec,
        data=data,
        quasi_identifiers=tuple(q.name for q in qis),
        sensitive=tuple(sensitive_values),
        attributes=tuple(c.output_name for c in spec.by_role("attribute")),
        person_key=person_key_out,
        levels=levels,
        hierarchies=hierarchies,
        rows_in=n,
        suppressed_rows=int(result.suppressed_rows),
        min_class_size=int(result.min_class_size),
        classes=int(result.classes),
        k=k,
        metrics={
            "loss": result.loss,
            "risk": {"before": risk_before, "after": risk_after},
            "search": {"exact": result.exact, "nodes_evaluated": result.nodes_evaluated,
                       "lattice_size": result.lattice_size},
            "linked_quasi_identifiers": [f.name for f in fixed],
            "models": [_model_dict(m) for m in _models_for(spec, k)],
        },
        rare_values=rare_counts,
        invalid_nulled=dict(prepared.invalid_nulled),
        before=before,
        before_person=None,
    )


def _input_of(spec: TableSpec, output_name: str) -> str:
    return next(c.name for c in spec.columns if c.output_name == output_name)


def _models_for(spec: TableSpec, k: int) -> list[ModelSpec]:
    """The table's models with output column names, and k-anonymity at the release's k always first."""
    models = [ModelSpec(name="k-anonymity", k=k)]
    for m in spec.models:
        if m.name == "k-anonymity":
            continue
        col = spec.column(m.column).output_name if m.column else None
        models.append(replace(m, column=col))
    return models


def _model_dict(m: ModelSpec) -> dict:
    return {key: getattr(m, key) for key in ("name", "column", "k", "l", "c", "t") if getattr(m, key) is not None}


def anonymise_prepared(prepared: Prepared, k: int | None = None,
                       suppression_limit: float | None = None) -> dict[str, TableResult]:
    """Anonymise every table of ``prepared`` (k and suppression limit default to the config's)."""
    config = prepared.config
    k = config.privacy.k if k is None else k
    limit = config.privacy.suppression_limit if suppression_limit is None else suppression_limit
    # one surrogate space per linking-code column name, shared by all tables of this release
    by_name: dict[str, list[pd.Series]] = {}
    for t in prepared.tables.values():
        for col in t.spec.by_role("linking_code"):
            by_name.setdefault(col.name, []).append(t.values[col.name])
    surrogates = {name: SurrogateSpace(cols) for name, cols in by_name.items()}
    results: dict[str, TableResult] = {}
    linked: dict[str, pd.DataFrame] = {}
    try:
        for name, t in prepared.tables.items():
            persons = len(np.unique(t.person))
            if k > persons:
                raise PrivacyError(f"table {name}: k = {k} is larger than the number of persons ({persons})")
            res = anonymise_table(config, t, surrogates, k, limit, linked)
            results[name] = res
            if t.spec.person_key and res.quasi_identifiers and t.spec.person_key not in linked:
                # released QIs per person key (source key → generalised values), for later tables only
                keep_keys = _kept_keys(t, res, surrogates)
                linked[t.spec.person_key] = keep_keys
    finally:
        for s in surrogates.values():
            s.discard()
    return results


def _kept_keys(t: PreparedTable, res: TableResult, surrogates: dict[str, SurrogateSpace]) -> pd.DataFrame:
    """Source person key → released QI labels, via the surrogate column (memory only, dropped after the run)."""
    key_out = t.spec.column(t.spec.person_key).output_name  # type: ignore[arg-type]
    src = t.values[t.spec.person_key].astype("string")  # type: ignore[index]
    sur = surrogates[t.spec.person_key].replace(src)  # type: ignore[index]
    back = pd.Series(src.to_numpy(), index=sur.to_numpy())
    released = res.data.set_index(key_out)[list(res.quasi_identifiers)]
    released.index = back.reindex(released.index.astype(object)).to_numpy()
    return released[~released.index.duplicated()]
