"""The streaming first pass: the histogram the search needs equals the one of today's whole-frame path, on one
machine and on a Dask LocalCluster of 2 workers (``anonymize run --workers 2`` giving the same release is in
tests/test_surrogate_key.py, with the key grep of that run); an unreachable scheduler is one line and exit 12
before any work."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.config import load_config
from pipeline.prepare import prepare
from pipeline.stream.first_pass import FirstPass, first_pass
from pipeline.stream.links import LINK
from tests.conftest import DEMO_CONFIG, anonymize


def _reference(extract: dict[str, Path]) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """(rows per (qi leaf codes, sensitive values), persons per qi tuple) from today's prepared frames."""
    config = load_config(DEMO_CONFIG)
    prepared = prepare(config, extract)
    out = {}
    for spec in config.tables:
        t = prepared.tables[spec.name]
        qis = {c.output_name: _labels(t.leaves[c.name][1], t.leaf_codes(c.name))
               for c in spec.by_role("quasi_identifier")}
        sens = {c.output_name: t.values[c.name].astype(object) for c in spec.by_role("sensitive")}
        frame = pd.DataFrame({**qis, **sens})
        rows = frame.groupby(list(frame.columns), dropna=False).size().rename("rows").reset_index()
        persons = (pd.DataFrame({**qis, "p": t.person}).drop_duplicates().groupby(list(qis)).size()
                   .rename("persons").reset_index())
        out[spec.name] = (rows, persons)
    return out


def _labels(h, codes) -> np.ndarray:
    """Leaf labels of leaf codes (null code → None): codes depend on first-seen order, labels do not."""
    return np.array([*h.labels[0][: h.n_leaves], None], dtype=object)[np.asarray(codes)]


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    df = df.astype({c: object for c in df.columns if c not in ("rows", "persons")})
    df = df.fillna("<null>").astype(str)
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def _assert_same(got: FirstPass, want: dict[str, tuple[pd.DataFrame, pd.DataFrame]]) -> None:
    for name, (rows, persons) in want.items():
        t = got.tables[name]
        for frame in (t.histogram, t.persons):
            for q, h in t.hierarchies.items():
                frame[q] = _labels(h, frame[q])
        assert t.rows == int(rows["rows"].sum())
        histogram, counted = _own(t.histogram, "rows"), _own(t.persons, "persons")
        pd.testing.assert_frame_equal(_canonical(histogram), _canonical(rows), obj=f"{name} histogram")
        pd.testing.assert_frame_equal(_canonical(counted), _canonical(persons), obj=f"{name} persons")


def _own(frame: pd.DataFrame, count: str) -> pd.DataFrame:
    """A joined view's histogram or persons without its link column: a person has one link id, so summing
    over it counts each person once per own tuple."""
    if LINK not in frame.columns:
        return frame
    keys = [c for c in frame.columns if c not in (LINK, count)]
    return frame.groupby(keys, dropna=False)[count].sum().reset_index()


@pytest.fixture(scope="module")
def reference(extract_cp932: dict[str, Path]) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    return _reference(extract_cp932)


def test_first_pass_histogram_equals_the_whole_frame_one(extract_cp932, reference, monkeypatch) -> None:
    import pipeline.io.batches as batches

    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 12)  # many batches
    got = first_pass(load_config(DEMO_CONFIG), extract_cp932)
    _assert_same(got, reference)
    assert got.tables["claims"].persons["persons"].sum() < got.tables["claims"].rows  # persons, not rows


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_histogram(extract_cp932, reference, tmp_path) -> None:
    from pipeline.stream.dask_pass import first_pass_dask, local_cluster

    # Parquet inputs too: the workers read their row groups themselves
    parquet = {}
    for name, path in extract_cp932.items():
        from pipeline.io.reader import read_table

        df = read_table(path)
        parquet[name] = tmp_path / f"{name}.parquet"
        df.to_parquet(parquet[name], row_group_size=700)
    config = load_config(DEMO_CONFIG)
    with local_cluster(2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        _assert_same(first_pass_dask(config, extract_cp932, client), reference)
        _assert_same(first_pass_dask(config, parquet, client), reference)


def test_unreachable_scheduler_fails_before_any_work(extract_cp932, tmp_path, monkeypatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "release"
    # the timeout from Dask's configuration (10 s by default, 1 s here: a refused port is retried until then)
    monkeypatch.setenv("DASK_ANONYMIZE__CONNECT_TIMEOUT", "1")
    proc = anonymize("run", str(DEMO_CONFIG), "--out", str(out), "--scheduler", f"tcp://127.0.0.1:{port}",
                     *[f"--input={k}={v}" for k, v in extract_cp932.items()])
    assert proc.returncode == 12, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: Dask scheduler tcp://127.0.0.1:{port}: cannot connect")
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_worker_dying_mid_pass_is_a_clean_cluster_error(extract_cp932) -> None:
    """A worker process that dies on a batch (retries disallowed here; the default retries 3 times on other
    workers) is one ClusterError, before anything is written."""
    # distributed imported before dask.config.set: a set made before distributed registers its defaults
    # records "distributed" as a new key and deletes the whole section on exit (every later cluster in this
    # process, another test's, then fails on a missing key)
    import dask
    import distributed  # noqa: F401

    from pipeline.stream.dask_pass import ClusterError, local_cluster, map_batches

    spec = load_config(DEMO_CONFIG).tables[0]
    with (dask.config.set({"distributed.scheduler.allowed-failures": 0}), local_cluster(1) as client,
          pytest.raises(ClusterError, match="a Dask task failed")):
        list(map_batches(client, lambda s, p, b: os._exit(1), spec, extract_cp932[spec.name]))


@pytest.mark.parametrize("k", [2, 5, 40])
def test_rare_values_are_judged_by_persons_as_merge_rare_judges_them(extract_cp932, monkeypatch, k) -> None:
    """The first pass's bottom-k person sketches give :func:`merge_rare`'s decision on every row (which values
    are rare, whether the merged label stays rare, how many cells change) for each column it applies to,
    including 傷病名 judged at its fixed level, with many small batches; and a value with k rows but fewer
    than k persons is rare (claims: one person, many rows)."""
    import dataclasses

    import pipeline.io.batches as batches
    from pipeline.anonymise.columns import fixed_level
    from pipeline.identifiers.rare import merge_rare

    config = load_config(DEMO_CONFIG)
    config = dataclasses.replace(config, privacy=dataclasses.replace(config.privacy, k=k))
    prepared = prepare(config, extract_cp932)
    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 12)
    got = first_pass(config, extract_cp932)
    checked = changed_total = 0
    for spec in config.tables:
        t, stats = prepared.tables[spec.name], got.tables[spec.name]
        for col in spec.columns:
            if not (col.role == "sensitive" or (col.role == "attribute" and col.type == "string")):
                continue
            for policy in ("merge", "suppress"):
                values = fixed_level(col, t)
                out, changed = merge_rare(values, t.person, k, policy, col.rare_label)
                plan = stats.rare(col.output_name, policy, col.rare_label)
                present = values.notna().to_numpy()
                rare_rows = present & ~(out.astype(object).to_numpy() == values.astype(object).to_numpy())
                rare_rows &= ~((out.astype(object).to_numpy() == col.rare_label) & (values == col.rare_label))
                want_rare = set(values[rare_rows].astype(object))
                assert plan.changed_cells == changed, (spec.name, col.name, policy)
                changed_total += changed
                assert set(plan.rare) == want_rare, (spec.name, col.name, policy)
                if policy == "merge" and changed:
                    assert plan.label_nulled == bool(out[rare_rows].isna().all())
                checked += 1
    assert checked >= 6  # 保険種類, 代理店コード, 傷病名 under two policies
    assert changed_total > 0 or k < 40  # at k = 40 some values are rare (one of them by persons, not rows)
    disease = next(c for c in config.tables[1].columns if c.role == "sensitive")
    sketch = got.tables["claims"].sketches[disease.output_name]
    sizes = sketch.groupby("value").size()
    assert sizes.max() <= k and (sizes < k).sum() == len(got.tables["claims"].rare(disease.output_name,
                                                                                    "merge", "x").rare)


def test_partial_results_merged_many_times_give_the_same_histogram(extract_cp932, reference,
                                                                   monkeypatch) -> None:
    """The pass merges its partial results when they hold more than ``COMPACT_EVERY`` rows, then waits for
    twice the merged size (linear, not quadratic); merged dozens of times it still gives the same
    histogram, persons and person links (first rows kept through the merges)."""
    import pipeline.io.batches as batches
    import pipeline.stream.first_pass as fp_module

    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 12)
    merges = []
    real = fp_module.reduce_stats
    monkeypatch.setattr(fp_module, "reduce_stats", lambda parts: merges.append(1) or real(parts))
    monkeypatch.setattr(fp_module, "COMPACT_EVERY", 300)
    got = first_pass(load_config(DEMO_CONFIG), extract_cp932)
    assert len(merges) > 6
    _assert_same(got, reference)
    monkeypatch.setattr(fp_module, "COMPACT_EVERY", 10**9)
    once = first_pass(load_config(DEMO_CONFIG), extract_cp932)
    # one row per policyholder: their (tuple, person) pairs are dropped once the links are built from them
    assert got.tables["policyholders"].person_pairs is None is once.tables["policyholders"].person_pairs
    a, b = got.tables["claims"].links, once.tables["claims"].links
    assert a is not None and b is not None and (a.n_tuples, len(a.lists)) == (b.n_tuples, len(b.lists))
    np.testing.assert_array_equal(a.persons, b.persons)
    np.testing.assert_array_equal(a.ids, b.ids)
    for x, y in zip(a.lists, b.lists, strict=True):
        np.testing.assert_array_equal(x, y)


def test_birth_dates_are_histogrammed_and_spilled_as_their_ages(extract_cp932, monkeypatch, tmp_path) -> None:
    """Issue 17: a birth date under an age hierarchy goes no further than its batch; the spill and the
    value-key histogram hold one representative date per age (claim dates one per month), so the
    histogram grows with the classes, not with the persons."""
    import pipeline.stream.first_pass as fp_module
    from pipeline.hierarchies.builtin import age_keys, ages_at
    from pipeline.normalise.base import normalise_column
    from pipeline.stream.spill import Spill

    config = load_config(DEMO_CONFIG)
    entries: dict[str, int] = {}
    real = fp_module.finish_table

    def counted(config, spec, path, stats, *args, **kwargs):
        entries[spec.name] = len(stats.histogram)
        return real(config, spec, path, stats, *args, **kwargs)

    monkeypatch.setattr(fp_module, "finish_table", counted)
    spills = {spec.name: Spill(tmp_path / f"{spec.name}.parquet") for spec in config.tables}
    first_pass(config, extract_cp932, spills)
    ref = config.privacy.reference_date
    spilled = pd.concat([pd.DataFrame(v) for _, _, v in spills["policyholders"].batches()], ignore_index=True)
    raw = pd.read_csv(extract_cp932["policyholders"], encoding="cp932", dtype=str)
    births, _ = normalise_column(raw["生年月日"], "date", "null")
    assert spilled["生年月日"].nunique() == ages_at(births, ref).nunique() < births.nunique() // 5
    assert age_keys(spilled["生年月日"], ref).equals(spilled["生年月日"])
    qis = [c.name for c in config.tables[0].by_role("quasi_identifier")]
    assert entries["policyholders"] == len(spilled[qis].drop_duplicates())
    claims = pd.concat([pd.DataFrame(v) for _, _, v in spills["claims"].batches()], ignore_index=True)
    assert (claims["請求日"].dropna().dt.day == 1).all()


def test_overlapped_keeps_the_order_holds_few_batches_and_raises_the_first_error() -> None:
    import threading
    import time

    from pipeline.stream.first_pass import overlapped

    running, most = [0], [0]
    lock = threading.Lock()
    drawn = []

    def items():
        for i in range(20):
            drawn.append(i)
            yield i

    def work(i: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01 * (i % 3))  # out of order completion
        with lock:
            running[0] -= 1
        return i * i

    out = []
    for value in overlapped(work, items(), ahead=2):
        out.append(value)
        assert len(drawn) <= len(out) + 2  # never more than `ahead` batches beyond the one consumed
    assert out == [i * i for i in range(20)]
    assert most[0] == 2

    def fails(i: int) -> int:
        if i == 5:
            raise ValueError("batch 5")
        return i

    with pytest.raises(ValueError, match="batch 5"):
        list(overlapped(fails, iter(range(20))))


def test_first_of_pairs_is_drop_duplicates() -> None:
    """The sort-based de-duplication of person pairs keeps what ``drop_duplicates`` keeps: the first
    occurrence of each pair, in the input's order."""
    from pipeline.stream.first_pass import first_of_pairs

    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 1000):
        t = rng.integers(0, 5, n).astype(np.uint64)
        p = rng.integers(0, 2**63, 7, dtype=np.uint64)[rng.integers(0, 7, n)]
        frame = pd.DataFrame({"t": t, "p": p})
        want = frame.drop_duplicates().index.to_numpy()
        np.testing.assert_array_equal(first_of_pairs(t, p), want)
