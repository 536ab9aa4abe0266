"""ARX hierarchy files for the generator's categorical columns, written from :mod:`vocab`.

Format (ARX ``data/*_hierarchy_*.csv``): no header, ``;``-separated, ``leaf;level1;…;*``, every row the
same depth. Generated, never hand-edited, so they cannot drift from the values the generator emits;
:func:`write_hierarchy_files` rewrites them, a test checks the committed files equal its output.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.generate.vocab import DISEASES, OCCUPATIONS

#: column → file name under ``configs/hierarchies/``
HIERARCHY_FILES: dict[str, str] = {"職業": "occupation.csv", "傷病名": "disease.csv"}
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "configs" / "hierarchies"


def hierarchy_rows(column: str) -> list[list[str]]:
    """Rows ``[leaf, group, "*"]`` for ``職業`` (職業大分類) or ``傷病名`` (傷病分類)."""
    if column == "職業":
        return [[o.name, o.group, "*"] for o in OCCUPATIONS]
    if column == "傷病名":
        return [[d.name, d.group, "*"] for d in DISEASES]
    raise KeyError(f"no generated hierarchy for column {column}; known: {sorted(HIERARCHY_FILES)}")


def render(column: str) -> str:
    return "".join(";".join(row) + "\n" for row in hierarchy_rows(column))


def write_hierarchy_files(directory: Path = DEFAULT_DIR) -> list[Path]:
    """(Re)write every hierarchy file in ``directory``, UTF-8, LF line ends."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for column, name in HIERARCHY_FILES.items():
        path = directory / name
        path.write_text(render(column), encoding="utf-8", newline="\n")
        written.append(path)
    return written
