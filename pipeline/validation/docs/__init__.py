"""Data Docs that open from a release directory with no server and no network.

GX's default pages pull jQuery, Bootstrap, bootstrap-table, Vega and Font Awesome from CDNs and fill the
index tables with JavaScript, so offline (an auditor's laptop, a recipient's locked-down machine) the index
is empty and a browser that does go online tells CDNs that someone opened a release. The
:mod:`~pipeline.validation.docs.offline_view` views render the same GX pages with static tables, a small
local stylesheet and no external reference; :func:`site_config` wires them into a filesystem site rooted
at the release's ``validation/docs``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

SITE_NAME = "release"
_VIEWS = "pipeline.validation.docs.offline_view"


def site_config(docs_dir: Path) -> dict[str, Any]:
    """A GX ``SiteBuilder`` config: filesystem store at ``docs_dir``, offline views, no how-to buttons."""
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        "site_index_builder": {
            "class_name": "DefaultSiteIndexBuilder",
            "view": {"module_name": _VIEWS, "class_name": "OfflineIndexPageView"},
        },
        "site_section_builders": {
            "expectations": {"view": {"module_name": _VIEWS, "class_name": "OfflinePageView"}},
            "validations": {"view": {"module_name": _VIEWS, "class_name": "OfflinePageView"}},
            "profiling": "False",
        },
    }


def prune_static(docs_dir: Path) -> None:
    """Drop GX's bundled images and fonts but the favicon: the offline pages use none (3-4 MB per release)."""
    static = docs_dir / "static"
    shutil.rmtree(static / "fonts", ignore_errors=True)
    for image in (static / "images").glob("*"):
        if image.name != "favicon.ico":
            image.unlink()
