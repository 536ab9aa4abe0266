"""Shared fixtures: generated extracts (real files) and the CLI, run as a user runs it."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "configs" / "demo.yaml"


@functools.cache
def browser_missing() -> tuple[str, ...]:
    """The Debian packages the browser tests lack: ``chromium``, and ``fonts-noto-cjk`` (a system Japanese
    font for the pages' HTML text; charts carry their own). ``make test`` installs them when it can
    (tools/system-deps)."""
    missing = [] if shutil.which("chromium") else ["chromium"]
    fonts = ""
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False).stdout
    return (*missing, *([] if fonts.strip() else ["fonts-noto-cjk"]))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules holding ``slow`` cases first, each module's cases kept together and in order.

    ``make test`` runs the whole suite on both cores; a case that runs the whole pipeline in subprocesses can
    take a minute. Started last, one of them would leave the other core idle at the end; started first, the
    short cases fill both cores around them (longest first: the classic schedule for two machines). Whole
    modules move, so a module-scoped fixture is still built once per worker."""
    slow_modules = {getattr(item, "module", None) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: getattr(item, "module", None) not in slow_modules)  # stable: order kept


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip every ``browser`` test from this one place, so the summary says once what to install."""
    if item.get_closest_marker("browser") and (missing := " ".join(browser_missing())):
        pytest.skip(f"browser tests need the Debian packages {missing}: apt-get install {missing} "
                    "(make test does it when run as root)")


def anonymize(*args: str, cwd: Path | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the CLI's entry point (``pipeline.cli.main.main``, what the console script calls) with ``args``:
    exit status, and stdout / stderr captured at the file-descriptor level (what a terminal would show,
    a library's C-level or logging output included).

    In this process by default: a subprocess pays the imports again on every call (Great Expectations
    alone 3 s, GiNZA's model 1 s, a whole run ~11 s on two cores of which ~5 s are start-up), and the suite
    must stay under ten minutes. The run sees the environment a user's shell gives it (``CI=true``, the
    working directory ``cwd``); the signal handlers, the unraisable hook and the warning filters ``main``
    installs are restored after it. In a subprocess for a Dask cluster
    (``--workers`` / ``--scheduler``: Dask reads its configuration from the environment once per process,
    and its cluster's threads should not outlive the call in a test worker)."""
    if any(a.startswith(("--workers", "--scheduler")) for a in args):
        env = {**os.environ, "CI": "true"}
        proc = subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True,
                              text=True, cwd=cwd or ROOT, env=env, timeout=600)
    else:
        proc = _in_process(list(args), cwd or ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"anonymize {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def _in_process(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``main(args)`` in this process, captured with pytest's own file-descriptor capture (the classes behind
    the ``capfd`` fixture, usable outside a fixture: ``_pytest.capture``; pinned by pytest's version range in
    ``pyproject.toml``), nested inside the capture pytest holds for the test."""
    import signal
    import warnings

    from _pytest.capture import FDCapture, MultiCapture

    from pipeline.cli import signals
    from pipeline.cli.main import main

    handlers = {s: signal.getsignal(s) for s in signals.HANDLED}
    hook, where, ci = sys.unraisablehook, os.getcwd(), os.environ.get("CI")
    capture: MultiCapture[str] = MultiCapture(in_=None, out=FDCapture(1), err=FDCapture(2))
    os.environ["CI"] = "true"
    os.chdir(cwd)
    capture.start_capturing()
    try:
        with warnings.catch_warnings():
            try:
                code = main(args)
            except SystemExit as exc:  # argparse: a usage error (2), --help / --version (0)
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        out, err = capture.readouterr()
        capture.stop_capturing()
        os.chdir(where)
        if ci is None:
            os.environ.pop("CI", None)
        else:
            os.environ["CI"] = ci
        for s, h in handlers.items():
            signal.signal(s, h)
        sys.unraisablehook = hook
    return subprocess.CompletedProcess(["anonymize", *args], code, out, err)


def shared(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder built once for the whole test session, also across pytest-xdist's workers: the first worker
    to ask builds it under a file lock in the session's common temporary folder, the others wait and read
    it. Why: each worker built the session fixtures again (the demo release: one whole run per worker, about
    30 s each on two cores, four workers); the suite must stay under ten minutes. Only for read-only
    fixtures: a test that changes such a folder copies it first. A build that died half-way (no ``.done``)
    is built again."""
    from filelock import FileLock

    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        out = tmp_path_factory.mktemp(name)
        build(out)
        return out
    root = tmp_path_factory.getbasetemp().parent
    out = root / name
    with FileLock(str(root / f"{name}.lock")):
        if not (out / ".done").is_file():
            if out.exists():
                shutil.rmtree(out)  # our own half-built folder
            out.mkdir()
            build(out)
            (out / ".done").touch()
    return out


def _generate(encoding: str, seed: int) -> Callable[[Path], None]:
    def build(out: Path) -> None:
        anonymize("generate", "--rows", "3000", "--out", str(out), "--encoding", encoding,
                  "--seed", str(seed), check=True)
    return build


@pytest.fixture(scope="session")
def extract_cp932(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = shared(tmp_path_factory, "extract_cp932", _generate("cp932", 7))
    return {"policyholders": out / "policyholders.csv", "claims": out / "claims.csv"}


@pytest.fixture(scope="session")
def extract_utf8(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = shared(tmp_path_factory, "extract_utf8", _generate("utf-8", 11))
    return {"policyholders": out / "policyholders.csv", "claims": out / "claims.csv"}


@pytest.fixture(scope="session")
def release_cp932(tmp_path_factory: pytest.TempPathFactory, extract_cp932: dict[str, Path]) -> Path:
    def build(folder: Path) -> None:
        anonymize("run", str(DEMO_CONFIG), "--out", str(folder / "release"), "--register",
                  str(folder / "register.jsonl"), *[f"--input={k}={v}" for k, v in extract_cp932.items()],
                  check=True)

    return shared(tmp_path_factory, "rel", build) / "release"


def edited_demo_config(folder: Path, old: str, new: str) -> Path:
    """``configs/demo.yaml`` with ``old`` replaced by ``new`` (which must then occur), written to
    ``folder/demo.yaml`` beside a copy of its hierarchies (the config's relative paths)."""
    text = DEMO_CONFIG.read_text("utf-8").replace(old, new)
    assert new in text, f"{old!r} is not in the demo config"
    config = folder / "demo.yaml"
    config.write_text(text, "utf-8")
    (folder / "hierarchies").mkdir(exist_ok=True)
    for hierarchy in (DEMO_CONFIG.parent / "hierarchies").glob("*"):
        (folder / "hierarchies" / hierarchy.name).write_bytes(hierarchy.read_bytes())
    return config


def copy_extract(src: dict[str, Path], dst: Path) -> dict[str, Path]:
    dst.mkdir(parents=True, exist_ok=True)
    return {k: Path(shutil.copy(v, dst / v.name)) for k, v in src.items()}
