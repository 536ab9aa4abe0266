"""The research questions' input side from the streamed first pass (``streamed_release.question_inputs``):
the same answers as the whole-table path's person by person (``research_questions.input_side``), on an
extract where persons hold several rows whose age, address and product differ, so that only a person's
*first* row gives the right group; the release side is the same release for both."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.anonymise import anonymise_prepared
from pipeline.anonymise.streamed_release import question_carry, question_inputs
from pipeline.config import load_config
from pipeline.metrics.research_questions import input_side, research_questions
from pipeline.prepare import prepare
from pipeline.stream.first_pass import first_pass
from tests.conftest import DEMO_CONFIG


def _config():  # type: ignore[no-untyped-def]
    config = load_config(DEMO_CONFIG)
    privacy = dataclasses.replace(config.privacy, k=5, suppression_limit=0.05, recoding="global",
                                  attribute_risk=dataclasses.replace(config.privacy.attribute_risk,
                                                                     protect=False, policy="warn"))
    return dataclasses.replace(config, privacy=privacy)


@pytest.fixture(scope="module")
def several_rows(tmp_path_factory: pytest.TempPathFactory, extract_cp932: dict[str, Path]) -> dict[str, Path]:
    """The demo extract with 400 persons given a second row (200 before their first, 200 after), its
    birth date, address and product taken from another person's row."""
    folder = tmp_path_factory.mktemp("several-rows")
    ph = pd.read_csv(extract_cp932["policyholders"], encoding="cp932", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(7)
    who = rng.choice(len(ph), 400, replace=False)
    donor = rng.choice(len(ph), 400)
    extra = ph.iloc[who].reset_index(drop=True)
    for column in ("生年月日", "住所", "保険種類"):
        extra[column] = ph[column].to_numpy()[donor]
    ph = pd.concat([extra.iloc[:200], ph, extra.iloc[200:]], ignore_index=True)
    out = {"policyholders": folder / "policyholders.csv", "claims": folder / "claims.csv"}
    ph.to_csv(out["policyholders"], index=False, encoding="cp932")
    out["claims"].write_bytes(Path(extract_cp932["claims"]).read_bytes())
    return out


def _rounded(value):  # type: ignore[no-untyped-def]
    if isinstance(value, float):
        return round(value, 12)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def test_streamed_questions_take_each_persons_first_row(several_rows, monkeypatch) -> None:
    import pipeline.io.batches as batches

    config = _config()
    product = config.utility.product
    prepared = prepare(config, several_rows)
    persons = prepared.tables["policyholders"].values["証券番号"].nunique()
    results = anonymise_prepared(prepared)
    want = research_questions(input_side(prepared, product), results, product)
    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 13)  # many batches: first rows across batches
    fp = first_pass(config, several_rows, carry=question_carry(config))
    got = research_questions(question_inputs(config, fp), results, product)
    assert [q["question"] for q in want[1]] == [
        "claim rate by 年齢 × 性別", "claim rate by 居住地", "保険種類 mix by 居住地"]
    assert all(q["persons_in"] == persons for q in want[1])
    assert _rounded(got) == _rounded(want)


def test_a_later_rows_values_would_give_other_answers(several_rows) -> None:
    """The fixture bites: the persons' *last* rows answer differently (so the test above can fail)."""
    config = _config()
    product = config.utility.product
    prepared = prepare(config, several_rows)
    results = anonymise_prepared(prepared)
    first = research_questions(input_side(prepared, product), results, product)[1]
    table = prepared.tables["policyholders"]
    flipped = dataclasses.replace(table, values={k: v[::-1].reset_index(drop=True)
                                                 for k, v in table.values.items()},
                                  leaves={k: (v[::-1].reset_index(drop=True), h)
                                          for k, (v, h) in table.leaves.items()},
                                  _codes={})
    last = dataclasses.replace(prepared, tables={**prepared.tables, "policyholders": flipped})
    other = research_questions(input_side(last, product), results, product)[1]
    assert [q["mean_relative_error"] for q in other] != [q["mean_relative_error"] for q in first]
