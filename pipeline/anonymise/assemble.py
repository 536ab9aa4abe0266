"""The assembly of one table's release from its finished search: risk before and after, the released
columns in config order (generalised, rare values handled, surrogates, scrubbed text), shuffled rows with
their release types, and the in-memory report sample."""

from __future__ import annotations

import secrets

import numpy as np
import pandas as pd

from pipeline import progress
from pipeline.anonymise.columns import fixed_level, model_dict
from pipeline.anonymise.table import Searched
from pipeline.config.model import Config
from pipeline.identifiers.rare import merge_rare, top_bottom_code
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.release.candidate import TableResult
from pipeline.search.engine import risk_profile
from pipeline.search.mixed_levels import generalise_rows, shares_of


def assemble_table(config: Config, searched: Searched, surrogates: dict[str, SurrogateSpace]) -> TableResult:
    """The released table of a finished search: risk figures, generalised columns with rare values
    handled, surrogates, shuffled rows, and the in-memory report sample."""
    prepared, k, result = searched.prepared, searched.k, searched.result
    spec, person, n = prepared.spec, prepared.person, prepared.rows
    originals, qis = searched.originals, searched.qis
    sensitive_values, leaf_frame = searched.sensitive_values, searched.leaf_frame
    keep = result.keep
    with progress.phase("risk before / after"):
        before_class = pd.DataFrame({q.name: originals[q.name][1] for q in qis}).groupby(
            [q.name for q in qis], sort=False).ngroup().to_numpy()
        risk_before = risk_profile(before_class, person if spec.person_key else None,
                                   config.privacy.risk_threshold)
        risk_after = risk_profile(result.class_id[keep], person[keep] if spec.person_key else None,
                                  config.privacy.risk_threshold)
    with progress.phase("assemble columns"):
        out, rare_counts, scrub_counts = _columns(config, searched, surrogates)
    with progress.phase("shuffle and types"):
        data = pd.DataFrame(out)
        order = np.random.default_rng(secrets.randbits(128)).permutation(len(data))
        data = data.iloc[order].reset_index(drop=True)
        for name in data.columns:
            col = next(c for c in spec.columns if c.output_name == name)
            numeric = col.type in ("amount", "integer") and col.role in ("attribute", "sensitive")
            if numeric and col.name not in prepared.leaves:
                data[name] = data[name].astype("Int64")
            else:
                data[name] = data[name].astype("string")
    with progress.phase("report sample (before)"):
        before = pd.DataFrame({k_: np.asarray(v, dtype=object) for k_, v in leaf_frame.items()})
        for name, v in sensitive_values.items():
            before[name] = v.to_numpy()
        shuffled = np.random.default_rng(secrets.randbits(128)).permutation(len(before))
        before = before.iloc[shuffled].reset_index(drop=True)
    own = searched.own
    hierarchies = {name: originals[name][0] for name in own}
    for col in spec.kept_columns:
        if col.role != "quasi_identifier" and col.name in prepared.leaves:
            hierarchies[col.output_name] = prepared.leaves[col.name][1]
    person_key_out = spec.column(spec.person_key).output_name if spec.person_key else None
    return TableResult(
        name=spec.name,
        spec=spec,
        data=data,
        quasi_identifiers=tuple(own),
        sensitive=tuple(sensitive_values),
        attributes=tuple(c.output_name for c in spec.by_role("attribute")),
        person_key=person_key_out,
        levels=searched.levels,
        hierarchies=hierarchies,
        rows_in=n,
        suppressed_rows=int(result.suppressed_rows),
        min_class_size=int(result.min_class_size),
        classes=int(result.classes),
        k=k,
        metrics={
            "loss": searched.loss,
            "risk": {"before": risk_before, "after": risk_after},
            "search": {"exact": result.exact, "nodes_evaluated": result.nodes_evaluated,
                       "lattice_size": result.lattice_size, "fallback": result.fallback,
                       "suppressed_with_person": result.removed_with_person},
            "linked_quasi_identifiers": {str(c): lv for c, lv in searched.linked_levels.items()},
            "models": [model_dict(m) for m in spec.release_models(k)],
        },
        rare_values=rare_counts,
        scrubbed=scrub_counts,
        invalid_nulled=dict(prepared.invalid_nulled),
        before=before,
        before_person=None,
        level_shares=({name: shares_of(originals[name][2] + result.row_levels[name][result.keep])
                       for name in own} if result.row_levels is not None else {}),
    )


def _columns(config: Config, searched: Searched, surrogates: dict[str, SurrogateSpace],
             ) -> tuple[dict[str, pd.Series | np.ndarray], dict[str, int], dict[str, dict[str, int]]]:
    """The released columns of the kept rows, in config order, the rare-value counts per column, and per
    scrubbed free-text column the tags written and the cells replaced whole (no fixed point)."""
    prepared, k, keep = searched.prepared, searched.k, searched.result.keep
    spec, person = prepared.spec, prepared.person
    rare_counts = dict(searched.rare_counts)
    scrub_counts: dict[str, dict[str, int]] = {}
    out: dict[str, pd.Series | np.ndarray] = {}
    kept_person = person[keep]
    for col in spec.columns:
        name = col.output_name
        if not col.kept:
            continue
        if col.role == "linking_code":
            out[name] = surrogates[col.name].replace(prepared.values[col.name]).to_numpy()[keep]
        elif col.role == "quasi_identifier":
            h, codes, floor = searched.originals[name]
            row_levels = searched.result.row_levels
            if row_levels is not None:  # local recoding: each row at its own level
                out[name] = generalise_rows(h, codes[keep], floor + row_levels[name][keep])
            else:
                out[name] = h.generalise(codes[keep], searched.absolute[name])
        elif col.role == "sensitive":
            v = searched.sensitive_values[name][keep].reset_index(drop=True)
            if col.type == "string" or col.name in prepared.leaves:
                v, changed = merge_rare(v, kept_person, k, col.rare, col.rare_label)
                rare_counts[name] = rare_counts.get(name, 0) + changed
            out[name] = v.to_numpy()
        elif col.role == "attribute":
            v = fixed_level(col, prepared)[keep].reset_index(drop=True)
            if col.name in prepared.leaves and col.type in ("amount", "integer", "date"):
                changed = 0  # banded by its hierarchy, top/bottom coded there
            elif col.type in ("amount", "integer"):
                v, changed = top_bottom_code(v, col.top_code, col.bottom_code)
            elif col.type == "date":
                changed = 0
            else:
                v, changed = merge_rare(v, kept_person, k, col.rare, col.rare_label)
            if changed:
                rare_counts[name] = rare_counts.get(name, 0) + changed
            out[name] = v.to_numpy()
        elif col.role == "free_text":  # kept only with free_text: scrub
            from pipeline.detection.scrub import scrub_column

            scrubbed = scrub_column(prepared.values[col.name][keep].reset_index(drop=True), config.detection)
            rare_counts[name] = scrubbed.replacements
            scrub_counts[name] = {"tags_written": scrubbed.replacements, "whole_cells": scrubbed.whole_cells}
            out[name] = scrubbed.values.to_numpy()
    return out, rare_counts, scrub_counts
