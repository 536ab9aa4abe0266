"""The generalisation lattice: one node per combination of hierarchy levels, ordered componentwise.

Nodes are enumerated once into an (nodes × attributes) array so that monotone tagging — "everything below
this failing node fails", "everything above this passing node passes" — is one vectorised comparison.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Lattice:
    def __init__(self, heights: Sequence[int]) -> None:
        self.heights = tuple(int(h) for h in heights)
        grids = np.meshgrid(*[np.arange(h, dtype=np.int16) for h in self.heights], indexing="ij")
        self.nodes = np.stack([g.ravel() for g in grids], axis=1) if grids else np.zeros((1, 0), np.int16)
        self.size = len(self.nodes)
        self.strides = np.ones(len(self.heights), dtype=np.int64)
        for q in range(len(self.heights) - 2, -1, -1):
            self.strides[q] = self.strides[q + 1] * self.heights[q + 1]
        self.top = tuple(h - 1 for h in self.heights)
        self._strides = [int(v) for v in self.strides]

    @staticmethod
    def size_of(heights: Sequence[int]) -> int:
        size = 1
        for h in heights:
            size *= int(h)
        return size

    def index(self, node: Sequence[int]) -> int:
        i = 0
        for v, s in zip(node, self._strides):  # noqa: B905 - hot path, lengths equal by construction
            i += v * s
        return i

    def below(self, node: Sequence[int]) -> tuple[slice, ...]:
        """Index of the nodes at or below ``node`` (every level <=) in an array of shape ``heights``."""
        return tuple(slice(0, int(v) + 1) for v in node)

    def above(self, node: Sequence[int]) -> tuple[slice, ...]:
        return tuple(slice(int(v), None) for v in node)

    def shaped(self, flat: np.ndarray) -> np.ndarray:
        """A view of a per-node array (in ``nodes`` order) with one axis per attribute, for slicing."""
        return flat.reshape(self.heights)

    def chain_to_top(self, node: Sequence[int], step_cost: Sequence[np.ndarray]) -> list[tuple[int, ...]]:
        """A maximal chain from ``node`` to the top, raising at each step the attribute whose next level
        costs least (Flash-style path: it stays in the cheap region, where the optimum is)."""
        cur = list(node)
        chain = [tuple(cur)]
        while True:
            best_q, best_c = -1, np.inf
            for q, h in enumerate(self.heights):
                if cur[q] < h - 1:
                    c = step_cost[q][cur[q] + 1] - step_cost[q][cur[q]]
                    if c < best_c:
                        best_q, best_c = q, c
            if best_q < 0:
                return chain
            cur[best_q] += 1
            chain.append(tuple(cur))
