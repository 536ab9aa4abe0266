"""The data dictionary given to a recipient: each released column, its meaning, granularity and type.

Derived like the item list from the release's actual columns: the type comes from the released
DataFrame's dtype (what the recipient will read from Parquet), the meaning from the column's
``description`` in the config (falling back to its role), the granularity from :mod:`.granularity`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.errors import ValidationFailed
from pipeline.release.candidate import ReleaseCandidate
from pipeline.release.granularity import describe, describe_levels, level_breakdown
from pipeline.templates import render_markdown

DICT_JSON = "data_dictionary.json"
DICT_MD = "data_dictionary.ja.md"

ROLE_WORDS: dict[str, str] = {
    "linking_code": "連結用のキー(ランダムな識別子。同じリリース内の表どうしの結合にのみ使用可)",
    "quasi_identifier": "属性(k-匿名性を満たすよう一般化)",
    "sensitive": "属性(要配慮の項目。区分化し多様性を確保)",
    "attribute": "属性(まれな値・極端な値を処理)",
    "free_text": "自由記述(個人を識別する記述を置換)",
}


def type_words(dtype: Any) -> str:
    """The column's type in words a recipient's analyst understands, plus the Parquet-facing dtype."""
    if pd.api.types.is_bool_dtype(dtype):
        kind = "真偽値"
    elif pd.api.types.is_integer_dtype(dtype):
        kind = "整数"
    elif pd.api.types.is_float_dtype(dtype):
        kind = "数値(小数を含む)"
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        kind = "日付・日時"
    elif isinstance(dtype, pd.CategoricalDtype):
        kind = "区分(文字列)"
    else:
        kind = "文字列"
    return kind


def derive_dictionary(candidate: ReleaseCandidate) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for table in candidate.tables.values():
        specs = {c.output_name: c for c in table.spec.kept_columns}
        for column in table.data.columns:
            name = str(column)
            spec = specs.get(name)
            if spec is None:
                raise ValidationFailed(f"table {table.name}: released column {name} is not in the config")
            level = table.levels.get(name, spec.level)
            hierarchy = table.hierarchies.get(name)
            shares = table.level_shares.get(name, {})
            mixed = hierarchy is not None and len(shares) > 1
            g = (describe_levels(name, spec, hierarchy, shares) if hierarchy is not None and mixed
                 else describe(name, spec, hierarchy, level))
            dtype = table.data[name].dtype
            if isinstance(dtype, pd.CategoricalDtype):  # labels held as codes (the streamed run)
                dtype = dtype.categories.dtype
            extra: dict[str, Any] = {}
            if hierarchy is not None and mixed:  # local recoding: which levels and values occur, how often
                present = {str(v) for v in table.data[name].dropna().unique()}
                extra["levels"] = level_breakdown(name, spec, hierarchy, shares, present)
            entries.append(
                {
                    **extra,
                    "table": table.name,
                    "file": f"data/{table.name}.parquet",
                    "column": name,
                    "meaning": spec.description or ROLE_WORDS.get(spec.role, ""),
                    "role": ROLE_WORDS.get(spec.role, spec.role),
                    "granularity": g.words,
                    "type": type_words(dtype),
                    "dtype": str(dtype),
                    "person_key": name == table.person_key,
                }
            )
    return entries


def document(items_doc: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema": "appi-data-dictionary/1",
        "release_id": items_doc["release_id"],
        "dataset_name": items_doc["dataset_name"],
        "legal_category": items_doc["legal_category"],
        "columns": entries,
    }


def _shares(entry: dict[str, Any]) -> str:
    """`` (市区町村 17.8%、都道府県 53.0%、地方 29.2%)`` for a column released at several levels."""
    levels = entry.get("levels") or []
    if not levels:
        return ""
    return " (" + "、".join(f"{lv['granularity']} {lv['share']:.1%}" for lv in levels) + ")"


def markdown(items_doc: dict[str, Any], entries: list[dict[str, Any]]) -> str:
    """``data_dictionary.ja.md`` (template ``data_dictionary.md.j2``), a table per released table."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        tables.setdefault(e["table"], []).append({**e, "granularity": e["granularity"] + _shares(e)})
    return render_markdown("data_dictionary.md.j2", doc=items_doc, tables=tables)
