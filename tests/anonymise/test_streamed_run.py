"""``anonymize run --stream`` through the CLI (issue 17): on the demo extract, with the demo config set to
global recoding without ``protect_attributes``, the streamed run writes the release the whole-table run
writes: the same tables, rows and values (up to the row order and the surrogates), the same levels, classes,
suppressed rows, rare values, risk and loss in the manifest; ``anonymize verify`` accepts it with the
register, and its joined view is k-anonymous per person on the written files. A config the streaming path
does not cover is a config error (exit 3) before anything is read or written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import anonymize, copy_extract, edited_demo_config

pytestmark = pytest.mark.slow

GLOBAL = ("  recoding: auto", "  recoding: global")
PROTECT = ("  protect_attributes: true", "  protect_attributes: false")


def _config(folder: Path) -> Path:
    config = edited_demo_config(folder, *GLOBAL)
    text = config.read_text("utf-8").replace(*PROTECT)
    assert PROTECT[1] in text
    config.write_text(text, "utf-8")
    return config


def _run(config: Path, out: Path, extract: dict[str, Path], *extra: str):  # type: ignore[no-untyped-def]
    return anonymize("--quiet", "run", str(config), "--out", str(out), "--register",
                     str(out.parent / "register.jsonl"), *extra,
                     *[f"--input={name}={path}" for name, path in extract.items()])


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory,
             extract_cp932: dict[str, Path]) -> tuple[Path, Path, Path]:
    """The whole-table release, the streamed one, and the streamed one on a local Dask cluster of 2
    workers."""
    folder = tmp_path_factory.mktemp("streamed-run")
    extract = copy_extract(extract_cp932, folder / "extract")
    config = _config(folder)
    whole, streamed, dask = folder / "whole", folder / "streamed", folder / "dask"
    import pipeline.release.manifest as manifest

    real, writes = manifest._write_parquet, []

    def counted(data: pd.DataFrame, path: Path, advance) -> None:  # type: ignore[no-untyped-def]
        writes.append(path.name)
        real(data, path, advance)

    for out, extra in ((whole, ()), (streamed, ("--stream",)), (dask, ("--stream", "--workers", "2"))):
        with pytest.MonkeyPatch.context() as mp:  # the CLI runs in this process (not the Dask run)
            mp.setattr(manifest, "_write_parquet", counted)
            proc = _run(config, out, extract, *extra)
        assert proc.returncode == 0, proc.stderr[-3000:]
        if out == whole:  # the whole-table run writes its frames; the streamed runs' second pass did
            assert sorted(writes) == ["claims.parquet", "policyholders.parquet"]
            writes.clear()
    assert writes == [], "the streamed run wrote a released table a second time"
    return whole, streamed, dask


def _manifest(release: Path) -> dict:
    return json.loads((release / "manifest.json").read_text("utf-8"))


def test_the_streamed_run_writes_the_whole_table_release(releases: tuple[Path, Path, Path]) -> None:
    _assert_same_release(releases[0], releases[1])


def test_the_streamed_run_on_two_dask_workers_writes_the_same_release(releases: tuple[Path, Path, Path],
                                                                      ) -> None:
    """Both passes on a LocalCluster of 2 worker processes: the release of the local streamed run (levels,
    suppressed rows, classes, figures; the rows up to their order and the surrogates)."""
    _assert_same_release(releases[1], releases[2])
    manifest = _manifest(releases[2])
    assert all(t["search"]["streamed"] for t in manifest["tables"].values())


def _assert_same_release(want_dir: Path, got_dir: Path) -> None:
    whole, streamed = _manifest(want_dir), _manifest(got_dir)
    assert set(whole["tables"]) == set(streamed["tables"]) == {"policyholders", "claims"}
    for name, w in whole["tables"].items():
        s = streamed["tables"][name]
        for key in ("rows", "rows_in", "columns", "quasi_identifiers", "levels", "classes", "min_class_size",
                    "suppressed_rows", "rare_values_changed", "invalid_cells_nulled", "free_text_scrubbed",
                    "granularity", "linked_quasi_identifiers", "linked_persons",
                    "addresses_coarsened_to_prefecture", "k"):
            assert s.get(key) == w.get(key), (name, key)
        # the labels a column may take; listed in the hierarchy's order, which follows the input's order on
        # the whole-table path and the sorted distinct values on the streamed one
        assert {c: set(v) for c, v in s["value_sets"].items()} == {
            c: set(v) for c, v in w["value_sets"].items()}, name
        assert s["attribute_risk"] == w["attribute_risk"], name
        assert s["utility"]["levels"] == w["utility"]["levels"], name
        # the research questions: the input side from the first pass (persons by their first row's tuple)
        assert _questions(s) == _questions(w), name
        assert s["search"]["streamed"] is True
        for side in ("before", "after"):
            for figure, value in w["risk"][side].items():
                assert s["risk"][side][figure] == pytest.approx(value), (name, side, figure)
        for key, value in w["information_loss"].items():
            if isinstance(value, float):
                assert s["information_loss"][key] == pytest.approx(value), (name, key)
        if "joined_view" in w["search"]:
            assert s["search"]["joined_view"]["strategy"] == w["search"]["joined_view"]["strategy"]
    for name in whole["tables"]:
        want, got = (pd.read_parquet(r / "data" / f"{name}.parquet") for r in (want_dir, got_dir))
        linking = [c for c in want.columns if c.endswith("キー")]
        rest = [c for c in want.columns if c not in linking]
        assert [str(t) for t in got.dtypes] == [str(t) for t in want.dtypes], name
        canon = [df[rest].astype("string").fillna("<null>").sort_values(rest).reset_index(drop=True)
                 for df in (got, want)]
        pd.testing.assert_frame_equal(canon[0], canon[1], obj=name)
        for column in linking:
            assert got[column].nunique() == want[column].nunique(), (name, column)


def _questions(table: dict) -> list:
    """The research questions of a manifest table, floats rounded (the groups' sums run in another order)."""
    def rounded(value):  # type: ignore[no-untyped-def]
        if isinstance(value, float):
            return round(value, 12)
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rounded(v) for v in value]
        return value

    return rounded(table["utility"].get("questions", []))


def test_the_streamed_manifest_answers_the_research_questions(releases: tuple[Path, Path, Path]) -> None:
    questions = _manifest(releases[1])["tables"]["policyholders"]["utility"]["questions"]
    assert [q["question"] for q in questions] == [
        "claim rate by 年齢 × 性別", "claim rate by 居住地", "保険種類 mix by 居住地"]
    assert all(q.get("answerable", True) and q["groups"] > 1 for q in questions)


@pytest.mark.parametrize("which", [1, 2], ids=["this machine", "dask"])
def test_the_streamed_release_files_are_the_whole_table_release_files(releases, which) -> None:
    """The second pass writes each table once, in the form the release's writer gives the whole-table
    frame: the same Arrow types, pandas metadata (so any reader gets the same dtypes) and compression."""
    import pyarrow.parquet as pq

    def form(path: Path) -> tuple:
        meta = pq.ParquetFile(path).metadata
        schema = pq.read_schema(path)
        pandas_meta = json.loads(schema.metadata[b"pandas"])
        codecs = {meta.row_group(g).column(c).compression
                  for g in range(meta.num_row_groups) for c in range(meta.num_columns)}
        return [(f.name, str(f.type)) for f in schema], pandas_meta["columns"], codecs

    for name in ("policyholders", "claims"):
        want = form(releases[0] / "data" / f"{name}.parquet")
        assert form(releases[which] / "data" / f"{name}.parquet") == want, name
        assert want[2] == {"ZSTD"}


@pytest.mark.parametrize("which", [1, 2], ids=["this machine", "dask"])
def test_the_streamed_release_verifies_and_is_k_anonymous_on_the_joined_view(releases, which) -> None:
    streamed = releases[which]
    proc = anonymize("verify", str(streamed), "--register", str(streamed.parent / "register.jsonl"))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    manifest = _manifest(streamed)
    ph = pd.read_parquet(streamed / "data/policyholders.parquet")
    cl = pd.read_parquet(streamed / "data/claims.parquet")
    ph_qis = manifest["tables"]["policyholders"]["quasi_identifiers"]
    cl_qis = manifest["tables"]["claims"]["quasi_identifiers"]
    joined = cl.merge(ph[["契約キー", *ph_qis]], on="契約キー", how="inner", validate="many_to_one")
    assert len(joined) == len(cl)  # every released claim's policyholder is released
    persons = joined.astype("string").fillna("<null>").groupby([*cl_qis, *ph_qis])["契約キー"].nunique()
    assert persons.min() >= manifest["tables"]["claims"]["k"]
    assert not list(streamed.parent.glob(".*staging*")) and not list(streamed.rglob("*.spill.parquet"))


@pytest.mark.parametrize("extra", [(), ("--workers", "2")], ids=["auto recoding", "before a cluster starts"])
def test_what_the_stream_does_not_cover_is_a_config_error(tmp_path, extract_cp932, extra) -> None:
    config = edited_demo_config(tmp_path, "  k: 5", "  k: 5")
    out = tmp_path / "release"
    proc = _run(config, out, extract_cp932, "--stream", *extra)
    assert proc.returncode == 3, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--stream" in lines[0], proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".release*"))


def test_two_codes_with_one_surrogate_in_different_batches_refuse_the_release(tmp_path, extract_cp932,
                                                                                monkeypatch) -> None:
    """The second pass's uniqueness check counts distinct codes and distinct surrogates over every batch
    (sorted 64-bit hashes, merged as they grow): a key that gives every policy number of a later batch the
    surrogate of a code seen earlier must refuse the release, and leave nothing behind."""
    import numpy as np

    import pipeline.io.batches as batches
    from pipeline.config import load_config
    from pipeline.identifiers.surrogate import SurrogateCollisionError, SurrogateKey
    from pipeline.run import run_pipeline

    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 14)  # many batches
    real = SurrogateKey.tokens
    calls = []

    def colliding(self: SurrogateKey, values) -> np.ndarray:  # type: ignore[no-untyped-def]
        tokens = real(self, values)
        calls.append(len(tokens))
        if len(calls) > 1:  # a later batch: its first code gets the surrogate of the very first code
            tokens[0] = first[0]
        else:
            first.append(tokens[0])
        return tokens

    first: list[str] = []
    monkeypatch.setattr(SurrogateKey, "tokens", colliding)
    out = tmp_path / "release"
    with pytest.raises(SurrogateCollisionError, match="same surrogate"):
        run_pipeline(load_config(_config(tmp_path)), out, extract_cp932, stream=True)
    assert len(calls) > 2
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".release")]
