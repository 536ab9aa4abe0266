"""The joined view of tables linked by a person key (policyholders and their claims).

A later table that shares the person key with an earlier one is made k-anonymous on the *joined* view: each
row also carries its person's quasi-identifiers as the earlier table released them
(:class:`~pipeline.anonymise.linked.LinkedColumn`), searched from the released level up. If the joined view
needs them coarser, the earlier table is redone at those levels and the pass repeats. So joining the two
releases on the surrogate key cannot single out fewer than k persons. Whether the joined view coarsens the
earlier table's quasi-identifiers or only the later table's own is decided by computing both and keeping the
lower total information loss (:func:`search_tables`, recorded in the manifest under ``search.joined_view``).
"""

from __future__ import annotations

from typing import Any

from pipeline import progress
from pipeline.anonymise.linked import Linked, linked_release
from pipeline.anonymise.table import Searched, search_table
from pipeline.config.model import Config
from pipeline.errors import PrivacyError
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.prepare import Prepared


def search_tables(config: Config, prepared: Prepared, surrogates: dict[str, SurrogateSpace], k: int,
                  limit: float) -> tuple[dict[str, Searched], dict[str, Any] | None]:
    """Every table searched, linked tables on their joined view; and the joined-view choice (None when no
    table is linked) for the manifest's ``search.joined_view``."""
    with progress.phase("joined view: earlier first"):
        searched = settle(config, prepared, surrogates, k, limit, joint=False)
    if not any(s.linked for s in searched.values()):
        return searched, None
    # Two ways to make the joined view k-anonymous: keep the earlier table as released and coarsen
    # the later one's own quasi-identifiers ("earlier first"), or let the later search coarsen the
    # earlier table's quasi-identifiers too and redo the earlier table at those levels ("joint").
    # Neither dominates (small extracts favour joint), so both are searched and the one with the
    # lower (analyst-weighted) information loss over every released quasi-identifier cell of both tables
    # is kept.
    try:
        with progress.phase("joined view: joint"):
            joint: dict[str, Searched] | None = settle(config, prepared, surrogates, k, limit, joint=True)
    except PrivacyError:
        joint = None
    first_loss = total_loss(searched)
    joint_loss = total_loss(joint) if joint is not None else None
    chosen = "earlier first"
    if joint is not None and joint_loss is not None and joint_loss < first_loss - 1e-12:
        searched, chosen = joint, "joint"
    return searched, {"strategy": chosen, "total_lm": {"earlier first": first_loss, "joint": joint_loss}}


def settle(config: Config, prepared: Prepared, surrogates: dict[str, SurrogateSpace], k: int, limit: float,
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
    searched: dict[str, Searched] = {}
    for round_ in range(4):
        searched = {}
        linked: dict[str, Linked] = {}
        with progress.phase(f"joined-view round {round_ + 1}"):
            raised = _search_round(config, prepared, surrogates, k, limit, names, min_levels, searched,
                                   linked, joint)
        if not raised:
            return searched
    raise PrivacyError("tables linked by a person key did not settle on common levels")


def total_loss(searched: dict[str, Searched]) -> float:
    """What the users lose: Iyengar's LM over every released quasi-identifier cell of every table (each
    table's own QIs), each cell weighted by its column's analyst ``weight`` (equal weights: the plain mean
    over cells)."""
    total = cells = 0.0
    for s in searched.values():
        weight = {c.output_name: c.weight for c in s.prepared.spec.by_role("quasi_identifier")}
        per = s.loss["per_attribute"]
        for name in s.own:
            total += s.prepared.rows * weight[name] * float(per[name])
            cells += s.prepared.rows * weight[name]
    return total / cells if cells else 0.0


def _search_round(config: Config, prepared: Prepared, surrogates: dict[str, SurrogateSpace], k: int,
                  limit: float, names: list[str], min_levels: dict[str, dict[str, int]],
                  results: dict[str, Searched], linked: dict[str, Linked], joint: bool) -> bool:
    """One pass over the tables in config order; True if an earlier table's minimum levels were raised."""
    raised = False
    for name in names:
        t = prepared.tables[name]
        shares_key = any(t.spec.person_key == key for key in linked)
        try:
            # the joined view with the earlier release as it is, unless the joint strategy is searched
            with progress.phase(f"search {name}"):
                res = search_table(config, t, surrogates, k, limit, linked, min_levels[name],
                                   not (joint and shares_key))
        except PrivacyError:
            if not shares_key or joint:
                raise
            # infeasible: let the earlier table's QIs get coarser (the joined search's own loss decides how
            # much; the earlier table is then redone at those levels)
            with progress.phase(f"search {name} (earlier levels free)"):
                res = search_table(config, t, surrogates, k, limit, linked, min_levels[name], False)
        results[name] = res
        for column, level in res.linked_levels.items():
            if level > results[column.table].levels[column.column]:
                min_levels[column.table][column.column] = level
                raised = True
        if t.spec.person_key and res.own and t.spec.person_key not in linked:
            with progress.phase(f"link {name}"):
                linked[t.spec.person_key] = linked_release(t, res.levels, res.kept, surrogates)
    return raised
