"""The residual-PII gate on an in-memory release candidate, and the free-text scrubber feeding it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stdnum.jp import in_

from pipeline.config.model import (
    ColumnSpec,
    Config,
    CustomPattern,
    DetectionSpec,
    PrivacySpec,
    ReleaseSpec,
    TableSpec,
)
from pipeline.detection.gate import check_candidate
from pipeline.detection.scrub import scrub_series
from pipeline.errors import ResidualPIIError
from pipeline.release.candidate import ReleaseCandidate, TableResult

MYNUM = "98765432101" + in_.calc_check_digit("98765432101")


def released(rows: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lo = rng.integers(4, 18, rows) * 5
    return pd.DataFrame({
        "person": [f"{x:016x}" for x in rng.integers(0, 2**63, rows)],
        "年齢": [f"{a}-{a + 4}歳" for a in lo],
        "都道府県": rng.choice(["東京都", "大阪府", "*"], rows),
        "郵便番号": [f"{x:03d}" for x in rng.integers(100, 999, rows)],
        "契約月": rng.choice(["2023-04", "2022-11"], rows),
        "保険料": rng.choice(["10,000-19,999円", "50,000円以上"], rows),
        "入院日数": rng.integers(0, 60, rows),
        "メモ": rng.choice(["<氏名>様より入電、<電話番号>へ折り返し", "特になし", None], rows),
    })


def candidate(data: pd.DataFrame, detection: DetectionSpec | None = None) -> ReleaseCandidate:
    spec = TableSpec(
        name="policyholders", file=None,
        columns=(ColumnSpec("担当者メモ", "free_text", output="メモ", free_text="scrub"),
                 ColumnSpec("職業", "attribute")),
    )
    config = Config(
        source=Path("test.yaml"), sha256="0" * 64, release=ReleaseSpec("test"),
        privacy=PrivacySpec(k=2, suppression_limit=0.1, reference_date=dt.date(2024, 1, 1)),
        tables=(spec,), detection=detection or DetectionSpec(),
    )
    table = TableResult(
        name="policyholders", spec=spec, data=data, quasi_identifiers=("年齢", "都道府県"), sensitive=(),
        attributes=("職業",), person_key="person", levels={}, hierarchies={}, rows_in=len(data),
        suppressed_rows=0, min_class_size=2, classes=1, k=2,
    )
    return ReleaseCandidate("r1", dt.datetime(2024, 1, 1), config, {"policyholders": table}, inputs={})


def test_clean_generalised_release_passes_and_reports() -> None:
    data = released()
    summary = check_candidate(candidate(data))
    assert summary["findings"] == 0
    assert summary["cells_scanned"] == data.size
    assert 0 < summary["distinct_values"] < data.size


@pytest.mark.parametrize(
    ("column", "value", "entity"),
    [("都道府県", f"個人番号{MYNUM}", "JP_MY_NUMBER"),
     ("保険料", "090-1234-5678", "PHONE_NUMBER"),
     ("メモ", "山田太郎様より入電", "PERSON"),
     ("契約月", "taro@example.jp", "EMAIL_ADDRESS")],
)
def test_residual_finding_fails_naming_row_never_value(column: str, value: str, entity: str) -> None:
    data = released()
    data[column] = data[column].astype(object)
    data.loc[137, column] = value
    with pytest.raises(ResidualPIIError) as err:
        check_candidate(candidate(data))
    msg = str(err.value)
    assert f"table policyholders, column {column}, row 137: {entity}" in msg
    assert value not in msg and "山田" not in msg and MYNUM not in msg


def test_row_is_position_in_released_table_not_index_label() -> None:
    data = released().sample(frac=1.0, random_state=3)  # shuffled: index labels no longer positions
    data["都道府県"] = data["都道府県"].astype(object)
    data.iloc[5, data.columns.get_loc("都道府県")] = MYNUM
    with pytest.raises(ResidualPIIError, match="row 5: JP_MY_NUMBER"):
        check_candidate(candidate(data))


def test_insurer_pattern_from_config_fails_the_gate() -> None:
    data = released()
    data["契約月"] = data["契約月"].astype(object)
    data.loc[3, "契約月"] = "KZ00053813"
    check_candidate(candidate(released()))
    detection = DetectionSpec(patterns=(CustomPattern("POLICY_NUMBER", r"KZ[0-9]{8}", 0.9),))
    with pytest.raises(ResidualPIIError, match="row 3: POLICY_NUMBER"):
        check_candidate(candidate(data, detection))


def test_scrub_replaces_with_tags_keeps_nulls_and_counts() -> None:
    first = f"山田太郎様から電話 090-1234-5678、個人番号{MYNUM}"
    s = pd.Series([first, None, "特になし", "メール taro@example.jp、〒100-0001", first])
    out, n = scrub_series(s, DetectionSpec(ner=False))
    assert out[0] == "<氏名>様から電話 <電話番号>、個人番号<個人番号>" == out[4]
    assert out[3] == "メール <メールアドレス>、〒<郵便番号>"
    assert pd.isna(out[1]) and out[2] == "特になし"
    assert n == 3 + 2 + 3
    assert s[0].startswith("山田")  # input not mutated


def test_scrubbed_text_passes_the_gate_with_ner() -> None:
    memo = pd.Series(["鈴木一郎さんより入電。090-1234-5678へ折り返し希望。住所は大阪府大阪市北区梅田1-2-3",
                      "ヤマダ ハナコ様、メール hanako@example.com", "特になし"] * 50)
    out, n = scrub_series(memo, DetectionSpec())
    assert n >= 150 * 1 and not out.str.contains("鈴木|090|hanako|梅田").any()
    data = released(150)
    data["メモ"] = out.to_numpy()
    check_candidate(candidate(data))
    data.loc[7, "メモ"] = memo[0]
    with pytest.raises(ResidualPIIError, match="column メモ, row 7"):
        check_candidate(candidate(data))


@pytest.mark.slow
def test_scrubbed_memo_counts_are_in_the_manifest(tmp_path: Path, extract_cp932: dict[str, Path]) -> None:
    """``free_text: scrub`` end to end: the manifest records per scrubbed column the tags written and the
    cells replaced whole by ``<個人情報>`` (``whole_cells``, no fixed point), counts only."""
    import json

    from tests.conftest import anonymize, copy_extract, edited_demo_config

    files = copy_extract(extract_cp932, tmp_path / "extract")
    config = edited_demo_config(tmp_path, "備考: {role: free_text}",
                                "備考: {role: free_text, free_text: scrub}")
    out = tmp_path / "release"
    proc = anonymize("run", str(config), "--out", str(out), "--register", str(tmp_path / "reg.jsonl"),
                     *[f"--input={k}={v}" for k, v in files.items()])
    assert proc.returncode == 0, proc.stderr[-2000:]
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    table = manifest["tables"]["policyholders"]
    (column, counts), = table["free_text_scrubbed"].items()
    assert set(counts) == {"tags_written", "whole_cells"}
    assert counts["tags_written"] > 0 and 0 <= counts["whole_cells"] <= table["rows"]
    assert table["rare_values_changed"][column] == counts["tags_written"]
