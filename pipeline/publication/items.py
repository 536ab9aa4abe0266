"""The published item list (公表, 法43条3項・4項) of one release, derived from the release candidate.

``derive_items`` walks the release's ACTUAL columns (``TableResult.data``), finds each one's config and
hierarchy level, and describes its granularity in plain words (:mod:`.granularity`). The item document
adds the dataset name, created date, legal category, third-party provision yes/no, the method of provision,
continuous creation and the contact for complaints, all from ``config.release``. JSON is the source;
Markdown and the standalone HTML page are views of it (:mod:`.render_items`), and the static site renders
the same JSON, so every published form says the same thing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.config.model import ReleaseSpec
from pipeline.errors import ConfigError, ValidationFailed
from pipeline.publication import wareki
from pipeline.release.candidate import ReleaseCandidate, TableResult
from pipeline.release.granularity import describe, describe_levels

ITEMS_JSON = "published_items.json"
ITEMS_MD = "published_items.ja.md"
ITEMS_HTML = "published_items.ja.html"
SCHEMA = "appi-published-items/1"
LEGAL_CATEGORY = "匿名加工情報"


def check_legal_category(release: ReleaseSpec) -> None:
    """Second check after the config loader: this tool makes 匿名加工情報 only (APPI.md §5)."""
    if release.legal_category != LEGAL_CATEGORY:
        who = "a third-party release" if release.audience == "third_party" else "a release"
        raise ConfigError(
            f"release.legal_category is {release.legal_category!r}: "
            f"{who} can only be made as {LEGAL_CATEGORY}"
        )


def _table_items(table: TableResult) -> list[dict[str, Any]]:
    specs = {c.output_name: c for c in table.spec.kept_columns}
    items: list[dict[str, Any]] = []
    for column in table.data.columns:
        spec = specs.get(str(column))
        if spec is None:
            raise ValidationFailed(
                f"table {table.name}: released column {column} has no kept column in the config; "
                "its granularity cannot be published"
            )
        level = table.levels.get(str(column), spec.level)
        hierarchy = table.hierarchies.get(str(column))
        shares = table.level_shares.get(str(column), {})
        mixed = hierarchy is not None and len(shares) > 1
        g = (describe_levels(str(column), spec, hierarchy, shares) if hierarchy is not None and mixed
             else describe(str(column), spec, hierarchy, level))
        items.append(
            {
                "table": table.name,
                "column": str(column),
                "name": g.name,
                "granularity": g.words,
                "label": g.label,
            }
        )
    return items


def derive_items(candidate: ReleaseCandidate) -> list[dict[str, Any]]:
    """One item per released column, in table then column order: name, granularity, label."""
    items: list[dict[str, Any]] = []
    for table in candidate.tables.values():
        items.extend(_table_items(table))
    return items


def build_document(candidate: ReleaseCandidate) -> dict[str, Any]:
    """The whole published record of one release, JSON-ready."""
    rel = candidate.config.release
    check_legal_category(rel)
    third = rel.audience == "third_party"
    created = candidate.created_at.date()
    return {
        "schema": SCHEMA,
        "release_id": candidate.release_id,
        "dataset_name": rel.dataset_name,
        "created_at": candidate.created_at.isoformat(timespec="seconds"),
        "created_date": created.isoformat(),
        "created_date_ja": wareki.both(created),
        "legal_category": rel.legal_category,
        "purpose": rel.purpose,
        "audience": rel.audience,
        "tables": list(candidate.tables),
        "items": derive_items(candidate),
        "third_party_provision": third,
        "recipient_category": rel.recipient_category if third else None,
        "provision_method": rel.provision_method if third else None,
        "continuous": rel.continuous,
        "contact": rel.contact,
    }


def write_published_items(candidate: ReleaseCandidate, staging_dir: Path) -> list[Path]:
    """Write the item list (JSON, Markdown, HTML) and the data dictionary into the release being staged;
    for a third-party release also the 明示 notice that goes to the recipient. Returns the paths written."""
    from pipeline.publication import dictionary, notice, render_items

    doc = build_document(candidate)
    staging_dir = Path(staging_dir)
    written = [
        _write(staging_dir / ITEMS_JSON, json.dumps(doc, ensure_ascii=False, indent=2) + "\n"),
        _write(staging_dir / ITEMS_MD, render_items.markdown(doc)),
        _write(staging_dir / ITEMS_HTML, render_items.html_page(doc)),
    ]
    entries = dictionary.derive_dictionary(candidate)
    written.append(
        _write(
            staging_dir / dictionary.DICT_JSON,
            json.dumps(dictionary.document(doc, entries), ensure_ascii=False, indent=2) + "\n",
        )
    )
    written.append(_write(staging_dir / dictionary.DICT_MD, dictionary.markdown(doc, entries)))
    if doc["third_party_provision"]:
        written.append(_write(staging_dir / notice.NOTICE_MD, notice.markdown(doc)))
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def check_legal_category_doc(doc: dict[str, Any], release_id: str) -> None:
    """The same refusal applied to a written item document (publish / provide read releases from disk)."""
    if doc.get("legal_category") != LEGAL_CATEGORY:
        raise ConfigError(
            f"release {release_id}: legal category {doc.get('legal_category')!r} is not "
            f"{LEGAL_CATEGORY}; this tool publishes and provides {LEGAL_CATEGORY} only"
        )
