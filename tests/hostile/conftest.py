"""Shared helpers of the bad-input and fault catalogue (issue 11).

Every case asserts the same contract through :func:`assert_failed_cleanly` (or its parts): the exit code,
exactly one line on stderr and no traceback, no personal value of the input in any output stream or written
file, nothing left at ``--out`` or in a hidden staging directory beside it, and the register unchanged.

The CLI runs in-process (``pipeline.cli.main.main``) with file-descriptor capture, so that a case costs
milliseconds instead of a 3-second interpreter start; a few cases that need a real process (resource limits,
signals) use :func:`tests.conftest.anonymize`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Personal values planted in every generated extract: none may ever appear in any output.
PERSONAL = {
    "name": "鈴木 花子",
    "kana": "スズキ ハナコ",
    "my_number": "123456789018",  # passes the My Number check digit
    "phone": "090-4321-8765",
    "email": "hanako.suzuki@example.jp",
    "policy": "KZ31415926",
    "address": "奈良県大和郡山市北郡山町248番地",
    "birth": "1971-07-23",
    "postal": "639-1011",
}

HEADER = ["証券番号", "氏名", "カナ", "生年月日", "性別", "郵便番号", "住所", "電話", "個人番号", "保険種類",
          "保険料"]

_CITIES = ["奈良県奈良市登大路町", "奈良県大和郡山市北郡山町", "三重県四日市市諏訪町", "広島県廿日市市下平良",
           "石川県野々市市三納", "大阪府大阪市北区梅田"]

CONFIG = """\
release:
  dataset_name: 試験用データ
privacy:
  k: 2
  suppression_limit: 0.1
  reference_date: 2026-04-01
detection:
  ner: false
tables:
  policyholders:
    person_key: 証券番号
    columns:
      証券番号: {role: linking_code, output: 契約キー}
      氏名: {role: identifier}
      カナ: {role: identifier}
      生年月日:
        role: quasi_identifier
        type: date
        output: 年齢
        hierarchy: {kind: age, bands: [10, 20], top_code: 80, bottom_code: 20}
      性別: {role: quasi_identifier, type: sex, hierarchy: {kind: flat}}
      郵便番号: {role: identifier}
      住所: {role: quasi_identifier, output: 居住地, hierarchy: {kind: address}}
      電話: {role: identifier}
      個人番号: {role: identification_code}
      保険種類: {role: attribute}
      保険料: {role: attribute, type: amount, top_code: 20000, bottom_code: 0}
"""


def rows(n: int = 60) -> list[list[str]]:
    """``n`` data rows; row 1 carries :data:`PERSONAL`, the rest are plain and k-anonymous at k=2."""
    out = [[PERSONAL["policy"], PERSONAL["name"], PERSONAL["kana"], PERSONAL["birth"], "女",
            PERSONAL["postal"], PERSONAL["address"], PERSONAL["phone"], PERSONAL["my_number"], "医療保険",
            "3,200"]]
    for i in range(1, n):
        city = _CITIES[i % len(_CITIES)]
        out.append([f"KZ{20000000 + i}", f"試験 {i}号", "シケン", f"19{60 + i % 30}-0{1 + i % 9}-1{i % 10}",
                    "男" if i % 2 else "女", "630-8501", f"{city}{i}番地", "", "", "がん保険" if i % 3 else
                    "医療保険", f"{1000 + 100 * (i % 20)}"])
    return out


def write_csv(path: Path, header: list[str] | None = HEADER, data: Iterable[list[str]] | None = None,
              encoding: str = "utf-8", newline: str = "\n") -> Path:
    """A CSV as an export would write it (no quoting beyond what the values need)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    if header is not None:
        w.writerow(header)
    w.writerows(rows() if data is None else data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@dataclass
class Case:
    """One hostile case's workspace: the extract, the config, ``--out``, the register."""

    root: Path

    @property
    def csv(self) -> Path:
        return self.root / "in" / "policyholders.csv"

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def out(self) -> Path:
        return self.root / "rel" / "release"

    @property
    def register(self) -> Path:
        return self.root / "register.jsonl"

    def run_args(self, *extra: str) -> list[str]:
        return ["run", str(self.config), "--out", str(self.out), "--register", str(self.register),
                f"--input=policyholders={self.csv}", *extra]


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """A fresh workspace with the good extract and config (cases then break one thing)."""
    c = Case(tmp_path)
    write_csv(c.csv)
    c.config.write_text(CONFIG, encoding="utf-8")
    c.register.write_bytes(b"")
    return c


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capfd: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``anonymize ARGS`` in this process; return exit code, stdout and stderr (file-descriptor level)."""
    from pipeline.cli.main import main

    def run(*args: str) -> Result:
        capfd.readouterr()
        try:
            code = main(["--quiet", *args])
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
        captured = capfd.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def files_under(*roots: Path) -> list[Path]:
    return [p for r in roots if r.exists() for p in ([r] if r.is_file() else r.rglob("*")) if p.is_file()]


def leaked(texts: Iterable[str], files: Iterable[Path] = (),
           values: Iterable[str] | None = None) -> list[str]:
    """Which personal values appear in ``texts`` or in the bytes of ``files`` (UTF-8 and CP932 spellings)."""
    values = list(PERSONAL.values() if values is None else values)
    found = []
    blobs = [t.encode("utf-8") for t in texts] + [p.read_bytes() for p in files]
    for v in values:
        needles = {v.encode("utf-8"), v.encode("cp932", errors="ignore"), v.replace("-", "").encode()}
        if any(n and n in b for n in needles for b in blobs):
            found.append(v)
    return found


def staging_dirs(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.partial-*")) if out.parent.exists() else []


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def assert_one_line(result: Result, code: int) -> str:
    """Exit ``code``, exactly one line on stderr starting ``error:``, no traceback; returns that line."""
    lines = result.err.strip().splitlines()
    assert result.code == code, f"exit {result.code}, expected {code}; stderr: {result.err[-2000:]}"
    assert len(lines) == 1, f"expected one line on stderr, found {len(lines)}: {result.err[-2000:]}"
    assert lines[0].startswith("error: ") and "Traceback" not in result.err, lines[0]
    return lines[0]


def assert_failed_cleanly(result: Result, code: int, case: Case, register_before: str | None,
                          extra_files: Iterable[Path] = ()) -> str:
    """The whole contract of a failing case (see the module docstring); returns the error line."""
    line = assert_one_line(result, code)
    written = files_under(case.out, *staging_dirs(case.out), case.register, *extra_files)
    assert not leaked([result.out, result.err], written) , line
    assert not case.out.exists(), f"{case.out} left behind"
    assert not staging_dirs(case.out), "staging directory left behind"
    assert digest(case.register) == register_before, "register changed"
    return line


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path | None]]:
    """Mount small tmpfs file systems (``size`` bytes, optionally read-only): a real full disk or read-only
    target. Needs root (``mount``); the test is skipped otherwise, or gets None with ``skip=False`` (to fall
    back on another mechanism). Unmounted at teardown."""
    mounted: list[Path] = []

    def mount(name: str, size: int = 1 << 20, read_only: bool = False, skip: bool = True) -> Path | None:
        point = tmp_path / name
        point.mkdir()
        opts = f"size={size}" + (",ro" if read_only else "")
        try:
            proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(point)],
                                  capture_output=True)
        except OSError:
            proc = None
        if proc is None or proc.returncode != 0:
            if skip:
                pytest.skip("cannot mount a tmpfs here (needs root)")
            return None
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)
