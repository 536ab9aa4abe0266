"""Great Expectations' Data Docs for a release, whole and working with no server and no network.

The release's ``validation/docs`` is GX's own filesystem site: its index, expectation suite and validation
result pages with Bootstrap styling, the JavaScript tables and the "Failed Only" filter, as auditors know
them. The assets GX's templates load from CDNs ship in the package and are copied into the site
(:mod:`~pipeline.validation.docs.assets`); the :mod:`~pipeline.validation.docs.offline_view` views point
the pages at those copies, and :mod:`~pipeline.validation.docs.renderer` names the validated table where
GX 1.x says "Data asset: None". :func:`site_config` wires them into a site rooted at the release's
``validation/docs``; :func:`install_static` runs after GX built it. Validation runs are named after the
release id (``run_suites(run_name=...)``), so no page or path says ``__none__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.validation.docs.assets import install_static

__all__ = ["SITE_NAME", "install_static", "site_config"]

SITE_NAME = "release"
_VIEWS = "pipeline.validation.docs.offline_view"
_RENDERER = "pipeline.validation.docs.renderer"


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
            "validations": {
                "renderer": {"module_name": _RENDERER, "class_name": "ReleaseValidationPageRenderer"},
                "view": {"module_name": _VIEWS, "class_name": "OfflinePageView"},
            },
            "profiling": "False",
        },
    }
