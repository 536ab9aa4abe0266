"""The profiles and demo config are found from a checkout and from an installed wheel (pipeline.resources)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline import resources

ROOT = Path(__file__).resolve().parents[1]


def test_checkout_first_then_the_installed_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resources.project_dir("expectations") == ROOT / "expectations"
    installed = tmp_path / "share" / "appi-anonymizer" / "expectations"
    installed.mkdir(parents=True)
    monkeypatch.setattr(resources, "__file__", str(tmp_path / "site-packages" / "pipeline" / "resources.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert resources.project_dir("expectations") == installed
    assert resources.project_dir("nothing") == tmp_path / "site-packages" / "nothing"  # named in errors


@pytest.mark.slow
def test_the_wheel_carries_the_profiles_and_the_demo_config(tmp_path: Path) -> None:
    src = tmp_path / "src"  # a copy: building writes build/ and *.egg-info beside pyproject.toml
    skip = shutil.ignore_patterns(".*", "out", "build", "*.egg-info", "__pycache__", "tests", "notebooks",
                                  "benchmarks")
    shutil.copytree(ROOT, src, ignore=skip)
    cmd = [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(tmp_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    marker = "/data/share/appi-anonymizer/"
    share = {n.split(marker, 1)[1] for n in names if marker in n}
    patterns = ("expectations/*.json", "configs/*.yaml", "configs/hierarchies/*.csv")
    expected = {p.relative_to(ROOT).as_posix() for pattern in patterns for p in ROOT.glob(pattern)}
    assert share == expected
    assert "pipeline/resources.py" in names
