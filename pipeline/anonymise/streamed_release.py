"""``anonymize run --stream`` (issue 17): the anonymisation in bounded memory, the rest of the run as today.

What is streamed: read, normalise and encode (the first pass, with the joined view's person links), the
search on its histograms (joined-view rounds and strategy choice, ``pipeline.anonymise.streamed``), and the
second pass that writes each table's released rows batch by batch (kept-row rare values, generalised values,
keyed-PRF surrogates, scrubbed text, the bucketed shuffle; ``pipeline.anonymise.second_pass``) into the
release's own ``data/<table>.parquet``, once, in the form the release's writer would give it. The normalised
batches are spilled once inside the run's staging folder and read back by the later passes; nothing of the
input's rows is held in memory. The figures of the release come from the histograms: classes, suppressed rows,
loss, risk before and after (:func:`pipeline.metrics.risk.risk_profile_entries`), addresses coarsened.

What is not streamed yet: the released tables are read back into pandas for the residual-PII scan, the risk
over all released columns, the report, the published items and the Great Expectations gate, which all take
the candidate's data frames (the release is coarser than the input, but grows with the rows just the same).
The report's "before" sample is a bounded uniform sample of the input rows (:data:`BEFORE_SAMPLE`), drawn from
the histogram. The research questions of ``utility`` (claim rates and the product mix, input against release)
take their input side from the first pass: each person of the person table by the tuple of their first row,
whether a later table holds a row of theirs, and the product's value at that row (carried by the pass as a
32-bit hash per person; :func:`question_inputs`); the same answers as the whole-table path's.

Where: on this machine (the per-batch work on two threads), or with ``--workers N`` / ``--scheduler ADDR``
on Dask: the first pass's batches encoded on the workers (``pipeline.stream.dask_pass``), the search on the
client, the second pass's batches normalised, generalised and sketched on the workers with the plan
scattered once; the surrogates are drawn on the client (the key never leaves it) and the client writes the
shuffle buckets and the table (``pipeline.anonymise.second_pass``). The same release either way, up to the
row order and the surrogates (``tests/anonymise/test_streamed_run.py``).

Which configs: global recoding without ``protect_attributes`` (:func:`check_streamable`; anything else is a
config error before any input is read). On such a config the release equals the whole-table path's, up to the
row order and the surrogates (``tests/anonymise/test_streamed_run.py``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import progress
from pipeline.anonymise.columns import model_dict
from pipeline.anonymise.second_pass import Written, plan_for, sketch_kept, write_table
from pipeline.anonymise.streamed import StatsSearched, entry_of_tuple, search_stats_tables
from pipeline.checksum import sha256_file
from pipeline.config.model import Config
from pipeline.errors import ConfigError, PrivacyError
from pipeline.histogram import group
from pipeline.identifiers.surrogate import SurrogateKey
from pipeline.metrics.research_questions import InputSide, Units, person_table, research_questions
from pipeline.metrics.risk import risk_profile_entries
from pipeline.metrics.utility import level_shares
from pipeline.release.candidate import TableResult
from pipeline.release.compact import read_compact
from pipeline.stream import executor, memory
from pipeline.stream.first_pass import FirstPass, carried_values, first_pass, input_paths
from pipeline.stream.spill import Spill

#: rows of the report's before sample (drawn uniformly from the input rows, through the histogram)
BEFORE_SAMPLE = 200_000


def check_streamable(config: Config) -> None:
    """A config error (before any input is read) for what the streaming path does not cover yet."""
    problems = []
    if config.privacy.recoding != "global":
        problems.append(f"privacy.recoding is {config.privacy.recoding!r} (the streaming search is global "
                        "recoding only)")
    if config.privacy.attribute_risk.protect:
        problems.append("privacy.attribute_risk.protect is on (promoting attributes searches again on the "
                        "rows)")
    if problems:
        raise ConfigError("--stream cannot run this config: " + "; ".join(problems)
                          + ". Run without --stream, or set recoding: global and protect: false")


@dataclass
class Streamed:
    tables: dict[str, TableResult]
    #: table → {"file", "sha256", "rows"}, as ``pipeline.run.build_candidate`` records the inputs
    inputs: dict[str, dict[str, str]]
    addresses_coarsened: dict[str, dict[str, int]]


def anonymise_streamed(config: Config, inputs: dict[str, Path] | None, scratch: Path,
                       data: Path) -> Streamed:
    """The streamed anonymisation of every table; ``scratch``: an empty folder inside the run's staging
    folder (the spills and shuffle buckets, removed here, and by the staging's clean-up on any failure);
    ``data``: the staging's ``data`` folder, where the second pass writes each released table once, in its
    final form (``TableResult.file``; the release's writer takes it as it is)."""
    check_streamable(config)
    paths = input_paths(config, inputs)
    client = executor.current()
    # on Dask the workers read the input again in the second pass (a spill would be the client's alone)
    spills = {} if client is not None else {
        spec.name: Spill(scratch / f"{spec.name}.spill.parquet") for spec in config.tables}
    keys = {c.name: SurrogateKey() for spec in config.tables for c in spec.by_role("linking_code")}
    try:
        with progress.phase("first pass"):
            carry = question_carry(config)
            if client is None:
                fp = first_pass(config, inputs, spills, carry)
            else:
                from pipeline.stream.dask_pass import first_pass_dask

                fp = first_pass_dask(config, inputs, client, carry)
            asked = question_inputs(config, fp)  # per first tuple: a few MiB, not the persons
            fp.claimants.clear()
        k = config.privacy.k
        for name, stats in fp.tables.items():
            persons = stats.persons_total
            if k > persons:
                raise PrivacyError(f"table {name}: k = {k} is larger than the number of persons ({persons})")
        with progress.phase("search (first pass)"):
            searched, view = search_stats_tables(config, fp)
        memory.release()
        with progress.phase("figures"):  # risk before / after and the report's sample, from the histograms
            figures = {name: search_figures(config, s) for name, s in searched.items()}
            for s in searched.values():  # what only the figures needed (10M claims: 5.8M pairs)
                s.stats.n_persons = s.stats.persons_total
                s.stats.person_pairs = None
        memory.release()
        tables: dict[str, TableResult] = {}
        for spec in config.tables:
            s = searched[spec.name]
            path = Path(paths[spec.name])
            with progress.phase(f"second pass {spec.name}"):
                spill = spills.get(spec.name)
                plan = sketch_kept(plan_for(config, spec, s.stats, s.result, s.levels), path, spill, client)
                out = data / f"{spec.name}.parquet"
                buckets = scratch / f"{spec.name}.buckets"
                buckets.mkdir()
                written = write_table(plan, path, out, buckets, keys, spill, client)
                if spill is not None:
                    spill.remove()
                buckets.rmdir()
            memory.release()
            with progress.phase(f"read back {spec.name}"):
                held = _read_back(config, spec.name, out)
            tables[spec.name] = table_result(config, s, written, held, figures.pop(spec.name))
            tables[spec.name].file = out
            if view is not None:
                tables[spec.name].metrics["search"]["joined_view"] = view
        memory.release()  # what the second passes and read-backs freed, back before the questions' peak
        with progress.phase("research questions"):
            product = config.utility.product
            person, questions = research_questions(asked, tables, product)
            if person is not None and questions:
                tables[person].metrics["utility"]["questions"] = questions
    finally:
        for spill in spills.values():
            spill.remove()
        for key in keys.values():
            key.discard()
    with progress.phase("checksums (inputs)"):
        digests = {name: sha256_file(p) for name, p in paths.items()}
    return Streamed(tables,
                    {name: {"file": Path(paths[name]).name, "sha256": digests[name], "rows": str(t.rows_in)}
                     for name, t in tables.items()},
                    {name: dict(fp.tables[name].addresses_coarsened) for name in tables})


def question_carry(config: Config) -> dict[str, str]:
    """What the first pass carries per person for the research questions: the product column of the
    person table (its value at each person's first row, for the product mix), unless it is a quasi-identifier
    (in the tuple already) or has a hierarchy (asked at its released level: not carried, the mix is then
    left out of a streamed manifest)."""
    spec = person_table(config.tables)
    product = config.utility.product
    if spec is None or not product or product not in {c.name for c in spec.kept_columns}:
        return {}
    col = spec.column(product)
    if col.role == "quasi_identifier" or col.hierarchy is not None:
        return {}
    return {spec.name: product}


def question_inputs(config: Config, fp: FirstPass) -> InputSide | None:
    """The research questions' input side from the first pass (``pipeline.metrics.research_questions``):
    the person table's persons grouped by the tuple of their first row (persons, and claimants: those
    with a row in a later table of the joined view), and for the product mix by (first tuple, product
    value). The same groups, hence the same answers, as the whole-table path's person by person. None
    when the questions' table is not the first with its person key (it has no links of its own)."""
    spec = person_table(config.tables)
    if spec is None or spec.person_key is None:
        return None
    key = spec.person_key
    links = fp.links.get(key)
    if links is None or links.table != spec.name:
        return None
    stats = fp.tables[spec.name]
    first = links.first_tuples()
    n = len(stats.persons)
    persons = np.bincount(first, minlength=n).astype(np.int64)
    claimants = None
    if any(t.person_key == key and t.name != spec.name for t in config.tables):
        mark = fp.claimants.get(key, np.zeros(len(first), dtype=bool))
        claimants = np.bincount(first, weights=mark, minlength=n).astype(np.int64)
    qis = list(spec.by_role("quasi_identifier"))
    codes = {c.name: stats.persons[c.output_name].to_numpy(dtype=np.int64) for c in qis}
    rates = Units(codes, persons, claimants)
    mix = None
    product = config.utility.product
    if product in codes:
        mix = rates
    elif product and key in fp.firsts and spec.column(product).output_name in stats.distinct:
        f = fp.firsts[key]
        values = carried_values(f["v"].to_numpy(), stats.distinct[spec.column(product).output_name].index)
        if values is not None:
            t = f["t"].to_numpy()
            mix = Units({name: c[t] for name, c in codes.items()}, f["persons"].to_numpy(), None, values)
    return InputSide(spec, {c.name: stats.hierarchies[c.output_name] for c in qis}, rates, mix)


def _read_back(config: Config, table: str, path: Path) -> pd.DataFrame:
    """The written release as ``assemble`` types it (numbers without a hierarchy Int64, the rest text), held
    compactly for the gates and the report by :func:`~pipeline.release.compact.read_compact`: the linking
    codes and free text (distinct per row) as Arrow strings, the released labels of quasi-identifiers,
    sensitive columns and attributes as sorted categoricals."""
    spec = config.table(table)
    keys = [c.output_name for c in spec.kept_columns if c.role in ("linking_code", "free_text")]
    numeric = [c.output_name for c in spec.kept_columns if c.type in ("amount", "integer")
               and c.role in ("attribute", "sensitive") and c.hierarchy is None]
    return read_compact(path, keys, numeric)


@dataclass(frozen=True)
class SearchFigures:
    """A streamed table's figures that need the search's per-entry codes and (entry, person) pairs: taken
    right after the search, so that neither is held through the second passes and the read-backs (10M: the
    claims' 5.8M pairs and their risk profiles were the run's peak, with both released tables held)."""

    risk: dict[str, Any]
    before: pd.DataFrame


def search_figures(config: Config, s: StatsSearched) -> SearchFigures:
    """Risk before and after (classes per entry; persons through the pairs) and the report's before sample."""
    stats, result = s.stats, s.result
    rows = stats.histogram["rows"].to_numpy(dtype=np.int64)
    pairs = None
    if s.spec.person_key is not None and stats.person_pairs is not None:
        pp = stats.person_pairs
        pairs = (entry_of_tuple(stats)[pp["t"].to_numpy()], pp["p"].to_numpy())
    # classes over the own and linked quasi-identifiers' leaf codes, as the search saw them: grouped on the
    # code arrays (no frame of their copies and pandas' group keys: 10M, the claims' figures +651 MiB)
    codes = s.codes()
    cols = list(codes.values())
    before_class = (group(cols, [int(c.max()) + 1 if len(c) else 1 for c in cols])[0] if cols
                    else np.zeros(len(rows), dtype=np.int64))
    threshold = config.privacy.risk_threshold
    risk_before = risk_profile_entries(before_class, rows, pairs, threshold)
    own = {name: codes[name] for name in s.own}
    del codes, cols, before_class  # the linked codes: the claims' 5.9M entries x 4 at 10M
    risk_after = risk_profile_entries(np.where(result.keep, result.class_id, -1), rows, pairs, threshold)
    return SearchFigures({"before": risk_before, "after": risk_after}, _before_sample(s, rows, own))


def table_result(config: Config, s: StatsSearched, written: Written, data: pd.DataFrame,
                 figures: SearchFigures) -> TableResult:
    """``assemble.assemble_table``'s result for a streamed table: the figures from its histogram (those of
    :func:`search_figures` taken earlier), the data as written by the second pass."""
    spec, stats, result = s.spec, s.stats, s.result
    hierarchies = {name: stats.hierarchies[name] for name in s.own}
    hierarchies.update(stats.fixed_hierarchies)
    levels = dict(s.levels)
    for col in spec.kept_columns:
        if col.role != "quasi_identifier" and col.output_name in stats.fixed_hierarchies:
            levels[col.output_name] = min(col.level, stats.fixed_hierarchies[col.output_name].height - 1)
    # as assemble counts them: an attribute only where cells changed; a sensitive column with rare values
    # merged, and a scrubbed free-text column, always
    always = {c.output_name for c in spec.kept_columns
              if (c.role == "sensitive" and (c.type == "string" or c.hierarchy is not None))
              or c.role == "free_text"}
    t = TableResult(
        name=spec.name,
        spec=spec,
        data=data,
        quasi_identifiers=tuple(s.own),
        sensitive=tuple(stats.sensitive),
        attributes=tuple(c.output_name for c in spec.by_role("attribute")),
        person_key=spec.column(spec.person_key).output_name if spec.person_key else None,
        levels=levels,
        hierarchies=hierarchies,
        rows_in=stats.rows,
        suppressed_rows=int(result.suppressed_rows),
        min_class_size=int(result.min_class_size),
        classes=int(result.classes),
        k=stats.k,
        metrics={
            "loss": {**result.loss, **s.loss},
            "risk": figures.risk,
            "search": {"exact": result.exact, "nodes_evaluated": result.nodes_evaluated,
                       "lattice_size": result.lattice_size, "fallback": result.fallback,
                       "suppressed_with_person": result.removed_with_person, "streamed": True},
            "linked_quasi_identifiers": {str(c): lv for c, lv in s.linked_levels.items()},
            "models": [model_dict(m) for m in spec.release_models(stats.k)],
        },
        rare_values={name: n for name, n in written.rare_values.items() if n or name in always},
        scrubbed=dict(written.scrubbed),
        invalid_nulled=dict(stats.invalid_nulled),
        before=figures.before,
    )
    t.metrics["utility"] = {
        "suppressed_share": float(t.suppressed_rows / t.rows_in) if t.rows_in else 0.0,
        "levels": {name: level_shares(t.data[name], t.hierarchies[name], t.rows_in) for name in s.own},
    }
    return t


def _before_sample(s: StatsSearched, rows: np.ndarray, codes: dict[str, np.ndarray]) -> pd.DataFrame:
    """Up to :data:`BEFORE_SAMPLE` input rows, uniformly without replacement, as their level-0 values (the
    report's before distributions): every row when the table is smaller. Drawn on the histogram: row
    numbers sampled, then mapped to their entries through the cumulative counts."""
    total = int(rows.sum())
    rng = np.random.default_rng(secrets.randbits(128))
    if total > BEFORE_SAMPLE:
        drawn = rng.choice(total, BEFORE_SAMPLE, replace=False)
        picked = np.searchsorted(np.cumsum(rows), drawn, side="right")
    else:
        picked = np.repeat(np.arange(len(rows)), rows)
    picked = picked[rng.permutation(len(picked))]
    stats = s.stats
    frame = {}
    for name in s.own:
        h = stats.hierarchies[name]
        frame[name] = _picked(pd.Series(h.labels[0][: h.n_leaves], dtype=object), codes[name],
                              picked)
    for name, v in s.sensitive_values().items():
        frame[name] = _picked(v, np.arange(len(v)), picked)
    return pd.DataFrame(frame)


def _picked(values: pd.Series, codes: np.ndarray, picked: np.ndarray) -> pd.Categorical:
    """``values[codes[picked]]`` (a code past the end, or a null value: null) as a categorical of the
    values' distinct labels: the sample holds a byte or two per cell, not a Python object (200,000 rows of
    half a dozen columns held through the gates: 127 MiB as objects)."""
    label_codes, labels = pd.factorize(values)  # a null value: -1
    at = codes[picked]
    inside = at < len(values)
    chosen = np.where(inside, label_codes[np.minimum(at, max(len(values) - 1, 0))] if len(values) else -1, -1)
    return pd.Categorical.from_codes(chosen, categories=pd.Index(labels, dtype=object))
