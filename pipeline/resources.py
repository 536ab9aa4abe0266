"""Where the project's versioned files outside the package live: ``expectations/`` (the GX profiles) and
``configs/`` (the demo config and its hierarchies).

STYLE.md keeps them at the repository root, beside ``pipeline/``, where a checkout or an editable install
finds them. A wheel installs copies under ``<prefix>/share/appi-anonymizer/`` (pyproject.toml,
``[tool.setuptools.data-files]``), so that a recipient who installs the tool to run ``anonymize verify`` on a
release uses the same profiles. The checkout wins when both exist.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHARE = Path("share") / "appi-anonymizer"


def candidates(name: str) -> list[Path]:
    """Places ``name`` (``expectations`` or ``configs``) is looked for, in order."""
    return [Path(__file__).resolve().parents[1] / name, Path(sys.prefix) / SHARE / name]


def project_dir(name: str) -> Path:
    """The first existing candidate; the checkout's path when none exists (errors then name that path)."""
    for path in candidates(name):
        if path.is_dir():
            return path
    return candidates(name)[0]
