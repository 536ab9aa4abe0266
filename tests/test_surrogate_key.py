"""Keyed-PRF surrogates: consistent across batches and tables without a dictionary, letters only, unique, and
the per-run key is nowhere in the release (nor in a Dask scratch directory)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pipeline.identifiers.surrogate as surrogate
from pipeline.cli.main import main
from pipeline.identifiers.surrogate import SurrogateCollisionError, SurrogateKey, SurrogateSpace, spell
from tests.conftest import DEMO_CONFIG


def test_same_code_same_surrogate_in_any_batch_no_dictionary() -> None:
    key = SurrogateKey()
    codes = [f"KZ{i:08d}" for i in range(10_000)]
    whole = key.tokens(codes)
    batched = np.concatenate([key.tokens(codes[i:i + 999]) for i in range(0, len(codes), 999)])
    assert (whole == batched).all()
    assert all(re.fullmatch(r"[a-z]{14}", t) for t in whole)
    assert pd.Index(whole).is_unique
    assert not (SurrogateKey().tokens(codes) == whole).any()  # another run, another key
    assert "secret" in repr(key) and not any(c in repr(key) for c in ("\\x", "b'"))


def test_space_is_consistent_across_tables_and_keeps_the_interface() -> None:
    a = pd.Series(["KZ1", "KZ2", None, "KZ1"])
    b = pd.Series(["KZ2", "KZ3"])
    space = SurrogateSpace([a, b])
    ra, rb = space.replace(a), space.replace(b)
    assert ra[0] == ra[3] and ra[1] == rb[0] and ra[2] is None and space.size == 3
    assert list(space.codes(b)) == [1, 2]


def test_letters_spread_over_the_alphabet() -> None:
    rng = np.random.default_rng(0)
    tokens = spell(rng.bytes(32 * 20_000))
    letters = np.frombuffer("".join(tokens).encode(), dtype=np.uint8)
    counts = np.bincount(letters - ord("a"), minlength=26)
    assert len(counts) == 26 and counts.min() > 0.9 * counts.mean()


def test_collision_draws_a_new_key_then_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = SurrogateKey.tokens

    def colliding(self, values):
        calls.append(1)
        out = real(self, values)
        if len(calls) == 1:
            out[1] = out[0]
        return out

    monkeypatch.setattr(SurrogateKey, "tokens", colliding)
    space = SurrogateSpace([pd.Series(["a", "b", "c"])])
    assert len(calls) == 2 and pd.Index(space.replace(pd.Series(["a", "b", "c"]))).is_unique
    monkeypatch.setattr(SurrogateKey, "tokens",
                        lambda self, values: np.array(["x" * 14] * len(values), object))
    with pytest.raises(SurrogateCollisionError, match="same surrogate"):
        SurrogateSpace([pd.Series(["a", "b"])])


def _needles(key: bytes) -> list[bytes]:
    return [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key),
            base64.b64encode(key)[:-1],
            base64.urlsafe_b64encode(key).rstrip(b"=")]


@pytest.mark.parametrize(("workers", "stream"), [
    (None, False), pytest.param("2", False, marks=pytest.mark.slow),
    pytest.param("2", True, marks=pytest.mark.slow, id="2-stream")])
def test_the_key_is_in_no_release_file(workers, stream, extract_cp932: dict[str, Path], release_cp932: Path,
                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in this process with the key generator spied on (and the GiNZA model's loads counted: it is let
    go after the residual-PII scan and the gate does not load it again); grep every file written (release,
    register, and the Dask scratch directory while it exists) for the raw key and its hex and base64
    spellings. With ``--workers 2`` (a local Dask cluster) the release is also the same as the local run's on
    that input: levels, suppressed rows, smallest class (rows up to their order and the surrogates). With
    ``--stream`` as well, both streamed passes run on the workers (the demo config set to what ``--stream``
    takes; its release is compared with the local streamed one in
    ``tests/anonymise/test_streamed_run.py``)."""
    keys: list[bytes] = []
    real = surrogate.secrets.token_bytes

    def spy(n: int) -> bytes:
        b = real(n)
        if n == 32:  # a surrogate key (release ids take 3 bytes of the same module)
            keys.append(b)
        return b

    monkeypatch.setattr(surrogate.secrets, "token_bytes", spy)
    # the GiNZA model is let go after its last reader (pipeline.detection.nlp.unload, issue 17): counted here
    # (an empty span cache, so the scan must read with it) rather than in a run of its own
    from pipeline.detection import ner, nlp

    loads: list[int] = []
    load = nlp.GinzaNlpEngine.load

    def counted(self: nlp.GinzaNlpEngine) -> None:
        loads.append(1)
        load(self)

    nlp.ginza_engine.cache_clear()
    monkeypatch.setattr(nlp.GinzaNlpEngine, "load", counted)
    monkeypatch.setattr(ner, "_cache", {})
    monkeypatch.setenv("CI", "true")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen: list[Path] = []
    if workers:
        import pipeline.stream.dask_pass as dp

        real_cluster = dp.local_cluster

        import contextlib

        @contextlib.contextmanager
        def watched(n):
            with real_cluster(n) as client:
                yield client
                seen.extend(p for p in scratch.rglob("*") if p.is_file())

        monkeypatch.setattr(dp, "local_cluster", watched)
    out = tmp_path / "release"
    config = DEMO_CONFIG
    if stream:
        from tests.conftest import edited_demo_config

        (tmp_path / "config").mkdir()
        config = edited_demo_config(tmp_path / "config", "  recoding: auto", "  recoding: global")
        config.write_text(config.read_text("utf-8").replace("  protect_attributes: true",
                                                            "  protect_attributes: false"), "utf-8")
    argv = ["--quiet", "run", str(config), "--out", str(out), "--register", str(tmp_path / "reg.jsonl"),
            *[f"--input={k}={v}" for k, v in extract_cp932.items()], *(["--stream"] if stream else [])]
    assert main([*argv, "--workers", workers] if workers else argv) == 0
    assert loads and nlp.ginza_engine.cache_info().currsize == 0  # read with, let go, not loaded by the gate
    assert len(keys) >= 2  # one key per linking-code name (契約キー, 請求キー)
    files = [p for p in tmp_path.rglob("*") if p.is_file()] + [p for p in seen if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files)
    if workers:
        assert seen, "the Dask scratch directory was not inspected"
    local = json.loads((release_cp932 / "manifest.json").read_text("utf-8"))["tables"]
    ours = json.loads((out / "manifest.json").read_text("utf-8"))["tables"]
    for name, t in local.items() if not stream else ():
        for key in ("rows", "rows_in", "levels", "suppressed_rows", "min_class_size", "classes", "k",
                    "information_loss"):
            assert ours[name].get(key) == t.get(key), (name, key)
    for p in files:
        data = p.read_bytes()
        for key in keys:
            for needle in _needles(key):
                assert needle not in data, f"{p.relative_to(tmp_path)} holds the surrogate key"
