"""The search from the first pass (issue 17): the decision the pipeline takes, without the rows.

:func:`search_stats_table` turns a :class:`~pipeline.stream.first_pass.TableStats` into what
:func:`pipeline.search.weighted.search_histogram` takes, as ``pipeline.anonymise.table.search_table``
turns a prepared table into what the row search takes:

- quasi-identifiers: the entries' leaf codes under the first pass's hierarchies, from a minimum level up,
  with the analyst's weight and ``max_level``;
- sensitive columns: each entry's value at the column's fixed level, then rare values merged or nulled
  as :func:`~pipeline.identifiers.rare.merge_rare` decides from the person sketches
  (:meth:`TableStats.rare`); numbers ranked by value;
- the joined view (a later table linked by a person key): each entry's link id resolved to the tuple the
  earlier table's release kept for that person (:meth:`~pipeline.stream.links.PersonLinks.resolve`), its
  leaf codes added as the linked quasi-identifiers (fixed at the released level, or from it up); entries
  whose person the earlier release dropped are removed with their person, not charged to the limit;
- the table's models at the release's k; persons from the (tuple, person) pairs.

:func:`search_stats_tables` runs the joined-view rounds and the choice between the two strategies of
``pipeline.anonymise.joined.search_tables`` (global recoding) on these searches. So on the same extract the
streaming path chooses the same strategy and levels and suppresses the same rows as the whole-table path
(``tests/stream/test_search_stats.py``, ``tests/stream/test_joined_stats.py``). Not covered yet (the
whole-table path still runs them): local recoding and ``protect_attributes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from pipeline.anonymise.joined import choose_strategy, weighted_loss
from pipeline.anonymise.linked import LinkedColumn, at_least, fixed
from pipeline.anonymise.table import prioritised
from pipeline.config.model import Config, TableSpec
from pipeline.errors import PrivacyError
from pipeline.hierarchies.base import Hierarchy
from pipeline.privacy import build_models
from pipeline.search.engine import QuasiIdentifier, SearchResult, SensitiveColumn
from pipeline.search.weighted import search_histogram
from pipeline.stream.first_pass import FirstPass, TableStats
from pipeline.stream.links import LINK


@dataclass
class StatsSearched:
    """One table's search on its first pass (the streaming counterpart of ``table.Searched``): ``result``
    holds ``keep`` and ``class_id`` per histogram entry."""

    spec: TableSpec
    stats: TableStats
    result: SearchResult
    #: search name → absolute level (own quasi-identifiers by output name, linked ones by
    #: ``str(LinkedColumn)``)
    absolute: dict[str, int]
    #: Iyengar's LM of the own quasi-identifiers against their full hierarchies, per attribute and mean
    loss: dict[str, Any]
    linked: dict[str, LinkedColumn]
    #: joined view: per link id, the earlier table's kept tuple (a row of its ``persons``) or -1
    resolved: np.ndarray | None = None
    #: joined view: the earlier table's search (its persons' leaf codes, for :meth:`codes`)
    earlier: StatsSearched | None = field(default=None, repr=False)

    def codes(self) -> dict[str, np.ndarray]:
        """Search name → each entry's leaf code under its full hierarchy (linked ones: the person's, as the
        earlier release kept them; the null leaf for a person it lacks). Derived again on demand, not kept:
        the two joined-view strategies' searches are alive together, and the linked codes alone are 94 MiB
        at 10M policyholders (the claims' 5.9M entries, four linked quasi-identifiers)."""
        out = {name: _own_codes(self.stats, name) for name in self.own}
        if self.earlier is not None and self.resolved is not None:
            tuple_of = _tuple_of(self.stats, self.resolved)
            for name, column in self.linked.items():
                out[name] = _linked_codes(self.earlier.stats, column.column, tuple_of)
        return out

    def sensitive_values(self) -> dict[str, pd.Series]:
        """The sensitive columns as searched (each entry's value at the fixed level, rare values applied);
        derived again on demand (an object per entry)."""
        return {name: v for name, (v, _) in _sensitive_values(self.spec, self.stats).items()}

    @property
    def own(self) -> list[str]:
        return [c.output_name for c in self.spec.by_role("quasi_identifier")]

    @property
    def levels(self) -> dict[str, int]:
        """Own quasi-identifier → released (absolute) level."""
        return {name: self.absolute[name] for name in self.own}

    @property
    def linked_levels(self) -> dict[LinkedColumn, int]:
        return {column: self.absolute[name] for name, column in self.linked.items()}

    def kept_tuples(self) -> np.ndarray:
        """Per row of ``stats.persons`` (a tuple), whether the release keeps it (all its entries share a
        class, so any one of them tells)."""
        return np.asarray(self.result.keep)[entry_of_tuple(self.stats)]


def search_stats(config: Config, spec: TableSpec, stats: TableStats, k: int | None = None,
                 suppression_limit: float | None = None) -> SearchResult:
    """The global-recoding search of one table on its own, on its first pass; ``keep``/``class_id`` per
    histogram entry (``stats.histogram``'s rows). ``k`` must be the first pass's (its person sketches hold
    k hashes)."""
    return search_stats_table(config, spec, stats, k, suppression_limit).result


def search_stats_table(config: Config, spec: TableSpec, stats: TableStats, k: int | None = None,
                       suppression_limit: float | None = None, min_levels: dict[str, int] | None = None,
                       earlier: StatsSearched | None = None, linked_fixed: bool = False) -> StatsSearched:
    """One table's search on its first pass (``search_table`` on histogram entries). ``min_levels``: own
    quasi-identifiers kept at least that general; ``earlier``: the earlier table's search, when this table
    is a later table of its joined view (its linked quasi-identifiers fixed at the released levels when
    ``linked_fixed``, else searched from them up)."""
    p = config.privacy
    k = p.k if k is None else k
    if k != stats.k:
        raise ValueError(f"the first pass sketched rare values for k = {stats.k}, not {k}")
    limit = p.suppression_limit if suppression_limit is None else suppression_limit
    min_levels = min_levels or {}
    entries = stats.histogram
    rows = entries["rows"].to_numpy(dtype=np.int64)
    qis: list[QuasiIdentifier] = []
    originals: dict[str, tuple[Hierarchy, np.ndarray | None, int]] = {}
    for col in spec.by_role("quasi_identifier"):
        name, h = col.output_name, stats.hierarchies[col.output_name]
        codes = _own_codes(stats, name)
        m = min_levels.get(name, 0)
        originals[name] = (h, codes, m)
        qis.append(prioritised(at_least(name, h, codes, m), col.weight, col.max_level, m))
    linked: dict[str, LinkedColumn] = {}
    removed = np.zeros(len(entries), dtype=bool)
    resolved = None
    if earlier is not None and stats.links is not None:
        # each entry's person as the earlier release holds them; absent there: removed with the person
        resolved = stats.links.resolve(earlier.kept_tuples())
        tuple_of = _tuple_of(stats, resolved)
        removed = tuple_of < 0
        for col in earlier.spec.by_role("quasi_identifier"):
            name, h = col.output_name, earlier.stats.hierarchies[col.output_name]
            column = LinkedColumn(earlier.spec.name, name)
            qname, level = str(column), earlier.absolute[name]
            codes = _linked_codes(earlier.stats, name, tuple_of)
            q = fixed(qname, h, codes, level) if linked_fixed else at_least(qname, h, codes, level)
            # the loss is the own columns' (a linked column's is the earlier table's): no codes kept, the
            # search holds its own (the claims' joint view at 10M: 23 MiB each, against 90 for all four)
            originals[qname] = (h, None, level)
            qis.append(prioritised(q, col.weight, col.max_level, level))
            linked[qname] = column
            del codes, q
        del tuple_of
    sensitive = [SensitiveColumn.of(name, v, numeric) for name, (v, numeric) in
                 _sensitive_values(spec, stats).items()]  # the values (an object per entry) not held
    pairs = None
    if stats.person_pairs is not None:
        pairs = (entry_of_tuple(stats)[stats.person_pairs["t"].to_numpy()],
                 stats.person_pairs["p"].to_numpy())
    models = build_models(spec.release_models(k), k)
    result = _search_entries(config, qis, sensitive, rows, pairs, models, limit, removed)
    absolute = {name: originals[name][2] + lv for name, lv in result.levels.items()}
    return StatsSearched(spec, stats, result, absolute, _loss(originals, absolute, result.keep, rows),
                         linked, resolved, earlier if resolved is not None else None)


def _own_codes(stats: TableStats, name: str) -> np.ndarray:
    """Each histogram entry's leaf code of an own quasi-identifier (int32)."""
    return stats.histogram[name].to_numpy(dtype=np.int32)


def _tuple_of(stats: TableStats, resolved: np.ndarray) -> np.ndarray:
    """Each histogram entry's person as the earlier release kept them (a row of its ``persons``), or -1."""
    link = stats.histogram[LINK].to_numpy(dtype=np.int64)
    return np.where(link >= 0, resolved[np.maximum(link, 0)], -1)


def _linked_codes(earlier: TableStats, name: str, tuple_of: np.ndarray) -> np.ndarray:
    """Each entry's leaf code of the earlier table's quasi-identifier ``name`` (the null leaf for a person
    the earlier release lacks), int32."""
    person_codes = earlier.persons[name].to_numpy(dtype=np.int32)
    out = np.where(tuple_of >= 0, person_codes[np.maximum(tuple_of, 0)], earlier.hierarchies[name].n_leaves)
    return out.astype(np.int32, copy=False)


def _sensitive_values(spec: TableSpec, stats: TableStats) -> dict[str, tuple[pd.Series, bool]]:
    """Sensitive column → (each entry's value as searched, whether it is ranked as a number)."""
    entries = stats.histogram
    sensitive = {}
    for col in spec.by_role("sensitive"):
        values = entries[col.output_name].astype(object)
        labelled = col.hierarchy is not None
        if labelled:
            values = values.map(stats.fixed[col.output_name])
        if col.type == "string" or labelled:
            values = _rare_applied(values, stats, col.output_name, col.rare, col.rare_label)
        numeric = col.type in ("amount", "integer") and not labelled
        sensitive[col.output_name] = (values, numeric)
    return sensitive


def _search_entries(config: Config, qis: list[QuasiIdentifier], sensitive: list[SensitiveColumn],
                    rows: np.ndarray, pairs: tuple[np.ndarray, np.ndarray] | None, models: list, limit: float,
                    removed: np.ndarray) -> SearchResult:
    """The histogram search on the entries not ``removed`` (with their person, in an earlier table),
    expanded back to every entry: as ``table._search_rows`` does on rows, a removed entry is suppressed and
    its rows counted in ``suppressed_rows`` but not charged to the limit."""
    p = config.privacy

    def run(entries: np.ndarray | None) -> SearchResult:
        return search_histogram(qis, sensitive, rows, pairs, models, limit, metric=p.metric,
                                max_exact_lattice=p.max_exact_lattice, max_search_nodes=p.max_search_nodes,
                                entries=entries)

    if not removed.any():
        return run(None)
    at = np.flatnonzero(~removed)
    if not len(at):
        raise PrivacyError("every row belongs to a person suppressed in the earlier table")
    sub = run(at)
    keep = np.zeros(len(removed), dtype=bool)
    keep[at] = sub.keep
    class_id = np.full(len(removed), -1, dtype=np.int64)
    class_id[at] = sub.class_id
    gone = int(rows[removed].sum())
    return replace(sub, keep=keep, class_id=class_id, suppressed_rows=sub.suppressed_rows + gone,
                   removed_with_person=gone)


def _loss(originals: dict[str, tuple[Hierarchy, np.ndarray | None, int]], absolute: dict[str, int],
          keep: np.ndarray, rows: np.ndarray) -> dict[str, Any]:
    """``table.lm_against_full`` on entries weighted by their rows (a suppressed cell loses everything); the
    own quasi-identifiers only (a linked one's loss is counted in its own table)."""
    per = {}
    total = max(int(rows.sum()), 1)
    for name, (h, codes, _) in originals.items():
        if codes is None:  # a linked column
            continue
        cell = np.where(keep, h.loss(absolute[name])[codes], 1.0)
        per[name] = float((cell * rows).sum() / total)
    return {"lm": float(np.mean(list(per.values()))) if per else 0.0, "per_attribute": per}


def search_stats_tables(config: Config, fp: FirstPass, k: int | None = None,
                        suppression_limit: float | None = None,
                        ) -> tuple[dict[str, StatsSearched], dict[str, Any] | None]:
    """Every table searched on its first pass, linked tables on their joined view: the rounds and the choice
    of ``pipeline.anonymise.joined.search_tables`` under global recoding (the lower analyst-weighted loss of
    "earlier first" and "joint"); the choice as the manifest's ``search.joined_view`` (None: no link)."""
    if config.privacy.recoding != "global":
        raise NotImplementedError("the streaming search covers global recoding only")
    k = config.privacy.k if k is None else k
    limit = config.privacy.suppression_limit if suppression_limit is None else suppression_limit
    searched = settle_stats(config, fp, k, limit, joint=False)
    if not any(s.linked for s in searched.values()):
        return searched, None
    try:
        joint: dict[str, StatsSearched] | None = settle_stats(config, fp, k, limit, joint=True)
    except PrivacyError:
        joint = None
    return choose_strategy(searched, joint, total_loss)


def settle_stats(config: Config, fp: FirstPass, k: int, limit: float, joint: bool,
                 facts: dict[str, int] | None = None) -> dict[str, StatsSearched]:
    """``joined.settle`` (global recoding) on first passes: tables in config order until the linked tables
    agree on the earlier tables' levels; the same cap on the rounds (``joined.max_rounds``)."""
    facts = facts if facts is not None else {}
    min_levels: dict[str, dict[str, int]] = {spec.name: {} for spec in config.tables}
    heights = sum(h.height - 1 for t in fp.tables.values() for h in t.hierarchies.values())
    for _ in range(heights + 3):
        searched: dict[str, StatsSearched] = {}
        by_key: dict[str, StatsSearched] = {}
        raised = False
        for spec in config.tables:
            stats = fp.tables[spec.name]
            earlier = by_key.get(spec.person_key) if spec.person_key and stats.links is not None else None
            try:
                res = search_stats_table(config, spec, stats, k, limit, min_levels[spec.name], earlier,
                                         linked_fixed=earlier is not None and not joint)
            except PrivacyError:
                if earlier is None or joint:
                    raise
                res = search_stats_table(config, spec, stats, k, limit, min_levels[spec.name], earlier, False)
                facts["earlier levels freed"] = facts.get("earlier levels freed", 0) + 1
            searched[spec.name] = res
            for column, level in res.linked_levels.items():
                if level > searched[column.table].absolute[column.column]:
                    min_levels[column.table][column.column] = level
                    raised = True
            if spec.person_key and res.own and spec.person_key not in by_key:
                by_key[spec.person_key] = res
        if not raised:
            return searched
    raise PrivacyError("tables linked by a person key did not settle on common levels")


def total_loss(searched: dict[str, StatsSearched]) -> float:
    """``joined.total_loss`` on the histograms: the same :func:`~pipeline.anonymise.joined.weighted_loss`."""
    return weighted_loss((s.spec, s.stats.rows, s.own, s.loss["per_attribute"]) for s in searched.values())


def _rare_applied(values: pd.Series, stats: TableStats, column: str, policy: str, label: str) -> pd.Series:
    """The entries' values after rare-value handling, as merge_rare leaves the rows."""
    plan = stats.rare(column, policy, label)
    if not plan.rare:
        return values
    rare = values.isin(list(plan.rare)).to_numpy()
    out = values.copy()
    out[rare] = label if policy == "merge" else None
    if policy == "merge" and plan.label_nulled:
        out[(out == label).to_numpy()] = None
    return out


def entry_of_tuple(stats: TableStats) -> np.ndarray:
    """For each row of ``stats.persons`` (a leaf-code tuple), one histogram entry holding that tuple; computed
    once per first pass (every joined-view round and both strategies need it: 22 times on the demo)."""
    cached = stats.derived.get("entry_of_tuple")
    if cached is not None:
        return cached
    names = stats.tuple_columns
    entries = stats.histogram[names]
    # entries and tuples numbered together on integer group keys (a MultiIndex of millions of claim entries
    # is slow and large); the first entry of each group written last wins
    both = pd.concat([entries, stats.persons[names]], ignore_index=True)
    group = both.groupby(names, sort=False).ngroup().to_numpy()
    first = np.full(int(group.max()) + 1 if len(group) else 0, -1, dtype=np.int64)
    n = len(entries)
    first[group[:n][::-1]] = np.arange(n, dtype=np.int64)[::-1]
    out = first[group[n:]]
    if (out < 0).any():
        raise ValueError("a quasi-identifier tuple with no histogram entry")
    out.setflags(write=False)
    stats.derived["entry_of_tuple"] = out
    return out
