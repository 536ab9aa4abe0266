"""Shared pieces of the release / register / kill catalogue (issue 11, points 5, 7, 9).

Everything runs the real CLI on real generated files. Runs that are killed are subprocesses (killed at
chosen steps: ``pipeline.release.faults``); the others run in-process through ``pipeline.cli.main`` (the
same entry point, without paying the imports again).

Each case asserts what the catalogue promises: the exit status, one ``error:`` line on stderr, no personal
value of the input in any stream or file, nothing left at ``--out`` or in staging, the register consistent.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli.main import main
from pipeline.release.register import read_register
from tests.conftest import shared

ROOT = Path(__file__).resolve().parents[2]
REINSURER = ROOT / "configs" / "reinsurer.yaml"
ROWS = "400"  # the smallest generated extract (seed 3) whose demo release passes its gate
#: Columns whose values are personal (or the source linking codes): none may appear anywhere we wrote.
PERSONAL = {
    "policyholders.csv": ("証券番号", "氏名", "カナ", "住所", "電話", "e-mail", "個人番号"),
    "claims.csv": ("請求番号", "証券番号"),
}


def cli(
    *args: str | Path, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    """``anonymize ARGS`` in a subprocess. Font warnings of matplotlib (no CJK font on some machines) are
    silenced so stderr holds only what the tool itself says."""
    full = {**os.environ, "CI": "true", "PYTHONWARNINGS": "ignore", **(env or {})}
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env=full, timeout=timeout)


@dataclass
class Result:
    code: int
    out: str
    err: str


def inproc(*args: str | Path) -> Result:
    """``anonymize ARGS`` in this process (verify, register: no kill involved)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib: missing CJK glyphs where the font is absent
        code = main([str(a) for a in args])
    return Result(code, out.getvalue(), err.getvalue())


def run_args(
    extract: dict[str, Path], out: Path, register: Path, config: Path = REINSURER
) -> list[str | Path]:
    return ["--quiet", "run", config, "--out", out, "--register", register,
            *[f"--input={k}={v}" for k, v in extract.items()]]


def personal_values(extract: dict[str, Path]) -> list[str]:
    values: set[str] = set()
    for path in extract.values():
        df = pd.read_csv(path, dtype=str, encoding="cp932" if _is_cp932(path) else "utf-8")
        for col in PERSONAL[path.name]:
            values |= {v.strip() for v in df[col].dropna() if len(v.strip()) >= 3}
    return sorted(values)


def _is_cp932(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


def _readable(path: Path) -> str:
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
        return "\n".join([*map(str, df.columns), *map(str, df.astype(str).to_numpy().ravel())])
    return path.read_bytes().decode("utf-8", errors="replace")


def assert_no_personal_value(
    values: list[str], *, streams: tuple[str, ...] = (), roots: tuple[Path, ...] = ()
) -> None:
    texts = list(streams)
    for root in roots:
        if root.is_file():
            texts.append(_readable(root))
        elif root.is_dir():
            texts += [_readable(p) for p in root.rglob("*") if p.is_file()]
    blob = "\n".join(texts)
    leaked = [v for v in values if v in blob]
    assert not leaked, f"{len(leaked)} personal values written"


def assert_one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr[-2000:]
    return lines[0]


def leftovers(parent: Path) -> list[str]:
    """Staging directories and lock files in ``parent`` (there must be none after a run ends)."""
    return sorted(p.name for p in parent.iterdir() if ".partial-" in p.name) if parent.is_dir() else []


def events(register: Path) -> list[str]:
    """The register's event kinds (reading it verifies every seal and the chain)."""
    return [e["event"] for e in read_register(register)]


@pytest.fixture(scope="session")
def small_extract(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    def build(out: Path) -> None:
        proc = cli("generate", "--rows", ROWS, "--out", out, "--seed", "3", "--encoding", "cp932")
        assert proc.returncode == 0, proc.stderr[-2000:]

    out = shared(tmp_path_factory, "hostile_extract", build)
    return {"policyholders": out / "policyholders.csv", "claims": out / "claims.csv"}


@pytest.fixture(scope="session")
def pii(small_extract: dict[str, Path]) -> list[str]:
    values = personal_values(small_extract)
    assert len(values) > 1000  # names, addresses, phones, e-mails, My Numbers, policy and claim numbers
    return values


@dataclass
class World:
    """Two third-party releases in one register, published, the first provided: read-only, copy to tamper."""

    base: Path
    register: Path
    rel1: Path
    rel2: Path
    site: Path
    bundle: Path


def _world(base: Path) -> World:
    return World(base, base / "register.jsonl", base / "rel1", base / "rel2", base / "site", base / "bundle")


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, small_extract: dict[str, Path]) -> World:
    """Built once for the session across pytest-xdist's workers (``tests.conftest.shared``): two releases,
    a publication and a provision are four CLI runs, and three modules read the same world."""
    def build(base: Path) -> None:
        w = _world(base)
        for rel in (w.rel1, w.rel2):
            res = inproc(*run_args(small_extract, rel, w.register))
            assert res.code == 0, res.err[-2000:]
        for args in (("publish", "--site", w.site), ("provide", w.rel1, "--out", w.bundle)):
            res = inproc("--quiet", *args, "--register", w.register)
            assert res.code == 0, res.err

    return _world(shared(tmp_path_factory, "hostile_world", build))


def copy_of(src: Path, dst: Path) -> Path:
    return Path(shutil.copytree(src, dst))


def reseal_register(lines: list[dict]) -> bytes:
    """What a forger without the key can do: renumber, rechain and reseal every line (HMACs dropped)."""
    from pipeline.release.register import _canonical, _checksum

    out, prev = [], ""
    for seq, line in enumerate(lines, start=1):
        body = {k: v for k, v in line.items() if k not in ("seq", "prev", "checksum", "hmac")}
        body.update(seq=seq, prev=prev)
        body["checksum"] = prev = _checksum(body)
        out.append(_canonical(body) + b"\n")
    return b"".join(out)


def reseal_release(release: Path, manifest: dict | None = None) -> None:
    """A consistent tamperer: recompute every file's SHA-256 in the manifest (and any ``SHA256SUMS``)."""
    import hashlib
    import json

    from pipeline.publication.bundle import SUMS, write_sums

    def digest(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()

    path = release / "manifest.json"
    doc = manifest if manifest is not None else json.loads(path.read_text(encoding="utf-8"))
    doc["files"] = {rel: digest(release / rel) if (release / rel).is_file() else old
                    for rel, old in doc["files"].items()}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if (release / SUMS).is_file():
        files = [p for p in release.rglob("*") if p.is_file() and p.name != SUMS]
        write_sums(release, {p.relative_to(release).as_posix(): digest(p) for p in files})
