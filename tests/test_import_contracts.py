"""The import contracts of pyproject.toml (import-linter): the search above the metrics above the class
histogram, and no new import cycle between sibling packages (issue 14 point 7)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the package under ``root`` with its pyproject's contracts (no cache)."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "pyproject.toml"], cwd=root, capture_output=True,
                          text=True, timeout=300, check=False)


def test_contracts_are_kept() -> None:
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in proc.stdout, proc.stdout[-2000:]


def test_the_search_metrics_cycle_coming_back_breaks_both_contracts(tmp_path: Path) -> None:
    """The contracts catch what they are for: a copy of the package in which the metrics import the search
    again (as ``metrics/loss.py`` did when the histogram lived in ``search/``)."""
    shutil.copytree(ROOT / "pipeline", tmp_path / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    risk = tmp_path / "pipeline" / "metrics" / "risk.py"
    risk.write_text(risk.read_text("utf-8") + "\n\ndef _cycle() -> None:\n"
                    "    from pipeline.search.lattice import Lattice  # noqa: F401\n", "utf-8")
    proc = lint_imports(tmp_path)
    assert proc.returncode != 0
    assert "Contracts: 0 kept, 2 broken." in proc.stdout, proc.stdout[-3000:]
    assert "pipeline.metrics.risk -> pipeline.search.lattice" in proc.stdout, proc.stdout[-3000:]
