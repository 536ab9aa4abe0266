"""GX Jinja page views that render without CDNs: our templates first, then every external tag removed.

The overriding templates (``templates/``) replace the JavaScript-filled bootstrap tables with static HTML
tables, the navbar's remote logo with a plain title, the newsletter footer with nothing, and add a local
stylesheet (``data_docs_custom_styles.css``, which GX includes when present) that also shows the pass/fail
icons as text, since the icon font is remote.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import ChoiceLoader, FileSystemLoader

TEMPLATES = Path(__file__).with_name("templates")

_EXTERNAL = (
    re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I),  # every script: static pages need none
    re.compile(r"<link\b[^>]*href=\"https?://[^\"]*\"[^>]*>", re.I),
    re.compile(r"<img\b[^>]*src=\"https?://[^\"]*\"[^>]*>", re.I),
)


def strip_external(html: str) -> str:
    for pattern in _EXTERNAL:
        html = pattern.sub("", html)
    return html


class _Offline:
    env: Any

    def _prefer_local_templates(self) -> None:
        self.env.loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES)), self.env.loader])

    def render(self, document: Any, template: Any = None, **kwargs: Any) -> str:
        return strip_external(super().render(document, template, **kwargs))  # type: ignore[misc]


class OfflinePageView(_Offline, DefaultJinjaPageView):
    def __init__(self, custom_styles_directory: Any = None, custom_views_directory: Any = None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
        self._prefer_local_templates()


class OfflineIndexPageView(_Offline, DefaultJinjaIndexPageView):
    def __init__(self, custom_styles_directory: Any = None, custom_views_directory: Any = None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
        self._prefer_local_templates()
