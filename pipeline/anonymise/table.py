"""The search of one table: sensitive values (fixed level, rare values merged), quasi-identifiers encoded
(from a minimum level up), the joined view's linked quasi-identifiers added, and the engine's search.

The outcome (:class:`Searched`) holds everything the assembly needs, so the joined-view rounds only search;
the settled round is assembled once (``pipeline.anonymise.assemble``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from pipeline import progress
from pipeline.anonymise.columns import fixed_level, input_of
from pipeline.anonymise.linked import Linked, LinkedColumn, at_least, fixed, fixed_per_row
from pipeline.anonymise.shaping import joined_model
from pipeline.config.model import Config
from pipeline.errors import PrivacyError
from pipeline.hierarchies.base import Hierarchy
from pipeline.identifiers.rare import merge_rare
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.prepare import PreparedTable
from pipeline.privacy import build_models
from pipeline.search.engine import QuasiIdentifier, SearchResult, SensitiveColumn, search
from pipeline.search.local_recoding import search_local


@dataclass
class Searched:
    """One table's search outcome, before its release is assembled: all the joined-view rounds decide on
    (levels, kept rows), so that a table redone in a later round is only searched, not assembled, again."""

    prepared: PreparedTable
    k: int
    result: SearchResult
    #: Quasi-identifier name → (full hierarchy, leaf codes, minimum level); linked ones by
    #: ``str(LinkedColumn)``.
    originals: dict[str, tuple[Hierarchy, np.ndarray, int]]
    absolute: dict[str, int]
    loss: dict[str, Any]
    qis: list[QuasiIdentifier]
    #: Search name → the earlier release's column it stands for (the joined view's linked quasi-identifiers).
    linked: dict[str, LinkedColumn]
    sensitive_values: dict[str, pd.Series]
    rare_counts: dict[str, int]
    leaf_frame: dict[str, pd.Series]
    #: Local recoding: the linked quasi-identifiers were held at each person's released label (the joined
    #: search could not raise them, so the earlier table needs no new floors).
    linked_held: bool = False

    @property
    def kept(self) -> np.ndarray:
        return self.result.keep

    @property
    def own(self) -> list[str]:
        """The table's own quasi-identifiers (not the linked ones)."""
        return [q.name for q in self.qis if q.name not in self.linked]

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
    def linked_levels(self) -> dict[LinkedColumn, int]:
        """Linked quasi-identifier → the level the joined view needs."""
        return {column: self.absolute[name] for name, column in self.linked.items()}


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
    joined_flags: np.ndarray | None = None,
) -> Searched:
    """Search one table's levels; raises PrivacyError when infeasible. ``min_levels`` (output name → level)
    keeps a quasi-identifier at least that general; ``linked`` holds earlier releases' per-person
    quasi-identifiers for the joined view, fixed at their released levels when ``linked_fixed``, else
    searched from there up. ``pipeline.anonymise.assemble`` turns the outcome into the release table.
    With ``privacy.recoding: local``, ``row_floors`` (output name → level per row) keeps rows at least that
    general, and a linked quasi-identifier starts at each person's released level (its floor); and
    ``joined_flags`` (1 on the first row of a person with rows in a later linked table) shapes the classes
    for the joined view (``pipeline.anonymise.shaping``)."""
    spec = prepared.spec
    min_levels = min_levels or {}
    person = prepared.person
    n = prepared.rows
    # sensitive columns: fixed level, then rare values (a rare disease is 特異な記述 too)
    sensitive_values: dict[str, pd.Series] = {}
    rare_counts: dict[str, int] = {}
    with progress.phase("sensitive columns"):
        for col in spec.by_role("sensitive"):
            v = fixed_level(col, prepared)
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
            qis.append(prioritised(at_least(col.output_name, h, codes, m), col.weight, col.max_level, m))
            leaf_frame[col.output_name] = leaves
    link_key = spec.column(spec.person_key).name if spec.person_key else None
    linked_columns: dict[str, LinkedColumn] = {}
    held = False
    with_person = np.zeros(n, dtype=bool)  # rows removed with their person (absent from the earlier release)
    floors: dict[str, np.ndarray] = dict(row_floors or {})
    with progress.phase("joined view"):
        if link_key is not None and link_key in linked:
            # the joined view: each row carries its person's quasi-identifiers as the earlier table released
            # them; they may only get coarser from here. A person the earlier release suppressed (or lacks)
            # is suppressed here too, so that no row of this table lacks its person there (no bias)
            earlier = linked[link_key]
            keys = surrogates[link_key].codes(prepared.values[link_key])
            with_person = ~earlier.released(keys)
            for name, (h, level) in earlier.hierarchies.items():
                codes = earlier.leaf_codes(name, keys, h.n_leaves)
                column = earlier.column(name)
                qname = str(column)
                originals[qname] = (h, codes, level)
                weight, max_level = earlier.priorities.get(name, (1.0, None))
                if earlier.person_levels is not None and linked_fixed:  # each person's label as released
                    person_level = earlier.levels_of(name, keys, h.height - 1)
                    usual = int(np.bincount(person_level).argmax()) if len(person_level) else 0
                    originals[qname] = (h, codes, usual)
                    qis.append(prioritised(fixed_per_row(qname, h, codes, person_level), weight, None, 0))
                    held = True
                elif earlier.person_levels is not None:  # locally recoded: from each person's released level
                    originals[qname] = (h, codes, 0)  # row levels are absolute here
                    floors[qname] = earlier.levels_of(name, keys, h.height - 1)
                    qis.append(prioritised(QuasiIdentifier(qname, codes, h), weight, max_level, 0))
                else:
                    q = fixed(qname, h, codes, level) if linked_fixed else at_least(qname, h, codes, level)
                    qis.append(prioritised(q, weight, max_level, level))
                linked_columns[qname] = column
    # numbers are ranked by value; a column released at a hierarchy level holds its labels, not numbers
    numeric = {name: spec.column(input_of(spec, name)).type in ("amount", "integer")
               and input_of(spec, name) not in prepared.leaves for name in sensitive_values}
    sens_cols = [SensitiveColumn.of(name, v, numeric[name]) for name, v in sensitive_values.items()]
    models = build_models(spec.release_models(k), k)
    if joined_flags is not None and config.privacy.recoding == "local":
        flag_column, flag_model = joined_model(joined_flags, k)
        sens_cols.append(flag_column)
        models.append(flag_model)
    if not qis:
        raise PrivacyError(f"table {spec.name}: no quasi-identifier configured; "
                           "k-anonymity cannot be assessed")
    with progress.step(f"search {spec.name}") as bar:
        result = _search_rows(config, qis, sens_cols, person if spec.person_key else None, models,
                              suppression_limit, with_person, floors)
        bar.advance(n)
    keep = result.keep
    absolute = {name: originals[name][2] + lv for name, lv in result.levels.items()}
    loss = dict(result.loss)
    if min_levels or linked_columns or with_person.any() or result.row_levels is not None:
        loss.update(lm_against_full(originals, absolute, keep, exclude=list(linked_columns),
                                    row_levels=result.row_levels))
    return Searched(prepared, k, result, originals, absolute, loss, qis, linked_columns, sensitive_values,
                    rare_counts, leaf_frame, linked_held=held)


def _search_rows(config: Config, qis: list[QuasiIdentifier], sens: list[SensitiveColumn],
                 person: np.ndarray | None, models: list, limit: float, removed: np.ndarray,
                 floors: dict[str, np.ndarray]) -> SearchResult:
    """The engine's search (global, or local recoding with per-row ``floors``) on the rows not ``removed``
    (removed with their person elsewhere), expanded back to every row: a removed row is suppressed and
    counted in ``suppressed_rows``.

    Why not charged to this table's limit: the person was suppressed (and charged) in the earlier table;
    taking their rows here with them is what keeps rates unbiased, not a choice of this search. The limit
    keeps its meaning for the rows this search may remove, out of the rows it was given."""
    p = config.privacy

    def run(qs: list[QuasiIdentifier], ss: list[SensitiveColumn], pers: np.ndarray | None,
            fl: dict[str, np.ndarray]) -> SearchResult:
        if p.recoding == "local":
            return search_local(qs, ss, pers, models, limit, floors=fl)
        return search(qs, ss, pers, models, limit, metric=p.metric,
                      max_exact_lattice=p.max_exact_lattice, max_search_nodes=p.max_search_nodes)

    if not removed.any():
        return run(qis, sens, person, floors)
    rows = ~removed
    if not rows.any():
        raise PrivacyError("every row belongs to a person suppressed in the earlier table")
    sub = run([replace(q, codes=np.asarray(q.codes)[rows]) for q in qis],
              [replace(s, codes=np.asarray(s.codes)[rows]) for s in sens],
              None if person is None else person[rows], {name: f[rows] for name, f in floors.items()})
    keep = np.zeros(len(removed), dtype=bool)
    keep[rows] = sub.keep
    class_id = np.full(len(removed), -1, dtype=np.int64)
    class_id[rows] = sub.class_id
    row_levels = None
    if sub.row_levels is not None:  # a removed row is suppressed: its level is never released
        row_levels = {}
        for name, lv in sub.row_levels.items():
            full = np.zeros(len(removed), dtype=np.asarray(lv).dtype)
            full[rows] = lv
            row_levels[name] = full
    return replace(sub, keep=keep, class_id=class_id, row_levels=row_levels,
                   suppressed_rows=sub.suppressed_rows + int(removed.sum()),
                   removed_with_person=int(removed.sum()))


def prioritised(q: QuasiIdentifier, weight: float, max_level: int | None, from_level: int) -> QuasiIdentifier:
    """``q`` (searched from ``from_level`` of its full hierarchy up) with the analyst's weight and its
    ``max_level`` cut relative to where its search starts."""
    cap = None if max_level is None else max(max_level - from_level, 0)
    return replace(q, weight=weight, max_level=cap)


def lm_against_full(originals: dict[str, tuple[Hierarchy, np.ndarray, int]], levels: dict[str, int],
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
