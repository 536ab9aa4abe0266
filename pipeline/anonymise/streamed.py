"""One table's search from its first pass (issue 17): the decision the pipeline takes, without the rows.

:func:`search_stats` turns a :class:`~pipeline.stream.first_pass.TableStats` into what
:func:`pipeline.search.weighted.search_histogram` takes, as ``pipeline.anonymise.table.search_table``
turns a prepared table into what the row search takes:

- quasi-identifiers: the entries' leaf codes under the first pass's hierarchies, with the analyst's
  weight and ``max_level``;
- sensitive columns: each entry's value at the column's fixed level, then rare values merged or nulled
  as :func:`~pipeline.identifiers.rare.merge_rare` decides from the person sketches
  (:meth:`TableStats.rare`); numbers ranked by value;
- the table's models at the release's k; persons from the (tuple, person) pairs.

So on the same extract it chooses the same levels and suppresses the same rows as the whole-table path
with global recoding, for a table searched on its own (``tests/stream/test_search_stats.py``). Not
covered yet (the whole-table path still runs them): local recoding, the joined view of linked tables,
and ``protect_attributes``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.config.model import Config, TableSpec
from pipeline.privacy import build_models
from pipeline.search.engine import QuasiIdentifier, SearchResult, SensitiveColumn
from pipeline.search.weighted import search_histogram
from pipeline.stream.first_pass import TableStats


def search_stats(config: Config, spec: TableSpec, stats: TableStats, k: int | None = None,
                 suppression_limit: float | None = None) -> SearchResult:
    """The global-recoding search of one table on its first pass; ``keep``/``class_id`` per histogram entry
    (``stats.histogram``'s rows). ``k`` must be the first pass's (its person sketches hold k hashes)."""
    p = config.privacy
    k = p.k if k is None else k
    if k != stats.k:
        raise ValueError(f"the first pass sketched rare values for k = {stats.k}, not {k}")
    limit = p.suppression_limit if suppression_limit is None else suppression_limit
    entries = stats.histogram
    qis = []
    for col in spec.by_role("quasi_identifier"):
        codes = entries[col.output_name].to_numpy(dtype=np.int32)
        qis.append(QuasiIdentifier(col.output_name, codes, stats.hierarchies[col.output_name],
                                   weight=col.weight, max_level=col.max_level))
    sensitive = []
    for col in spec.by_role("sensitive"):
        values = entries[col.output_name].astype(object)
        labelled = col.hierarchy is not None
        if labelled:
            values = values.map(stats.fixed[col.output_name])
        if col.type == "string" or labelled:
            values = _rare_applied(values, stats, col.output_name, col.rare, col.rare_label)
        numeric = col.type in ("amount", "integer") and not labelled
        sensitive.append(SensitiveColumn.of(col.output_name, values, numeric))
    pairs = None
    if stats.person_pairs is not None:
        pairs = (_entry_of_tuple(stats)[stats.person_pairs["t"].to_numpy()],
                 stats.person_pairs["p"].to_numpy())
    models = build_models(spec.release_models(k), k)
    return search_histogram(qis, sensitive, entries["rows"].to_numpy(), pairs, models, limit, metric=p.metric,
                            max_exact_lattice=p.max_exact_lattice, max_search_nodes=p.max_search_nodes)


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


def _entry_of_tuple(stats: TableStats) -> np.ndarray:
    """For each row of ``stats.persons`` (a leaf-code tuple), one histogram entry holding that tuple."""
    names = stats.quasi_identifiers
    entries = stats.histogram[names].astype(np.int64)
    tuples = stats.persons[names].astype(np.int64)
    key = pd.MultiIndex.from_frame(entries)
    first = pd.Series(np.arange(len(entries)), index=key)
    first = first[~first.index.duplicated()]
    return first.reindex(pd.MultiIndex.from_frame(tuples)).to_numpy(dtype=np.int64)
