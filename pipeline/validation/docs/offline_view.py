"""GX's Jinja page views, unchanged but for the asset URLs: see :mod:`pipeline.validation.docs.assets`.

The site builder instantiates these (``site_config``) instead of GX's ``DefaultJinjaPageView`` /
``DefaultJinjaIndexPageView``; each renders GX's own templates, then points every CDN asset at the site's
``static/vendor/`` copy, relative to where GX writes that page.
"""

from __future__ import annotations

from typing import Any

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView

from pipeline.validation.docs.assets import localise, page_prefix


class _Offline:
    def render(self, document: Any, template: Any = None, **kwargs: Any) -> str:
        html = super().render(document, template, **kwargs)  # type: ignore[misc]
        return localise(html, page_prefix(document))


class OfflinePageView(_Offline, DefaultJinjaPageView):
    """Expectation suite and validation result pages."""


class OfflineIndexPageView(_Offline, DefaultJinjaIndexPageView):
    """The site's ``index.html``."""
