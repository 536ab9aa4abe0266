"""The 明示 notice that goes with a third-party release (法43条4項), and the recipient's duties (法44〜46条).

Written into a third-party release at creation (so its checksum is in the manifest) and copied verbatim
into the provision bundle. The wording follows the Act; the items come from the published document, so
the recipient is told exactly what was published.
"""

from __future__ import annotations

from typing import Any

from pipeline.templates import render_markdown

NOTICE_MD = "provision_notice.ja.md"


def markdown(doc: dict[str, Any]) -> str:
    """The notice (template ``provision_notice.md.j2``) for the published document ``doc``."""
    return render_markdown("provision_notice.md.j2", doc=doc)
