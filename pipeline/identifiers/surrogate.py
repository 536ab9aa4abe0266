"""Linking codes (証券番号, 請求番号) replaced by surrogates (施行規則34条 rule 3, APPI.md §1).

A surrogate is a keyed pseudorandom function of the code: keyed BLAKE2b (RFC 7693's MAC mode, a PRF like
HMAC-SHA256) under a 256-bit key drawn from ``secrets`` for this release only, spelled as 14 lowercase
letters. Why a keyed PRF and not a random draw per distinct code: the same code gets the same surrogate in
every batch, every table and every Dask worker without a dictionary of every code (issue 17: ten million
policyholders in bounded memory). Without the key the surrogates have no regularity that would allow restoring
the source (a PRF is indistinguishable from a random function), so the key is 加工方法等情報: it lives only
in a
:class:`SurrogateKey` in memory, is never written, logged, returned or put in an exception, and is dropped
when
the run ends (PPC FAQ Q15-14: destroyed). Two releases of the same input draw two keys and share no surrogate.

Why BLAKE2b rather than HMAC-SHA256: both are PRFs, but keyed BLAKE2b is one hashlib call per value; measured
on this machine, HMAC-SHA256 through ``hmac.digest`` costs 4× and the precomputed-pad HMAC 1.8× its time, and
this runs once per distinct code (1.6 million at 1M policyholders).

Uniqueness: 14 letters hold log2(26^14) ≈ 65.8 bits, so two of n distinct codes collide with probability about
n² / 2^66.8 (≈ 1e-6 at ten million). :class:`SurrogateSpace` checks every release's tokens and draws a new
key on
a collision (nothing has been released yet); the streaming path checks with :func:`assert_unique`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.errors import PipelineError

WIDTH = 14
_REKEY_ATTEMPTS = 4


class SurrogateCollisionError(PipelineError):
    """Two distinct codes got the same surrogate under every key tried (practically impossible)."""


class SurrogateKey:
    """The release's secret PRF key, in memory only. ``repr`` and pickling never show it in a log."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)

    def __repr__(self) -> str:
        return "SurrogateKey(<secret>)"

    def tokens(self, values: Iterable[str]) -> np.ndarray:
        """The 14-letter surrogate of each value (an object array of str), one PRF call per value.

        Values must be distinct and non-null (callers factorise first): this is per distinct value, not per
        row.
        """
        key = self._key
        blake = hashlib.blake2b
        digests = b"".join([blake(v.encode("utf-8"), key=key, digest_size=32).digest() for v in values])
        return spell(digests)

    def discard(self) -> None:
        """Forget the key (best effort in Python: the bytes object is dropped, not wiped)."""
        self._key = b""


def spell(digests: bytes) -> np.ndarray:
    """Spell 32-byte digests as 14 lowercase letters each, vectorised: letter i = (big-endian uint16 i) mod
    26.

    Letters only, on purpose: a hex surrogate can hold a run of 12 digits that passes the My Number check
    digit, and a release must contain no such sequence (APPI.md §1 rule 2), nor look like a phone number.
    (65536 mod 26 = 16, so each letter's bias is 16/65536: about 4.70 of log2(26) = 4.70 bits, 65.8 in all.)
    """
    if not digests:
        return np.array([], dtype=object)
    words = np.frombuffer(digests, dtype=">u2").reshape(-1, 16)[:, :WIDTH]
    letters = (words % 26).astype(np.uint8) + ord("a")
    fixed = np.ascontiguousarray(letters).view(f"S{WIDTH}").ravel()
    return pa.array(fixed, pa.binary(WIDTH)).cast(pa.string()).to_numpy(zero_copy_only=False)


def assert_unique(tokens: np.ndarray, what: str = "surrogates") -> None:
    """Raise :class:`SurrogateCollisionError` unless the (distinct codes') tokens are distinct."""
    if not pd.Index(tokens).is_unique:
        raise SurrogateCollisionError(f"{what}: two distinct codes got the same surrogate; run again "
                                      "(a new key is drawn every run)")


class SurrogateSpace:
    """Surrogates of every distinct code of some columns, consistent across them (one space per code name).

    The in-memory path keeps what :mod:`pipeline.anonymise` needs: the position of each value among the
    distinct
    codes (:meth:`codes`, for linking tables by person) and the token of each distinct code, checked unique.
    """

    def __init__(self, columns: list[pd.Series], key: SurrogateKey | None = None) -> None:
        joined = pd.concat([c.astype("string") for c in columns], ignore_index=True)
        # codes in first-seen order: the positions in the index, so the given columns need no lookup later
        positions, distinct = pd.factorize(joined)
        self._index = pd.Index(distinct)
        values = self._index.astype(object).tolist()
        for _ in range(_REKEY_ATTEMPTS):
            self._key = key if key is not None else SurrogateKey()
            self._tokens = self._key.tokens(values)
            if pd.Index(self._tokens).is_unique:
                break
            if key is not None:  # a shared key cannot be changed here
                assert_unique(self._tokens, "linking codes")
        else:
            assert_unique(self._tokens, "linking codes")
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
        """Drop the key and the mapping as soon as every table is done (the object must not outlive the
        run)."""
        self._key.discard()
        self._index = pd.Index([])
        self._tokens = np.array([], dtype=object)
        self._codes = {}
