"""Bad input under ``anonymize run --stream`` (issue 17, "Bad input"): a bad cell in a late batch of many
gives the one line the whole-file run gives (file, row, column, count; never the value), the same exit
status, and no release directory and nothing left in staging. Hierarchy errors too: the first pass builds
hierarchies on the distinct values, so on an error it reads that column again in file order to name the
file's row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import copy_extract, edited_demo_config

pytestmark = pytest.mark.slow

CASES = {
    "birth after the reference date": ("policyholders", "生年月日", "2030-01-01"),
    "address without a prefecture": ("policyholders", "住所", "どこか町1-2-3"),
    "a date that is not one": ("claims", "請求日", "2025-13-45"),
    "an amount that is not one": ("claims", "支払額", "十万五千ドル"),
}


def _spoil(path: Path, column: str, value: str, row: int) -> None:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp932"), newline="")))
    rows[row][rows[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("cp932"))


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_cell_in_a_late_batch_fails_as_the_whole_file_run(case, tmp_path, extract_cp932, monkeypatch,
                                                                  cli) -> None:
    import pipeline.io.batches as batches

    table, column, value = CASES[case]
    extract = copy_extract(extract_cp932, tmp_path / "extract")
    n = len(extract[table].read_bytes().decode("cp932").splitlines()) - 1
    _spoil(extract[table], column, value, n - 3)  # near the end: in the last batches
    config = edited_demo_config(tmp_path, "  recoding: auto", "  recoding: global")
    config.write_text(config.read_text("utf-8").replace("  protect_attributes: true",
                                                        "  protect_attributes: false"), "utf-8")
    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 12)  # dozens of batches
    inputs = [f"--input={name}={path}" for name, path in extract.items()]
    lines = {}
    for mode, extra in (("whole", ()), ("stream", ("--stream",))):
        out = tmp_path / f"release-{mode}"
        result = cli("run", str(config), "--out", str(out), *extra, *inputs)
        assert result.code in (4, 5), result.err  # input, or a hierarchy that does not cover a value
        err = result.err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: "), result.err
        assert value not in err[0]
        assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}")]
        lines[mode] = (result.code, err[0])
    assert lines["stream"] == lines["whole"]
    assert f"row {n - 3}" in lines["stream"][1] or f"line {n - 2}" in lines["stream"][1], lines["stream"]
