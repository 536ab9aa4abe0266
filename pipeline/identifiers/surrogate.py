"""Linking codes (証券番号, 請求番号) replaced by random surrogates (施行規則34条 rule 3, APPI.md §1).

The surrogates come from a random generator seeded by ``secrets`` for this release only; the seed and the
value → surrogate mapping live only in this object, in memory, and are never written, logged or returned
(PPC FAQ Q15-14: they must be destroyed). Surrogates are random, not derived from the code (no hash, no
HMAC): there is no regularity that would allow restoring the source. One :class:`SurrogateSpace` per
release and per code name makes a code consistent across the tables of one release (claims join their
policy) while two releases of the same input share no surrogate.
"""

from __future__ import annotations

import secrets

import numpy as np
import pandas as pd


class SurrogateSpace:
    """Assign a fresh random 14-letter surrogate to each distinct code value, consistently."""

    def __init__(self, columns: list[pd.Series]) -> None:
        joined = pd.concat([c.astype("string") for c in columns], ignore_index=True)
        # codes in first-seen order: the positions in the index, so the given columns need no lookup later
        positions, distinct = pd.factorize(joined)
        self._index = pd.Index(distinct)
        rng = np.random.default_rng(secrets.randbits(128))
        n = len(self._index)
        tokens = np.unique(rng.integers(0, 2**63 - 1, size=n + 16, dtype=np.int64))
        while len(tokens) < n:  # practically never: 2^63 space
            tokens = np.unique(np.concatenate([tokens, rng.integers(0, 2**63 - 1, size=n, dtype=np.int64)]))
        tokens = rng.permutation(tokens)[:n]
        self._tokens = _letters(tokens)
        #: id of a column → (the column, its codes): each column is looked up once, however many rounds.
        self._codes: dict[int, tuple[pd.Series, np.ndarray]] = {}
        start = 0
        for c in columns:
            codes = positions[start:start + len(c)].astype(np.intp)
            codes.flags.writeable = False
            self._codes[id(c)] = (c, codes)
            start += len(c)

    @property
    def size(self) -> int:
        """Number of distinct code values (the range of :meth:`codes`)."""
        return len(self._index)

    def codes(self, values: pd.Series) -> np.ndarray:
        """Position of each value among the distinct codes (-1 for null), read-only; computed once per column
        object (the column is held with its codes, so its id cannot be reused while cached)."""
        cached = self._codes.get(id(values))
        if cached is not None and cached[0] is values:
            return cached[1]
        codes = self._index.get_indexer(values.astype("string").astype(object).where(values.notna(), None))
        codes.flags.writeable = False
        self._codes[id(values)] = (values, codes)
        return codes

    def replace(self, values: pd.Series) -> pd.Series:
        codes = self.codes(values)
        out = np.where(codes >= 0, self._tokens[np.maximum(codes, 0)], np.array(None, dtype=object))
        return pd.Series(out, index=values.index, name=values.name, dtype=object)

    def discard(self) -> None:
        """Drop the mapping as soon as every table is done (the object must not outlive the run)."""
        self._index = pd.Index([])
        self._tokens = np.array([], dtype=object)
        self._codes = {}


def _letters(tokens: np.ndarray, width: int = 14) -> np.ndarray:
    """Spell 63-bit integers in 14 lowercase letters (26^14 > 2^63), vectorised.

    Letters only, on purpose: a hex surrogate can hold a run of 12 digits that passes the My Number check
    digit, and a release must contain no such sequence (APPI.md §1 rule 2), nor look like a phone number.
    """
    powers = 26 ** np.arange(width - 1, -1, -1, dtype=np.uint64)
    digits = (tokens.astype(np.uint64)[:, None] // powers[None, :]) % np.uint64(26)
    chars = (digits.astype(np.uint8) + ord("a")).tobytes()
    return np.array([chars[i:i + width].decode("ascii") for i in range(0, len(chars), width)], dtype=object)
