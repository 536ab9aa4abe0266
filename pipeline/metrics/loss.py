"""Information loss of a lattice node, computed on its equivalence classes (never on rows).

- ``loss``: Iyengar's loss metric (LM, Iyengar 2002): per cell (leaves under the generalised value − 1) /
  (leaves of the hierarchy − 1), a suppressed cell counts 1, mean over rows and quasi-identifiers. Leaves are
  the hierarchy's, not the data's (ARX's convention: the Adult age hierarchy has 100 leaves).
- ``precision``: Sweeney's precision loss: per cell level / (height − 1), a suppressed cell counts 1.
- ``entropy``: non-uniform entropy (Gionis & Tassa 2009, as in ARX): per cell −log2 P(original value |
  released value) over the input, a suppressed cell counts as generalised to the root; normalised by its
  value with every cell suppressed, so 0 = no loss, 1 = nothing left.
- ``discernibility``: Bayardo & Agrawal 2005: Σ over kept classes of rows², plus rows × all rows for each
  suppressed row.
- ``aecs``: average equivalence class size (LeFevre et al. 2006): kept rows / kept classes.

The first three are sums of per-attribute terms that depend on one attribute's level only, when nothing is
suppressed, and suppression can only raise them (a suppressed cell costs the maximum). That sum is the
lower bound the optimal search sorts and prunes by (:meth:`LossTables.bound_table`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.hierarchies.base import Hierarchy
from pipeline.histogram import Snapshot, Space

ADDITIVE = ("loss", "precision", "entropy")


class LossTables:
    """Per quasi-identifier and level, the tables every metric needs, built once per search."""

    def __init__(self, hierarchies: Sequence[Hierarchy], base: Snapshot, space: Space, n_rows: int,
                 names: Sequence[str], weights: Sequence[float] | None = None) -> None:
        self.names = list(names)
        #: Per attribute, its weight over the mean weight (all 1 when unweighted): an additive metric is
        #: the mean of the attributes' shares, each multiplied by this (ARX's weighted quality model).
        w = np.ones(len(hierarchies)) if weights is None else np.asarray(weights, dtype=np.float64)
        self.weights = (w / w.mean()).tolist() if len(w) else []
        self.n_rows = n_rows
        self.q = len(hierarchies)
        self.base = base
        self.space = space
        self.hierarchies = list(hierarchies)
        self.lm_code: list[list[np.ndarray]] = []
        self.prec: list[list[float]] = []
        for h in hierarchies:
            denom = max(h.n_leaves - 1, 1)
            self.lm_code.append([(np.asarray(h.leaf_counts[b], dtype=np.float64) - 1) / denom
                                 for b in range(h.height)])
            self.prec.append([b / max(h.height - 1, 1) for b in range(h.height)])
        self._leaf_log: list[float] | None = None

    def _base_codes(self, q: int, level: int) -> np.ndarray:
        m = self.space.up[q][0][level]
        return self.base.codes[q] if m is None else m[self.base.codes[q]]

    # -- additive lower bounds ---------------------------------------------------------------------------
    def bound_table(self, metric: str) -> list[np.ndarray] | None:
        """Per attribute, per level: its share of the metric with nothing suppressed (None: not additive)."""
        if metric not in ADDITIVE:
            return None
        rows = self.base.rows.astype(np.float64)
        out = []
        for q, h in enumerate(self.hierarchies):
            # per leaf: rows holding it; every level's value is then a small product over leaves
            per_leaf = np.bincount(self.base.codes[q], weights=rows, minlength=h.n_leaves + 1)
            vals = []
            for b in range(h.height):
                up = np.asarray(h.maps[b])
                if metric == "loss":
                    v = float((per_leaf * self.lm_code[q][b][up]).sum()) / self.n_rows
                elif metric == "precision":
                    v = self.prec[q][b]
                else:
                    g = np.bincount(up, weights=per_leaf)
                    v = self._entropy_share(q, float(_xlog2x(g).sum()), 0)
                vals.append(v * self.weights[q] / self.q)
            out.append(np.array(vals))
        return out

    def _leaf_logs(self) -> list[float]:
        """Per attribute: Σ over rows of log2(rows holding the row's original value)."""
        if self._leaf_log is None:
            rows = self.base.rows.astype(np.float64)
            self._leaf_log = [float(_xlog2x(np.bincount(self.base.codes[q], weights=rows)).sum())
                              for q in range(self.q)]
        return self._leaf_log

    def _entropy_share(self, q: int, kept_gen: float, suppressed: int) -> float:
        """Non-uniform entropy of attribute ``q`` normalised to [0, 1]. Σ over kept rows of
        log2(rows sharing the released value / rows sharing the original value) plus, per suppressed row,
        log2(all rows / rows sharing the original value); the original-value terms of kept and suppressed
        rows add up to the constant ``_leaf_logs``, so only the released side varies by node."""
        n = float(self.n_rows)
        total = n * np.log2(n) - self._leaf_logs()[q]
        if total <= 0:
            return 0.0
        return (kept_gen + suppressed * np.log2(n) - self._leaf_logs()[q]) / total

    # -- value of a node ---------------------------------------------------------------------------------
    def value(self, metric: str, snap: Snapshot, fail: np.ndarray) -> float:
        """The search objective of a node whose failing classes (``fail``) are suppressed."""
        if metric in ADDITIVE:
            per = self.per_attribute(metric, snap, fail)
            weighted = sum(p * w for p, w in zip(per, self.weights, strict=True))
            return float(weighted / self.q) if self.q else 0.0
        kept = snap.rows[~fail]
        suppressed = self.n_rows - int(kept.sum())
        if metric == "discernibility":
            return float((kept.astype(np.float64) ** 2).sum() + suppressed * float(self.n_rows))
        if metric == "aecs":
            return float(kept.sum() / len(kept)) if len(kept) else float(self.n_rows)
        raise ValueError(metric)

    def per_attribute(self, metric: str, snap: Snapshot, fail: np.ndarray) -> list[float]:
        rows = np.where(fail, 0, snap.rows).astype(np.float64)
        suppressed = self.n_rows - int(rows.sum())
        out = []
        for q in range(self.q):
            b = snap.levels[q]
            if metric == "loss":
                kept = float((rows * self.lm_code[q][b][snap.codes[q]]).sum())
                out.append((kept + suppressed) / self.n_rows)
            elif metric == "precision":
                out.append((float(rows.sum()) * self.prec[q][b] + suppressed) / self.n_rows)
            else:
                g = np.bincount(snap.codes[q], weights=snap.rows.astype(np.float64))
                kept = float((rows * np.log2(np.maximum(g[snap.codes[q]], 1.0))).sum())
                out.append(self._entropy_share(q, kept, suppressed))
        return out

    def report(self, snap: Snapshot, fail: np.ndarray, metric: str) -> dict:
        """The ``loss`` dict of a search result: the objective, overall and per-attribute LM, and the rest."""
        per = self.per_attribute("loss", snap, fail)
        return {
            "metric": metric,
            "value": self.value(metric, snap, fail),
            "lm": float(np.mean(per)) if per else 0.0,
            "weighted_lm": float(np.dot(per, self.weights) / self.q) if per else 0.0,
            "per_attribute": dict(zip(self.names, per, strict=True)),
            "discernibility": self.value("discernibility", snap, fail),
            "aecs": self.value("aecs", snap, fail),
            "precision": self.value("precision", snap, fail),
            "entropy": self.value("entropy", snap, fail),
        }


def _xlog2x(x: np.ndarray) -> np.ndarray:
    x = x[x > 0]
    return x * np.log2(x)
