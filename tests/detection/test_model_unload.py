"""A run lets go of the GiNZA model once its last reader is done (``pipeline.detection.nlp.unload``): the
model is not held under the peaks of the risk, report and Great Expectations phases (issue 17), and the gate
finds the names it checks in the spans the residual-PII scan cached, so it does not load the model again."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.detection import ner, nlp
from pipeline.detection.nlp import ginza_engine
from pipeline.run import run_pipeline
from tests.anonymise.test_streamed_run import _config

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stream", [False, True], ids=["whole-table", "streamed"])
def test_the_model_is_let_go_after_the_scan_and_not_loaded_again(
        tmp_path: Path, extract_utf8: dict[str, Path], stream: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(_config(tmp_path))
    ginza_engine.cache_clear()
    loads = []
    load = nlp.GinzaNlpEngine.load

    def counted(self: nlp.GinzaNlpEngine) -> None:
        loads.append(1)
        load(self)

    monkeypatch.setattr(nlp.GinzaNlpEngine, "load", counted)
    monkeypatch.setattr(ner, "_cache", {})  # no span known from an earlier test
    run_pipeline(config, tmp_path / "release", extract_utf8, stream=stream)
    assert (tmp_path / "release" / "manifest.json").is_file()
    assert loads  # the scrubber and the scan did read with it
    assert ginza_engine.cache_info().currsize == 0  # let go, and the gate did not load it again
