"""Anonymise prepared tables: surrogates, generalisation search, rare values, shuffling.

Pure with respect to the files: a :class:`~pipeline.prepare.Prepared` extract in, ``TableResult`` objects
out, nothing written. The one source of randomness is ``secrets`` (surrogates, row order); no seed is kept.

Several tables with one person key (policyholders and their claims) are anonymised in config order. A later
table that shares the person key with an earlier one is made k-anonymous on the *joined* view: each row also
carries its person's quasi-identifiers as the earlier table released them, searched from the released level
up. If the joined view needs them coarser, the earlier table is redone at those levels and the pass repeats.
So joining the two releases on the surrogate key cannot single out fewer than k persons. Whether the joined
view coarsens the earlier table's quasi-identifiers or only the later table's own is decided by computing
both and keeping the lower total information loss (``anonymise_prepared``, recorded in the manifest under
``search.joined_view``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from pipeline import progress
from pipeline.config.model import ColumnSpec, Config, ModelSpec, TableSpec
from pipeline.errors import PrivacyError
from pipeline.hierarchies.base import Hierarchy, truncate
from pipeline.identifiers.rare import merge_rare, top_bottom_code
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.prepare import Prepared, PreparedTable
from pipeline.privacy import build_models
from pipeline.release.candidate import TableResult
from pipeline.search.engine import QuasiIdentifier, SearchResult, SensitiveColumn, risk_profile, search
from pipeline.search.local_recoding import search_local
from pipeline.search.mixed_levels import generalise_rows, shares_of


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
        h = prepared.leaves[col.name][1]
        level = min(col.level, h.height - 1)
        codes = prepared.leaf_codes(col.name)
        return pd.Series(h.generalise(codes, level), index=values.index, name=col.output_name)
    if col.type == "date":
        return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)
    return values


@dataclass
class Searched:
    """One table's search outcome, before its release is assembled: all the joined-view rounds decide on
    (levels, kept rows), so that a table redone in a later round is only searched, not assembled, again."""

    prepared: PreparedTable
    k: int
    result: SearchResult
    #: Quasi-identifier name → (full hierarchy, leaf codes, minimum level); linked ones named ``table.col``.
    originals: dict[str, tuple[Hierarchy, np.ndarray, int]]
    absolute: dict[str, int]
    loss: dict[str, Any]
    qis: list[QuasiIdentifier]
    linked_names: list[str]
    sensitive_values: dict[str, pd.Series]
    rare_counts: dict[str, int]
    leaf_frame: dict[str, pd.Series]

    @property
    def kept(self) -> np.ndarray:
        return self.result.keep

    @property
    def own(self) -> list[str]:
        """The table's own quasi-identifiers (not the linked ones)."""
        return [q.name for q in self.qis if q.name not in self.linked_names]

    @property
    def levels(self) -> dict[str, int]:
        """Output column → released level: the chosen one of each own quasi-identifier, the fixed one of
        every other column with a hierarchy (``TableResult.levels``)."""
        levels = {name: self.absolute[name] for name in self.own}
        for col in self.prepared.spec.kept_columns:
            if col.role != "quasi_identifier" and col.name in self.prepared.leaves:
                levels[col.output_name] = min(col.level, self.prepared.leaves[col.name][1].height - 1)
        return levels

    @property
    def linked_levels(self) -> dict[str, int]:
        """Linked quasi-identifier (``table.col``) → the level the joined view needs."""
        return {name: self.absolute[name] for name in self.linked_names}


def search_table(
    config: Config,
    prepared: PreparedTable,
    surrogates: dict[str, SurrogateSpace],
    k: int,
    suppression_limit: float,
    linked: dict[str, Linked],
    min_levels: dict[str, int] | None = None,
    linked_fixed: bool = False,
    row_floors: dict[str, np.ndarray] | None = None,
) -> Searched:
    """Search one table's levels; raises PrivacyError when infeasible. ``min_levels`` (output name → level)
    keeps a quasi-identifier at least that general; ``linked`` holds earlier releases' per-person
    quasi-identifiers for the joined view, fixed at their released levels when ``linked_fixed``, else
    searched from there up. :func:`assemble_table` turns the outcome into the release table. With local
    recoding, ``row_floors`` (output name → level per row) keeps rows at least that general, and a linked
    quasi-identifier starts at each person's released level (its floor)."""
    spec = prepared.spec
    min_levels = min_levels or {}
    person = prepared.person
    n = prepared.rows
    # sensitive columns: fixed level, then rare values (a rare disease is 特異な記述 too)
    sensitive_values: dict[str, pd.Series] = {}
    rare_counts: dict[str, int] = {}
    with progress.phase("sensitive columns"):
        for col in spec.by_role("sensitive"):
            v = _fixed_level(col, prepared)
            if col.type == "string" or col.name in prepared.leaves:
                v, changed = merge_rare(v, person, k, col.rare, col.rare_label)
                if changed:
                    rare_counts[col.output_name] = changed
            sensitive_values[col.output_name] = v
    qis = []
    leaf_frame = {}
    # name → (full hierarchy, leaf codes, min level)
    originals: dict[str, tuple[Hierarchy, np.ndarray, int]] = {}
    with progress.phase("encode quasi-identifiers"):
        for col in spec.by_role("quasi_identifier"):
            leaves, h = prepared.leaves[col.name]
            codes = prepared.leaf_codes(col.name)
            m = min_levels.get(col.output_name, 0)
            originals[col.output_name] = (h, codes, m)
            qis.append(_at_least(col.output_name, h, codes, m))
            leaf_frame[col.output_name] = leaves
    link_key = spec.column(spec.person_key).name if spec.person_key else None
    linked_names: list[str] = []
    floors: dict[str, np.ndarray] = dict(row_floors or {})
    with progress.phase("joined view"):
        if link_key is not None and link_key in linked:
            # the joined view: each row carries its person's quasi-identifiers as the earlier table released
            # them (a person suppressed there is unknown: null → root); they may only get coarser from here
            earlier = linked[link_key]
            keys = surrogates[link_key].codes(prepared.values[link_key])
            for name, (h, level) in earlier.hierarchies.items():
                codes = earlier.leaf_codes(name, keys, h.n_leaves)
                qname = f"{earlier.table}.{name}"
                originals[qname] = (h, codes, level)
                if earlier.person_levels is not None:  # locally recoded: from each person's released level
                    originals[qname] = (h, codes, 0)  # row levels are absolute here
                    qis.append(QuasiIdentifier(qname, codes, h))
                    floors[qname] = earlier.levels_of(name, keys, h.height - 1)
                else:
                    at = _fixed if linked_fixed else _at_least
                    qis.append(at(qname, h, codes, level))
                linked_names.append(qname)
    numeric = {name: spec.column(_input_of(spec, name)).type in ("amount", "integer")
               for name in sensitive_values}
    sens_cols = [SensitiveColumn(name, *_sensitive_codes(v, numeric[name]), ordered=numeric[name])
                 for name, v in sensitive_values.items()]
    models = build_models(_models_for(spec, k), k)
    if not qis:
        raise PrivacyError(f"table {spec.name}: no quasi-identifier configured; "
                           "k-anonymity cannot be assessed")
    with progress.step(f"search {spec.name}") as bar:
        if config.privacy.recoding == "local":
            result = search_local(qis, sens_cols, person if spec.person_key else None, models,
                                  suppression_limit, floors=floors)
        else:
            result = search(qis, sens_cols, person if spec.person_key else None, models, suppression_limit,
                            metric=config.privacy.metric, max_exact_lattice=config.privacy.max_exact_lattice)
        bar.advance(n)
    keep = result.keep
    absolute = {name: originals[name][2] + lv for name, lv in result.levels.items()}
    loss = dict(result.loss)
    if min_levels or linked_names:
        loss.update(_lm_against_full(originals, absolute, keep, exclude=linked_names,
                                     row_levels=result.row_levels))
    return Searched(prepared, k, result, originals, absolute, loss, qis, linked_names, sensitive_values,
                    rare_counts, leaf_frame)


def assemble_table(config: Config, searched: Searched, surrogates: dict[str, SurrogateSpace]) -> TableResult:
    """The released table of a finished search: risk figures, generalised columns with rare values
    handled, surrogates, shuffled rows, and the in-memory report sample."""
    prepared, k, result = searched.prepared, searched.k, searched.result
    spec, person, n = prepared.spec, prepared.person, prepared.rows
    originals, absolute, qis = searched.originals, searched.absolute, searched.qis
    sensitive_values, leaf_frame = searched.sensitive_values, searched.leaf_frame
    rare_counts = dict(searched.rare_counts)
    keep = result.keep
    with progress.phase("risk before / after"):
        before_class = pd.DataFrame({q.name: originals[q.name][1] for q in qis}).groupby(
            [q.name for q in qis], sort=False).ngroup().to_numpy()
        risk_before = risk_profile(before_class, person if spec.person_key else None,
                                   config.privacy.risk_threshold)
        risk_after = risk_profile(result.class_id[keep], person[keep] if spec.person_key else None,
                                  config.privacy.risk_threshold)
    # assemble the released columns, in config order
    with progress.phase("assemble columns"):
        out: dict[str, pd.Series | np.ndarray] = {}
        kept_person = person[keep]
        for col in spec.columns:
            name = col.output_name
            if not col.kept:
                continue
            if col.role == "linking_code":
                out[name] = surrogates[col.name].replace(prepared.values[col.name]).to_numpy()[keep]
            elif col.role == "quasi_identifier":
                h, codes, floor = originals[name]
                if result.row_levels is not None:  # local recoding: each row at its own level
                    out[name] = generalise_rows(h, codes[keep], floor + result.row_levels[name][keep])
                else:
                    out[name] = h.generalise(codes[keep], absolute[name])
            elif col.role == "sensitive":
                v = sensitive_values[name][keep].reset_index(drop=True)
                if col.type == "string" or col.name in prepared.leaves:
                    v, changed = merge_rare(v, kept_person, k, col.rare, col.rare_label)
                    rare_counts[name] = rare_counts.get(name, 0) + changed
                out[name] = v.to_numpy()
            elif col.role == "attribute":
                v = _fixed_level(col, prepared)[keep].reset_index(drop=True)
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
                from pipeline.detection.scrub import scrub_series

                v, changed = scrub_series(prepared.values[col.name][keep].reset_index(drop=True),
                                          config.detection)
                rare_counts[name] = changed
                out[name] = v.to_numpy()
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
                       "lattice_size": result.lattice_size, "fallback": result.fallback},
            "linked_quasi_identifiers": searched.linked_levels,
            "models": [_model_dict(m) for m in _models_for(spec, k)],
        },
        rare_values=rare_counts,
        invalid_nulled=dict(prepared.invalid_nulled),
        before=before,
        before_person=None,
        level_shares=({name: shares_of(originals[name][2] + result.row_levels[name][keep]) for name in own}
                      if result.row_levels is not None else {}),
    )


@dataclass
class Linked:
    """An earlier table's released quasi-identifiers per person, memory only: for each distinct person-key
    value (its position in the release's surrogate space), the leaf code of each quasi-identifier, or -1
    for a person absent from that release (suppressed there, or not in that table)."""

    table: str
    hierarchies: dict[str, tuple[Hierarchy, int]]
    codes: dict[str, np.ndarray]
    #: Locally recoded release: per quasi-identifier, each person's released level (dense like ``codes``).
    person_levels: dict[str, np.ndarray] | None = None

    def levels_of(self, name: str, keys: np.ndarray, unknown: int) -> np.ndarray:
        """Released level of ``name`` for rows with person ``keys``; ``unknown`` (the root) when absent."""
        assert self.person_levels is not None
        lv = np.where(keys >= 0, self.person_levels[name][np.maximum(keys, 0)], -1)
        return np.where(lv < 0, unknown, lv)

    def leaf_codes(self, name: str, keys: np.ndarray, unknown: int) -> np.ndarray:
        """Leaf codes of ``name`` for rows with person ``keys`` (surrogate-space positions, -1 for null);
        an absent or null person gets ``unknown`` (the hierarchy's null leaf: the root)."""
        codes = np.where(keys >= 0, self.codes[name][np.maximum(keys, 0)], -1)
        return np.where(codes < 0, unknown, codes).astype(np.int32)


def _at_least(name: str, h: Hierarchy, codes: np.ndarray, level: int) -> QuasiIdentifier:
    """The quasi-identifier searched from ``level`` up (its values at ``level`` become the leaves)."""
    if level <= 0:
        return QuasiIdentifier(name, codes, h)
    t = truncate(h, level)
    at_level, present, labels = _labels_at(h, codes, level)
    return QuasiIdentifier(name, _encode_present(t, at_level, present, labels, len(h.labels[level])), t)


def _fixed(name: str, h: Hierarchy, codes: np.ndarray, level: int) -> QuasiIdentifier:
    """The quasi-identifier held at ``level`` exactly (a one-level hierarchy: the search cannot move it)."""
    at_level, present, labels = _labels_at(h, codes, level)
    uniq = sorted(set(labels.dropna())) or ["-"]
    fixed = Hierarchy.from_rows(name, [[u] for u in uniq], None, source=f"{h.source} fixed at level {level}")
    codes_fixed = _encode_present(fixed, at_level, present, labels, len(h.labels[level]))
    return QuasiIdentifier(name, codes_fixed, fixed)


def _labels_at(h: Hierarchy, codes: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Each row's value code at ``level``, the value codes present, and their labels (root / unknown → null).

    Why per value: a linked column has a row per claim but a few hundred values at its level; relabelling
    the values and mapping the codes back gives the rows' labels without a string per row.
    """
    at_level = h.maps[level][codes]
    present = np.flatnonzero(np.bincount(at_level, minlength=len(h.labels[level])))
    labels = pd.Series(h.labels[level][present], dtype=object)
    return at_level, present, labels.where(labels != str(h.labels[-1][0]), None)


def _encode_present(target: Hierarchy, at_level: np.ndarray, present: np.ndarray, labels: pd.Series,
                    n_values: int) -> np.ndarray:
    """``target.encode`` of every row's label, computed once per value present and mapped back."""
    lookup = np.zeros(n_values, dtype=np.int32)
    lookup[present] = target.encode(labels)
    return lookup[at_level]


def _lm_against_full(originals: dict[str, tuple[Hierarchy, np.ndarray, int]], levels: dict[str, int],
                     keep: np.ndarray, exclude: list[str],
                     row_levels: dict[str, np.ndarray] | None = None) -> dict:
    """Iyengar's LM against the full hierarchies (a truncated search measures loss from its own leaves);
    ``row_levels`` (local recoding): each row's level above the column's floor."""
    per = {}
    for name, (h, codes, floor) in originals.items():
        if name in exclude:
            continue
        if row_levels is not None:
            lv = floor + np.asarray(row_levels[name], dtype=np.int64)
            cell = np.ones(len(codes))
            for b in np.unique(lv):
                at = (lv == b) & keep
                cell[at] = h.loss(int(b))[codes[at]]
        else:
            cell = np.where(keep, h.loss(levels[name])[codes], 1.0)
        per[name] = float(cell.mean()) if len(cell) else 0.0
    lm = float(np.mean(list(per.values()))) if per else 0.0
    return {"lm": lm, "per_attribute": per}


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
    keys = ("name", "column", "k", "l", "c", "t")
    return {key: getattr(m, key) for key in keys if getattr(m, key) is not None}


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
    with progress.phase("surrogates"):
        surrogates = {name: SurrogateSpace(cols) for name, cols in by_name.items()}
    try:
        names = list(prepared.tables)
        for name in names:
            persons = len(np.unique(prepared.tables[name].person))
            if k > persons:
                raise PrivacyError(f"table {name}: k = {k} is larger than the number of persons ({persons})")
        with progress.phase("joined view: earlier first"):
            searched = _settle(config, prepared, surrogates, k, limit, joint=False)
        view = None
        if config.privacy.recoding == "local" and any(s.linked_names for s in searched.values()):
            # the joined view starts each person's linked values at their released level; where it needs
            # them coarser, only those persons' earlier rows are raised (_raise_floors)
            view = {"strategy": "earlier first (local recoding)",
                    "total_lm": {"earlier first": _total_loss(searched)}}
        elif any(s.linked_names for s in searched.values()):
            # Two ways to make the joined view k-anonymous: keep the earlier table as released and coarsen
            # the later one's own quasi-identifiers ("earlier first"), or let the later search coarsen the
            # earlier table's quasi-identifiers too and redo the earlier table at those levels ("joint").
            # Neither dominates (small extracts favour joint), so both are searched and the one with the
            # lower information loss over every released quasi-identifier cell of both tables is kept.
            try:
                with progress.phase("joined view: joint"):
                    joint: dict[str, Searched] | None = _settle(config, prepared, surrogates, k, limit,
                                                                 joint=True)
            except PrivacyError:
                joint = None
            first_loss = _total_loss(searched)
            joint_loss = _total_loss(joint) if joint is not None else None
            chosen = "earlier first"
            if joint is not None and joint_loss is not None and joint_loss < first_loss - 1e-12:
                searched, chosen = joint, "joint"
            view = {"strategy": chosen, "total_lm": {"earlier first": first_loss, "joint": joint_loss}}
        results: dict[str, TableResult] = {}
        for name in names:  # only the settled round's searches become releases
            with progress.phase(f"assemble {name}"):
                results[name] = assemble_table(config, searched[name], surrogates)
            if view is not None:
                results[name].metrics["search"]["joined_view"] = view
    finally:
        for s in surrogates.values():
            s.discard()
    return results


def _settle(config: Config, prepared: Prepared, surrogates: dict[str, SurrogateSpace], k: int, limit: float,
            joint: bool) -> dict[str, Searched]:
    """Search the tables in config order until linked tables agree on the earlier tables' levels.

    A later table sharing a person key is searched on the joined view. With ``joint`` false it first tries
    the earlier table's quasi-identifiers fixed as released, and only when that is infeasible lets them get
    coarser; with ``joint`` true it always may. When the joined search needs an earlier table's QIs coarser
    than released, the earlier table is redone at those minimum levels and the pass repeats (levels only
    grow, so this ends).
    """
    names = list(prepared.tables)
    min_levels: dict[str, dict[str, int]] = {name: {} for name in names}
    row_floors: dict[str, dict[str, np.ndarray]] = {name: {} for name in names}  # local recoding
    searched: dict[str, Searched] = {}
    for round_ in range(12 if config.privacy.recoding == "local" else 4):
        searched = {}
        linked: dict[str, Linked] = {}
        with progress.phase(f"joined-view round {round_ + 1}"):
            raised = _search_round(config, prepared, surrogates, k, limit, names, min_levels, searched,
                                   linked, joint, row_floors)
        if not raised:
            return searched
    raise PrivacyError("tables linked by a person key did not settle on common levels")


def _total_loss(searched: dict[str, Searched]) -> float:
    """Iyengar's LM over every released quasi-identifier cell of every table (each table's own QIs)."""
    weights = {name: s.prepared.rows * len(s.own) for name, s in searched.items()}
    cells = sum(weights.values())
    if not cells:
        return 0.0
    return sum(float(s.loss["lm"]) * weights[name] for name, s in searched.items()) / cells


def _search_round(config: Config, prepared: Prepared, surrogates: dict[str, SurrogateSpace], k: int,
                  limit: float, names: list[str], min_levels: dict[str, dict[str, int]],
                  results: dict[str, Searched], linked: dict[str, Linked], joint: bool,
                  row_floors: dict[str, dict[str, np.ndarray]]) -> bool:
    """One pass over the tables in config order; True if an earlier table's minimum levels were raised."""
    raised = False
    for name in names:
        t = prepared.tables[name]
        shares_key = any(t.spec.person_key == key for key in linked)
        try:
            # the joined view with the earlier release as it is, unless the joint strategy is searched
            with progress.phase(f"search {name}"):
                res = search_table(config, t, surrogates, k, limit, linked, min_levels[name],
                                   not (joint and shares_key), row_floors[name])
        except PrivacyError as exc:
            if not shares_key or joint:
                raise
            if config.privacy.recoding == "local":
                raise PrivacyError(f"table {name}, on the joined view: {exc}") from exc
            # infeasible: let the earlier table's QIs get coarser (the joined search's own loss decides how
            # much; the earlier table is then redone at those levels)
            with progress.phase(f"search {name} (earlier levels free)"):
                res = search_table(config, t, surrogates, k, limit, linked, min_levels[name], False)
        results[name] = res
        if config.privacy.recoding == "local":
            raised |= _raise_floors(prepared, surrogates, res, results, row_floors)
        for qname, level in res.linked_levels.items() if config.privacy.recoding != "local" else ():
            src, _, col = qname.partition(".")
            if level > results[src].levels[col]:
                min_levels[src][col] = level
                raised = True
        if t.spec.person_key and res.own and t.spec.person_key not in linked:
            with progress.phase(f"link {name}"):
                linked[t.spec.person_key] = _linked(t, res.levels, res.kept, surrogates,
                                                    res.result.row_levels)
    return raised


def _raise_floors(prepared: Prepared, surrogates: dict[str, SurrogateSpace], res: Searched,
                  results: dict[str, Searched], row_floors: dict[str, dict[str, np.ndarray]]) -> bool:
    """Local recoding on the joined view: where the later table's search released a person's linked
    quasi-identifier coarser than the earlier table did, that person's rows of the earlier table get that
    level as their floor (only theirs: the other persons keep their detail). True if a floor rose; the
    earlier table is then redone and the pass repeats (floors only rise, so this ends)."""
    if res.result.row_levels is None or not res.linked_names:
        return False
    t = res.prepared
    key = t.spec.person_key
    assert key is not None
    space = surrogates[key]
    keys = space.codes(t.values[key])
    rows = res.kept & (keys >= 0)
    raised = False
    for qname in res.linked_names:
        src, _, col = qname.partition(".")
        need = np.full(space.size, -1, dtype=np.int64)
        np.maximum.at(need, keys[rows], res.result.row_levels[qname][rows].astype(np.int64))
        earlier = results[src]
        src_keys = space.codes(earlier.prepared.values[key])
        need_rows = np.where(src_keys >= 0, need[np.maximum(src_keys, 0)], -1)
        assert earlier.result.row_levels is not None
        released = earlier.result.row_levels[col].astype(np.int64)
        higher = earlier.kept & (need_rows > released)
        if higher.any():
            current = row_floors[src].get(col, np.zeros(len(need_rows), dtype=np.int64))
            row_floors[src][col] = np.where(higher, np.maximum(current, need_rows), current)
            raised = True
    return raised


def _linked(t: PreparedTable, levels: dict[str, int], kept: np.ndarray,
            surrogates: dict[str, SurrogateSpace], row_levels: dict[str, np.ndarray] | None = None) -> Linked:
    """Per person, the leaf codes of the QIs released at ``levels`` from the ``kept`` rows (suppressed
    persons absent)."""
    key = t.spec.person_key
    assert key is not None
    space = surrogates[key]
    keys = space.codes(t.values[key])
    released = np.zeros(space.size, dtype=bool)
    released[keys[kept & (keys >= 0)]] = True  # a person is present if any of their rows was kept
    present = (keys >= 0) & released[np.maximum(keys, 0)]
    persons, first = np.unique(keys[present], return_index=True)  # a person's values: their first row's
    codes = {}
    hierarchies = {}
    person_levels: dict[str, np.ndarray] | None = None if row_levels is None else {}
    for col in t.spec.by_role("quasi_identifier"):
        h = t.leaves[col.name][1]
        dense = np.full(space.size, -1, dtype=np.int32)
        dense[persons] = t.leaf_codes(col.name)[present][first]
        codes[col.output_name] = dense
        hierarchies[col.output_name] = (h, levels[col.output_name])
        if person_levels is not None and row_levels is not None:
            lv = np.full(space.size, -1, dtype=np.int64)
            lv[persons] = row_levels[col.output_name][present][first]
            person_levels[col.output_name] = lv
    return Linked(t.spec.name, hierarchies, codes, person_levels)
