"""The second pass (``pipeline.anonymise.second_pass``) writes the release the whole-table path assembles:
for each table of the demo extract searched on its own under global recoding, the first pass, the search on
it, the kept-row sketches and the bucketed write give the same rows with the same values and types as
``anonymise_prepared`` (up to the row order and the surrogates, which are per-release random), the same
suppressed rows and rare-value counts; the surrogates keep distinct codes distinct."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.anonymise import anonymise_prepared, second_pass
from pipeline.anonymise.second_pass import plan_for, sketch_kept, write_table
from pipeline.anonymise.streamed import search_stats, search_stats_tables
from pipeline.config import load_config
from pipeline.identifiers.surrogate import SurrogateKey
from pipeline.prepare import prepare
from pipeline.stream.first_pass import first_pass
from pipeline.stream.spill import Spill
from tests.conftest import DEMO_CONFIG


def _single(table: str, k: int, limit: float):
    config = load_config(DEMO_CONFIG)
    spec = next(t for t in config.tables if t.name == table)
    privacy = dataclasses.replace(config.privacy, k=k, suppression_limit=limit, recoding="global",
                                  attribute_risk=dataclasses.replace(config.privacy.attribute_risk,
                                                                     protect=False, policy="warn"))
    return dataclasses.replace(config, tables=(spec,), privacy=privacy)


@pytest.mark.parametrize("spilled", [False, True], ids=["read again", "spill"])
@pytest.mark.parametrize("table", ["policyholders", "claims"])
@pytest.mark.parametrize(("k", "limit"), [(40, 0.05)])
def test_second_pass_writes_the_whole_table_release(extract_cp932, tmp_path, monkeypatch, table, k,
                                                    limit, spilled) -> None:
    import pipeline.io.batches as batches

    config = _single(table, k, limit)
    spec = config.tables[0]
    inputs = {table: extract_cp932[table]}
    want = anonymise_prepared(prepare(config, inputs))[table]

    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 14)  # many batches
    monkeypatch.setattr(second_pass, "BUCKET_ROWS", 700)  # several buckets
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    spill = Spill(scratch / "spill.parquet") if spilled else None
    stats = first_pass(config, inputs, {table: spill} if spill else None).tables[table]
    result = search_stats(config, spec, stats)
    plan = sketch_kept(plan_for(config, spec, stats, result), inputs[table], spill)
    keys = {c.name: SurrogateKey() for c in spec.by_role("linking_code")}
    out = tmp_path / f"{table}.parquet"
    written = write_table(plan, inputs[table], out, scratch, keys, spill)
    if spill is not None:
        assert spill.path.exists() and pq.ParquetFile(spill.path).metadata.num_row_groups > 3
        spill.remove()
    assert list(scratch.iterdir()) == []  # the buckets (and the spill) are gone
    got = pq.read_table(out).to_pandas()
    _assert_same_release(got, written, want, spec)
    if k == 40:
        assert written.suppressed > 0 or sum(written.rare_values.values()) > 0


def _assert_same_release(got: pd.DataFrame, written, want, spec) -> None:  # type: ignore[no-untyped-def]
    """The written table is the whole-table release up to row order and surrogates."""
    assert written.rows == len(got) == len(want.data)
    assert written.suppressed == want.suppressed_rows
    changed = [{name: n for name, n in counts.items() if n} for counts in (written.rare_values,
                                                                           want.rare_values)]
    assert changed[0] == changed[1]
    assert list(got.columns) == list(want.data.columns)
    linking = [c.output_name for c in spec.by_role("linking_code")]
    for name in linking:  # surrogates differ per release; their pattern of equality does not
        assert got[name].nunique() == want.data[name].nunique()
        assert got[name].str.fullmatch("[a-z]{14}").all()
    rest = [c for c in got.columns if c not in linking]
    for name in rest:
        assert str(got[name].dtype).lower().startswith(("int", "string", "object")), name
        assert (got[name].dtype.kind in "iu" or str(got[name].dtype) == "Int64") == (
            str(want.data[name].dtype) == "Int64"), name
    canon = [df[rest].astype("string").fillna("<null>").sort_values(rest).reset_index(drop=True)
             for df in (got, want.data)]
    pd.testing.assert_frame_equal(canon[0], canon[1], check_dtype=False)


@pytest.mark.parametrize(("k", "limit"), [(5, 0.02), (100, 0.1)])
def test_second_pass_writes_the_joined_view_release(extract_cp932, tmp_path, monkeypatch, k, limit) -> None:
    """Both tables, claims on the joined view: the release of ``anonymise_prepared`` under global recoding,
    and on the written files k persons per class of the joined view (each claim with its policyholder's
    released values, matched on the surrogate key), counted here independently of the pipeline."""
    import pipeline.io.batches as batches

    config = load_config(DEMO_CONFIG)
    config = dataclasses.replace(config, privacy=dataclasses.replace(
        config.privacy, k=k, suppression_limit=limit, recoding="global",
        attribute_risk=dataclasses.replace(config.privacy.attribute_risk, protect=False, policy="warn")))
    want = anonymise_prepared(prepare(config, extract_cp932))
    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 14)
    monkeypatch.setattr(second_pass, "BUCKET_ROWS", 700)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    spills = {spec.name: Spill(scratch / f"{spec.name}.spill.parquet") for spec in config.tables}
    searched, view = search_stats_tables(config, first_pass(config, extract_cp932, spills))
    assert view is not None
    assert want["claims"].metrics["search"]["joined_view"]["strategy"] == view["strategy"]
    keys = {c.name: SurrogateKey() for spec in config.tables for c in spec.by_role("linking_code")}
    released = {}
    for spec in config.tables:
        s = searched[spec.name]
        plan = sketch_kept(plan_for(config, spec, s.stats, s.result, s.levels), extract_cp932[spec.name],
                           spills[spec.name])
        out = tmp_path / f"{spec.name}.parquet"
        written = write_table(plan, extract_cp932[spec.name], out, scratch, keys, spills[spec.name])
        released[spec.name] = got = pq.read_table(out).to_pandas()
        _assert_same_release(got, written, want[spec.name], spec)
    if k >= 40:
        assert searched["claims"].result.removed_with_person > 0
    ph, cl = released["policyholders"], released["claims"]
    ph_qis = [c.output_name for c in config.table("policyholders").by_role("quasi_identifier")]
    cl_qis = [c.output_name for c in config.table("claims").by_role("quasi_identifier")]
    joined = cl.merge(ph[["契約キー", *ph_qis]], on="契約キー", how="left", validate="many_to_one")
    assert joined[ph_qis].notna().any(axis=1).all()  # every released claim's policyholder is released
    persons = joined.fillna("<null>").groupby([*cl_qis, *ph_qis])["契約キー"].nunique()
    assert persons.min() >= k


def test_a_file_changed_between_the_passes_is_refused(extract_cp932, tmp_path) -> None:
    config = _single("policyholders", 5, 0.02)
    spec = config.tables[0]
    path = tmp_path / "ph.csv"
    path.write_bytes(extract_cp932["policyholders"].read_bytes())
    stats = first_pass(config, {"policyholders": path}).tables["policyholders"]
    plan = plan_for(config, spec, stats, search_stats(config, spec, stats))
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp932"), newline="")))
    rows[1][rows[0].index("住所")] = "沖縄県竹富町1"  # a 市区町村 the first pass never saw
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("cp932"))
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="changed between the passes"):
        sketch_kept(plan, path)


def test_the_plan_fills_its_lookups_before_batches_run_on_threads(extract_cp932) -> None:
    """pandas fills an index's hash table on first use; two threads doing it at once saw a half-filled table
    (10M claims: "cannot reindex on an axis with duplicate labels"). A plan fills every table when built,
    and again when unpickled on a Dask worker, so the threads and tasks only read them."""
    import pickle

    from pipeline.anonymise.second_pass import for_workers

    config = _single("claims", 5, 0.02)
    spec = config.tables[0]
    stats = first_pass(config, {"claims": extract_cp932["claims"]}).tables["claims"]
    plan = plan_for(config, spec, stats, search_stats(config, spec, stats))
    for remote in (plan, pickle.loads(pickle.dumps(for_workers(plan)))):
        indexes = [s.index for s in [*remote._lookups.values(), *remote.labels.values()]]
        assert {c.output_name for c in spec.by_role("quasi_identifier")} <= set(remote._lookups)
        filled = [bool(ix._engine.is_mapping_populated) for ix in indexes]  # booleans only in a failure
        assert filled and all(filled), filled


@pytest.mark.slow
def test_a_worker_dying_in_the_second_pass_is_a_clean_cluster_error(extract_cp932) -> None:
    """The second pass on Dask (the plan scattered, each batch on a worker): a worker process that dies on a
    batch (retries disallowed here) is one ClusterError, not a partial table."""
    import os

    import dask
    import distributed  # noqa: F401 - before dask.config.set (see tests/stream/test_first_pass.py)

    from pipeline.stream.dask_pass import ClusterError, local_cluster

    config = _single("policyholders", 5, 0.02)
    spec = config.tables[0]
    stats = first_pass(config, {"policyholders": extract_cp932["policyholders"]}).tables["policyholders"]
    plan = plan_for(config, spec, stats, search_stats(config, spec, stats))
    with (dask.config.set({"distributed.scheduler.allowed-failures": 0}), local_cluster(1) as client,
          pytest.raises(ClusterError, match="a Dask task failed")):
        list(second_pass._each_batch(lambda plan, path, batch: os._exit(1), plan,
                                     extract_cp932["policyholders"], None, client))
