"""A generalisation hierarchy as integer arrays, the form the search works on.

A hierarchy of height ``h`` has levels ``0..h-1``: level 0 holds the leaves (the values as normalised),
the last level the single root (``*``). ``maps[level][leaf_code]`` is the code of the leaf's ancestor at
``level`` (an index into ``labels[level]``); ``leaf_counts[level][code]`` is how many leaves lie under that
value, which Iyengar's loss metric needs. Null cells are encoded as the extra leaf code ``n_leaves``,
whose ancestor at every level is the root: a null is as uninformative as a suppressed cell (LM 1).

Hierarchies are data (ARX's ``value;level1;…;*`` rows), built-in kinds only generate such rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.errors import HierarchyError


@dataclass(frozen=True, eq=False)
class Hierarchy:
    name: str
    labels: tuple[np.ndarray, ...]
    maps: tuple[np.ndarray, ...]
    leaf_counts: tuple[np.ndarray, ...]
    #: Plain-words granularity of each level, in Japanese, for the published item list (never bin edges
    #: of suppression details, only what a reader needs: "年齢(5歳階級、90歳以上は一括)").
    level_descriptions: tuple[str, ...]
    source: str = "built-in"

    @property
    def height(self) -> int:
        return len(self.labels)

    @property
    def n_leaves(self) -> int:
        return len(self.labels[0]) - 1  # the root label appended at level 0 is not a leaf

    @classmethod
    def from_rows(
        cls,
        name: str,
        rows: Sequence[Sequence[str]],
        level_descriptions: Sequence[str] | None = None,
        source: str = "built-in",
    ) -> Hierarchy:
        """Build from ARX-style rows ``[leaf, level1, …, root]``; validate depth, duplicates, nesting."""
        if not rows:
            raise HierarchyError(f"hierarchy for column {name} ({source}) is empty")
        depth = len(rows[0])
        uneven = sum(1 for r in rows if len(r) != depth)
        if uneven:
            raise HierarchyError(
                f"hierarchy for column {name} ({source}): {uneven} rows do not have {depth} levels "
                "(uneven depth)"
            )
        table = np.array([[str(v) for v in r] for r in rows], dtype=object)
        leaves = table[:, 0]
        n_dup = len(leaves) - len(pd.unique(leaves))
        if n_dup:
            raise HierarchyError(f"hierarchy for column {name} ({source}): {n_dup} duplicate leaves")
        roots = pd.unique(table[:, -1])
        if depth > 1 and len(roots) != 1:
            raise HierarchyError(
                f"hierarchy for column {name} ({source}): the last level must be one value, "
                f"found {len(roots)}"
            )
        root = str(table[0, -1]) if depth > 1 else "*"
        labels: list[np.ndarray] = []
        maps: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        n = len(leaves)
        for level in range(depth):
            codes, uniq = pd.factorize(table[:, level])
            uniq = np.asarray(uniq, dtype=object)
            if level > 0:
                # nesting: every value of the level below has exactly one parent
                below = maps[-1][:n]
                pairs = pd.DataFrame({"b": below, "a": codes}).drop_duplicates()
                if pairs["b"].duplicated().any():
                    bad = int(pairs["b"].duplicated().sum())
                    raise HierarchyError(
                        f"hierarchy for column {name} ({source}): {bad} values at level {level - 1} have "
                        f"more than one parent at level {level}"
                    )
            root_code = np.flatnonzero(uniq == root)
            if len(root_code) == 0:
                uniq = np.append(uniq, root)
                root_idx = len(uniq) - 1
            else:
                root_idx = int(root_code[0])
            level_map = np.append(codes, root_idx).astype(np.int32)
            cnt = np.bincount(codes, minlength=len(uniq)).astype(np.int64)
            cnt[root_idx] = n  # the root (appended for nulls, or the real last level) covers every leaf
            labels.append(uniq)
            maps.append(level_map)
            counts.append(cnt)
        if level_descriptions is None:
            level_descriptions = tuple(
                _default_description(name, lv, depth, len(labels[lv]) - (lv < depth - 1))
                for lv in range(depth)
            )
        if len(level_descriptions) != depth:
            raise HierarchyError(
                f"hierarchy for column {name}: {len(level_descriptions)} descriptions, {depth} levels"
            )
        return cls(name, tuple(labels), tuple(maps), tuple(counts), tuple(level_descriptions), source)

    def encode(self, values: pd.Series, table: str | None = None) -> np.ndarray:
        """Leaf codes of ``values`` (nulls → ``n_leaves``). Values outside the hierarchy are an error that
        says how many distinct values are missing, never which (they may be personal)."""
        index = pd.Index(self.labels[0][: self.n_leaves])
        codes = index.get_indexer(values.astype(object).where(values.notna(), None))
        missing = (codes < 0) & values.notna().to_numpy()
        if missing.any():
            n_missing = int(pd.Series(values.to_numpy()[missing]).nunique())
            where = f"table {table}, " if table else ""
            raise HierarchyError(
                f"{where}column {self.name}: hierarchy ({self.source}) misses {n_missing} distinct values "
                f"present in the data ({int(missing.sum())} cells); add them to the hierarchy"
            )
        codes[~values.notna().to_numpy()] = self.n_leaves
        return codes.astype(np.int32)

    def generalise(self, codes: np.ndarray, level: int) -> np.ndarray:
        """Labels of leaf ``codes`` at ``level`` (object array of str)."""
        return self.labels[level][self.maps[level][codes]]

    def loss(self, level: int) -> np.ndarray:
        """Per leaf code: Iyengar's LM of its value at ``level``: (leaves under it − 1) / (leaves − 1)."""
        under = self.leaf_counts[level][self.maps[level]]
        denom = max(self.n_leaves - 1, 1)
        return (under - 1) / denom


def _default_description(name: str, level: int, depth: int, n_values: int) -> str:
    if level == depth - 1:
        return f"{name}(全て一括、実質的に削除)"
    if level == 0:
        return f"{name}(元の区分)"
    return f"{name}(第{level}段階に一般化、{n_values}区分)"


def truncate(h: Hierarchy, level: int) -> Hierarchy:
    """The part of ``h`` from ``level`` up: its leaves are ``h``'s values at ``level``.

    Used to search above a minimum level (a table linked to an earlier release must not be finer than it).
    Labels are ``h``'s own, so released values are unchanged; only loss is relative to the truncated tree
    (callers recompute Iyengar's LM against ``h``).
    """
    if level <= 0:
        return h
    top = h.height - 1
    root = str(h.labels[top][0])
    leaf_codes = h.maps[level][: h.n_leaves]
    uniq, first = np.unique(leaf_codes, return_index=True)
    rows = []
    for code, leaf in zip(uniq, first, strict=True):
        label = str(h.labels[level][code])
        if label == root and level < top:
            continue
        rows.append([label] + [str(h.labels[lv][h.maps[lv][leaf]]) for lv in range(level + 1, h.height)])
    if not rows:
        rows = [[root]]
    if level == top:
        rows = [[root]]
    return Hierarchy.from_rows(h.name, rows, h.level_descriptions[level:] if len(rows[0]) > 1 else None,
                               source=f"{h.source} from level {level}")
