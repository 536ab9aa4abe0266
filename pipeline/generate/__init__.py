"""Synthetic extracts of a 少額短期保険 insurer's core system: Faker ja_JP, seeded, messy.

``generate_extracts(out_dir, rows, seed, fmt, encoding)`` writes ``policyholders`` and ``claims`` (CSV in
UTF-8, UTF-8 with BOM or CP932 with CRLF; or Parquet, all columns strings). Spellings a reader must
accept: dates as in :data:`spellings.DATE_STYLES` (ISO, 1980/3/14, 19800314, 1980年3月14日, 昭和55年3月14日,
S55.03.14, H2.1.5, 令和元年…, full-width digits); sex 男/女/男性/女性/M/F/1/2/１/２; amounts 1200, 1,200,
￥1,200, 1200円, full-width; postal codes with or without 〒 and hyphen; kana sometimes half-width.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.generate.claims import CLAIM_COLUMNS
    from pipeline.generate.extracts import generate_extracts
    from pipeline.generate.hierarchy_files import HIERARCHY_FILES, hierarchy_rows, write_hierarchy_files
    from pipeline.generate.policyholders import POLICY_COLUMNS, REFERENCE_DATE
    from pipeline.generate.vocab import DISEASES, OCCUPATIONS, PRODUCTS, RARE_DISEASES

#: Where each public name lives. Imported on first use (PEP 562): ``anonymize --help`` and every other
#: command build the ``generate`` sub-parser, which needs only ``writer``'s constants, not Faker (1.3 s).
_HOMES = {
    "CLAIM_COLUMNS": "claims",
    "generate_extracts": "extracts",
    "HIERARCHY_FILES": "hierarchy_files",
    "hierarchy_rows": "hierarchy_files",
    "write_hierarchy_files": "hierarchy_files",
    "POLICY_COLUMNS": "policyholders",
    "REFERENCE_DATE": "policyholders",
    "DISEASES": "vocab",
    "OCCUPATIONS": "vocab",
    "PRODUCTS": "vocab",
    "RARE_DISEASES": "vocab",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "CLAIM_COLUMNS",
    "DISEASES",
    "HIERARCHY_FILES",
    "OCCUPATIONS",
    "POLICY_COLUMNS",
    "PRODUCTS",
    "RARE_DISEASES",
    "REFERENCE_DATE",
    "generate_extracts",
    "hierarchy_rows",
    "write_hierarchy_files",
]
