"""Anonymise prepared tables: surrogates, generalisation search, rare values, shuffling.

Pure with respect to the files: a :class:`~pipeline.prepare.Prepared` extract in, ``TableResult`` objects
out, nothing written. The one source of randomness is ``secrets`` (surrogates, row order); no seed is kept.

One module per job:

- ``table``: the search of one table (its sensitive values, quasi-identifiers and the engine's search);
- ``linked``: an earlier release's quasi-identifiers per person, as typed linked columns of a later table;
- ``joined``: the joined view of tables linked by a person key (the rounds and the strategy choice);
- ``assemble``: the released columns of a finished search (risk, generalised values, shuffled rows);
- ``utility``: the release's measured utility (levels released, research questions) for manifest and report;
- ``columns``: helpers the search and the assembly share;
- ``streamed``: one table's search from a streaming first pass (no rows; issue 17).
"""

from __future__ import annotations

import pandas as pd

from pipeline import progress
from pipeline.anonymise.assemble import assemble_table
from pipeline.anonymise.joined import search_tables
from pipeline.anonymise.utility import record_utility
from pipeline.errors import PrivacyError
from pipeline.histogram import sorted_unique
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.prepare import Prepared
from pipeline.release.candidate import TableResult

__all__ = ["anonymise_prepared"]


def anonymise_prepared(prepared: Prepared, k: int | None = None,
                       suppression_limit: float | None = None) -> dict[str, TableResult]:
    """Anonymise every table of ``prepared`` (k and suppression limit default to the config's); with
    ``privacy.recoding: auto`` both recodings, the one ``pipeline.anonymise.recoding`` chooses returned."""
    if prepared.config.privacy.recoding == "auto":
        from pipeline.anonymise.recoding import anonymise_auto

        return anonymise_auto(prepared, lambda p: anonymise_prepared(p, k, suppression_limit))
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
        for name, t in prepared.tables.items():
            persons = len(sorted_unique(t.person))
            if k > persons:
                raise PrivacyError(f"table {name}: k = {k} is larger than the number of persons ({persons})")
        searched, view = search_tables(config, prepared, surrogates, k, limit)
        results: dict[str, TableResult] = {}
        for name in prepared.tables:  # only the settled round's searches become releases
            with progress.phase(f"assemble {name}"):
                results[name] = assemble_table(config, searched[name], surrogates)
            if view is not None:
                results[name].metrics["search"]["joined_view"] = view
    finally:
        for s in surrogates.values():
            s.discard()
    record_utility(prepared, results)
    return results
