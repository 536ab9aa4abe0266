"""The notebooks run top to bottom on generated data, and are stored without outputs.

They run in a kernel of *this* interpreter (a kernelspec written for the test), so the test exercises the
package installed in the venv that runs pytest, whatever kernels the machine has registered.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
KERNEL = "appi-anonymizer-test"


def test_the_three_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == [
        "01_risk_profile.ipynb", "02_choosing_k.ipynb", "03_research_on_a_release.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_stripped(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip the outputs"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "appi-anonymizer (test)", "language": "python",
    }))
    return root


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, kernel_env, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_env))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the notebooks' scratch files land in pytest's tmp dir
    book = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(tmp_path)}}
    client = NotebookClient(book, kernel_name=KERNEL, timeout=300, resources=resources)
    client.execute()
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "no chart was drawn"
    tables = [o for o in outputs if "text/html" in o.get("data", {})]
    assert tables, "no table was shown"
    warnings = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "missing from font" not in warnings, "a Japanese label was drawn as tofu"
