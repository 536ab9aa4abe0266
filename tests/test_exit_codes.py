"""Every exit status of the README's table, through the CLI as a user runs it (``anonymize …`` in a
subprocess), each on a small real extract that provokes exactly that error: config 3, input 4, hierarchy 5,
privacy 6, residual PII 7, validation 8, register 9, existing output 10. Each failure is one ``error:``
line on stderr (``verify`` lists its problems, one a line), and a failed run leaves no release behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import anonymize

pytestmark = pytest.mark.slow

#: 120 policyholders in 12 classes (年齢 band × 性別) of 10, ages 30-89, a kept attribute and an ARX-style
#: hierarchy for 職業 that covers the data.
CONFIG = """\
release:
  dataset_name: 終了コードの試験
  purpose: CLI exit status tests
privacy:
  k: {k}
  suppression_limit: 0.0
  reference_date: 2026-04-01
tables:
  policyholders:
    file: policyholders.csv
    encoding: utf-8
    person_key: 証券番号
    columns:
      証券番号: {{role: linking_code, output: 契約キー}}
      氏名: {{role: identifier}}
      生年月日:
        role: quasi_identifier
        type: date
        output: 年齢
        hierarchy: {{kind: age, bands: [10, 30], top_code: 90, bottom_code: 30}}
      性別: {{role: quasi_identifier, type: sex, hierarchy: {{kind: flat}}}}
      職業: {{role: quasi_identifier, hierarchy: {{kind: file, path: occupation.csv}}}}
      備考: {{role: attribute}}
"""
OCCUPATIONS = ["会社員", "自営業"]


def _extract(folder: Path, k: int = 5, note: str = "特になし") -> Path:
    """Write the config, its hierarchy and a 120-row extract into ``folder``; returns the config."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(120):
        decade, sex = divmod(i % 12, 2)
        rows.append({"証券番号": f"KZ{i:08d}", "氏名": f"試験 太郎{i}",
                     "生年月日": f"{2026 - 35 - 10 * decade}-01-0{1 + i % 9}", "性別": "男女"[sex],
                     "職業": OCCUPATIONS[0], "備考": note})
    pd.DataFrame(rows).to_csv(folder / "policyholders.csv", index=False, encoding="utf-8")
    (folder / "occupation.csv").write_text("".join(f"{o};*\n" for o in OCCUPATIONS), encoding="utf-8")
    config = folder / "config.yaml"
    config.write_text(CONFIG.format(k=k), encoding="utf-8")
    return config


def _run(config: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return anonymize("run", str(config), "--out", str(out), "--register", str(out.parent / "register.jsonl"),
                     *extra)


def _failed(proc, code: int, pattern: str, out: Path | None = None) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == code, f"expected exit {code}, got {proc.returncode}: {proc.stderr[-1500:]}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr[-1500:]
    assert pattern in lines[0], lines[0]
    if out is not None:
        assert not out.exists() and not list(out.parent.glob(f".{out.name}*")), "a partial release was left"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the small extract (exit 0), for the verify and existing-output cases."""
    folder = tmp_path_factory.mktemp("exit-ok")
    out = folder / "release"
    proc = _run(_extract(folder), out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def test_0_the_small_extract_releases(release: Path) -> None:
    assert (release / "manifest.json").is_file()


def test_3_config_error(tmp_path: Path) -> None:
    config = _extract(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace("role: attribute", "role: atribute"),
                      encoding="utf-8")
    _failed(_run(config, tmp_path / "out"), 3, "atribute", tmp_path / "out")


def test_4_input_error(tmp_path: Path) -> None:
    config = _extract(tmp_path)
    df = pd.read_csv(tmp_path / "policyholders.csv", dtype=str)
    df.loc[6, "生年月日"] = "1990-02-30"
    df.to_csv(tmp_path / "policyholders.csv", index=False)
    _failed(_run(config, tmp_path / "out"), 4, "row 7, column 生年月日", tmp_path / "out")


def test_5_hierarchy_error(tmp_path: Path) -> None:
    config = _extract(tmp_path)
    (tmp_path / "occupation.csv").write_text("自営業;*\n", encoding="utf-8")  # 会社員 is missing
    _failed(_run(config, tmp_path / "out"), 5, "column 職業: hierarchy", tmp_path / "out")


def test_6_privacy_error(tmp_path: Path) -> None:
    config = _extract(tmp_path, k=1000)
    _failed(_run(config, tmp_path / "out"), 6, "larger than the number of persons", tmp_path / "out")


def test_7_residual_pii(tmp_path: Path) -> None:
    """A kept attribute holds one phone number for everyone: frequent, so not 特異な記述, yet personal."""
    config = _extract(tmp_path, note="連絡先 090-1234-5678")
    proc = _run(config, tmp_path / "out")
    _failed(proc, 7, "備考", tmp_path / "out")
    assert "090-1234-5678" not in proc.stderr


def test_8_validation_failed(release: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(release, tmp_path / "copy"))
    path = copy / "data" / "policyholders.parquet"
    df = pd.read_parquet(path)
    df.loc[df.index[0], "年齢"] = None
    df.to_parquet(path, index=False)
    proc = anonymize("verify", str(copy))
    assert proc.returncode == 8, proc.stderr[-1500:]
    # one error line on stderr; every problem it finds (the checksum, and the rerun suite or the class
    # recount) as a ``problem:`` line on stdout
    err = proc.stderr
    assert "data/policyholders.parquet" in err and "SHA-256" in err, err[-1500:]
    problems = [line for line in proc.stdout.splitlines() if line.startswith("problem: ")]
    assert len(problems) >= 2, proc.stdout[-1500:]
    assert any("persons" in p for p in problems), proc.stdout[-1500:]


def test_9_register_error(release: Path, tmp_path: Path) -> None:
    register = tmp_path / "register.jsonl"
    lines = (release.parent / "register.jsonl").read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[0])
    event["release_id"] = "altered"
    register.write_text(json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8")
    _failed(anonymize("register", "--register", str(register)), 9, "checksum mismatch")


def test_10_existing_output(release: Path) -> None:
    before = sorted(p.relative_to(release).as_posix() for p in release.rglob("*"))
    proc = _run(release.parent / "config.yaml", release)
    _failed(proc, 10, "already exists")
    assert sorted(p.relative_to(release).as_posix() for p in release.rglob("*")) == before
