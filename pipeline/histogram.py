"""The search works on a histogram of distinct quasi-identifier tuples, never on rows.

:class:`Snapshot` holds the equivalence classes of one lattice node: each class's code per quasi-identifier
at the node's level, its rows, its (class, person) pairs when a person may own several rows, and per
sensitive column the sparse (class, value, count) pairs. A coarser node is computed by *rolling up* any finer
snapshot (ARX does the same from its snapshot cache): map each class's codes one hierarchy step table lookup
up, regroup the packed keys with numpy. Cost is proportional to the finer node's classes, not to the rows.

Why a module of its own below ``pipeline.search`` and ``pipeline.metrics``: both work on these classes (the
search rolls snapshots up; loss and risk are measured on them), and the search also calls the metrics. With
the histogram inside ``search/`` the two packages imported each other (issue 14 point 7). It depends only on
``pipeline.privacy.base``; the layering is pinned by the import contracts in ``pyproject.toml``
(``tests/test_import_contracts.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.privacy.base import ClassStats, SensitivePairs

_MAX_KEY = 1 << 62
#: Group with a dense table (O(key range)) while the key range is at most this many times the entries;
#: above, sort (np.unique). Dense is cheaper per element by far, so the factor is generous.
_DENSE = 16
#: entries of the largest dense grouping table (:func:`dense`): 128 MiB as int64
DENSE_MAX = 1 << 24
#: The dtype of a snapshot's codes and of its sensitive pairs' class and value indices. Why 32 bits: a code is
#: below its hierarchy's labels, a class index below the entries, a value index below the distinct values, all
#: far below 2**31; at 10M policyholders the claims' base snapshot (5.9M classes) held its codes and pairs in
#: 64 bits, half of them zeros (the search's peak, issue 17). Packing into keys always widens to int64 first
#: (:func:`group`, :func:`_combine`), so a 32-bit code never overflows a product.
CODE = np.int32
_CODE_MAX = np.iinfo(CODE).max


@dataclass
class Snapshot:
    levels: tuple[int, ...]
    codes: list[np.ndarray]  # per quasi-identifier: the code at its level (``CODE``), one per class
    rows: np.ndarray  # int64 per class
    persons: np.ndarray  # int64 per class
    #: (class, person) distinct pairs of the persons whose rows were in several base classes, or None
    person_pairs: tuple[np.ndarray, np.ndarray] | None
    #: per sensitive column: (class, value, count); class and value ``CODE``, count int64
    sensitive: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    origin: np.ndarray | None = None  # base tuple -> class, when tracked
    #: per class, the persons all of whose rows were in one base class, left out of ``person_pairs``: they
    #: stay in one class at every level, so they are counted as a weight, not de-duplicated at each roll-up
    #: (most claimants have their claims in one tuple: the claims' search at 3M spent 13 of 31 s on pairs)
    single: np.ndarray | None = None
    _stats: ClassStats | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.rows)


def group(cols: Sequence[np.ndarray], cards: Sequence[int]) -> tuple[np.ndarray, np.ndarray, int]:
    """Group rows by the tuple of integer columns (values < card): (inverse, one representative index per
    group, number of groups). Groups are numbered in the order of their packed key."""
    size = len(cols[0]) if cols else 0
    used = [(c, card) for c, card in zip(cols, cards, strict=True) if card > 1]
    total = 1
    for _, card in used:
        total *= card
    if total < _MAX_KEY:  # the common case: one C pass packs the key
        if not used:
            return _group_key(np.zeros(size, dtype=np.int64), 1)
        if len(used) == 1:
            return _group_key(np.asarray(used[0][0], dtype=np.int64), total)
        key = np.ravel_multi_index([c for c, _ in used], [card for _, card in used])
        return _group_key(key.astype(np.int64, copy=False), total)
    key = np.zeros(size, dtype=np.int64)
    bound = 1
    for c, card in zip(cols, cards, strict=True):
        if bound * card >= _MAX_KEY:
            _, key = np.unique(key, return_inverse=True)
            bound = int(key.max()) + 1 if size else 1
        if card > 1:
            key = key * card + c
            bound *= card
    return _group_key(key, bound)


def dense(bound: int, size: int) -> bool:
    """Whether grouping ``size`` keys below ``bound`` uses a table of ``bound`` entries (a bincount, a
    cumulative sum: linear) rather than a sort: when the table is at most ``_DENSE`` times the keys, and
    at most ``DENSE_MAX`` entries. Why the cap: a roll-up of the claims' base at 10M policyholders (5.9M
    classes) built tables of up to 94M entries, three of them at once of 8 bytes each: the search's peak
    (4.4 GiB); a sort of the keys costs a few tenths of a second more and no memory beyond the keys."""
    return bound <= min(_DENSE * size + 4096, DENSE_MAX)


def _group_key(key: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray, int]:
    size = len(key)
    if dense(bound, size):
        present = np.zeros(bound + 1, dtype=np.int64)
        present[key + 1] = 1
        ids = np.cumsum(present)
        n = int(ids[-1])
        inv = ids[key] if size else key
    else:
        inv, first, n, _ = _sort_groups(key, bound)
        return inv, first, n
    first = np.empty(n, dtype=np.int64)
    first[inv] = np.arange(size, dtype=np.int64)
    return inv, first, n


def _sort_groups(key: np.ndarray, bound: int, owned: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """(inverse, first index, groups, sorted distinct keys) by sorting. numpy's plain sort of int64 is
    vectorised and several times faster than argsort, so when key and row index fit in one int64 together
    the row index rides in the low bits and one sort yields the order too. ``owned``: ``key`` is a
    temporary of the caller's (int64), overwritten here instead of copied."""
    size = len(key)
    shift = max(int(size - 1).bit_length(), 1)
    if bound >= 1 << (62 - shift):
        uniq, inv = np.unique(key, return_inverse=True)
        first = np.empty(len(uniq), dtype=np.int64)
        first[inv] = np.arange(size, dtype=np.int64)
        return inv, first, len(uniq), uniq
    # in place where numpy allows: at the claims' 5.9M base entries (10M policyholders) each temporary
    # is 45 MiB, and these sorts run inside the search's peak (issue 17)
    if owned:  # the caller's fresh array: shifted where it is
        comb = key
        comb <<= shift
    else:
        comb = np.left_shift(key, shift, dtype=np.int64)
    comb |= np.arange(size, dtype=np.int64)
    comb.sort()
    order = comb & ((1 << shift) - 1)
    comb >>= shift
    sk = comb
    new = np.empty(size, dtype=bool)
    new[:1] = True
    np.not_equal(sk[1:], sk[:-1], out=new[1:])
    gid = np.cumsum(new, dtype=np.int64)
    gid -= 1
    inv = np.empty(size, dtype=np.int64)
    inv[order] = gid
    n = int(gid[-1]) + 1 if size else 0
    del gid
    return inv, order[new], n, sk[new]


#: Marker for ``_combine``: every pair weighs 1 (rows of the base snapshot).
_UNIT = np.ones(0)


def sorted_unique(a: np.ndarray, owned: bool = False) -> np.ndarray:
    """``np.unique(a)`` by a sort. Why: numpy 2.4's hash-based ``np.unique`` (no return_* arguments) took
    12.9 s on a million int64 keys on this machine against 0.18 s for the sort; the search's roll-ups call
    it hundreds of times (1,000,000 policyholders: 1,093 of 1,402 s in ``_unique_hash``)."""
    if owned:  # the caller's temporary (``_combine``'s key): sorted where it is, not copied
        a.sort(kind="stable")
        s = a
    else:
        s = np.sort(a, kind="stable")
    if len(s) < 2:
        return s
    return s[np.concatenate(([True], s[1:] != s[:-1]))]


def _combine(cls: np.ndarray, other: np.ndarray, n_other: int, weights: np.ndarray | None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Distinct (cls, other) pairs, sorted, with summed weights (``None``: no weights, ``_UNIT``: 1 each);
    the pairs as ``CODE`` when both parts fit (always, but for more than 2**31 classes or values)."""
    size = len(cls)
    key = cls.astype(np.int64)  # a fresh array, multiplied and summed in place (then sorted in place)
    key *= n_other
    key += other
    bound = (int(cls.max()) + 1) * n_other if size else 1
    if dense(bound, size):
        if weights is None:
            present = np.zeros(bound, dtype=bool)
            present[key] = True
            uk = np.flatnonzero(present)
            w = None
        else:
            # unit weights (rows of the base) count as integers; flatnonzero of a boolean mask is several
            # times faster than of a float array
            sums = (np.bincount(key, minlength=bound) if weights is _UNIT
                    else np.bincount(key, weights=weights, minlength=bound))
            uk = np.flatnonzero(sums > 0)
            w = sums[uk].astype(np.int64, copy=False)
    elif weights is None:
        uk = sorted_unique(key, owned=True)
        del key
        w = None
    else:
        inv, _, n, uk = _sort_groups(key, bound, owned=True)
        del key
        w = (np.bincount(inv, minlength=n) if weights is _UNIT
             else np.bincount(inv, weights=weights, minlength=n).astype(np.int64))
    narrow = CODE if size <= _CODE_MAX and n_other <= _CODE_MAX else np.int64
    return (uk // n_other).astype(narrow, copy=False), (uk % n_other).astype(narrow, copy=False), w


@dataclass
class Space:
    """Precomputed, per quasi-identifier: level cardinalities and code maps between any two levels."""

    heights: tuple[int, ...]
    cards: list[list[int]]  # cards[q][level]
    up: list[list[list[np.ndarray | None]]]  # up[q][a][b]: code at level a -> code at level b (b >= a)
    n_persons: int
    n_values: list[int]
    ordered: list[bool]
    references: list[np.ndarray]
    sensitive_names: list[str]
    nulls: list[int | None]  # the null code of each sensitive column (pipeline.privacy.base: null policy)
    _zeros: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=CODE), repr=False)

    def roll_up(self, src: Snapshot, target: tuple[int, ...], track_origin: bool = False) -> Snapshot:
        cols = []
        cards = []
        size = src.n
        if len(self._zeros) < size:
            self._zeros = np.zeros(2 * size, dtype=CODE)
        for q, (a, b) in enumerate(zip(src.levels, target, strict=True)):
            card = self.cards[q][b]
            if card == 1:  # at the root: every code is 0, nothing to map or pack
                c = self._zeros[:size]
            elif a != b:
                m = self.up[q][a][b]
                assert m is not None
                c = m[src.codes[q]]
            else:
                c = src.codes[q]
            cols.append(c)
            cards.append(card)
        dense = self._dense_group(cols, cards, src)
        if dense is not None:
            inv, n, codes, rows = dense
            return self._build(target, codes, inv, n, src, track_origin, rows)
        inv, first, n = group(cols, cards)
        zeros = self._zeros
        codes = [zeros[:n] if cards[q] == 1 else c[first] for q, c in enumerate(cols)]
        return self._build(target, codes, inv, n, src, track_origin)

    def _dense_group(self, cols: list[np.ndarray], cards: list[int], src: Snapshot
                     ) -> tuple[np.ndarray, int, list[np.ndarray], np.ndarray] | None:
        """The common roll-up in fewer numpy calls, when the packed key range is small: one weighted
        bincount over the key gives the classes (every source class has rows, so a class exists exactly
        where the sum is positive) and their rows; codes come back from the distinct keys by unravelling,
        not by gathering each column. Classes are numbered in key order, as :func:`group` numbers them.
        ``None`` when the range is too large for a dense table."""
        used = [q for q, card in enumerate(cards) if card > 1]
        total = 1
        for q in used:
            total *= cards[q]
        if not dense(total, len(src.rows)):
            return None
        if not used:
            key = self._zeros[: len(src.rows)]
        elif len(used) == 1:
            key = cols[used[0]]
        else:
            key = np.ravel_multi_index([cols[q] for q in used], [cards[q] for q in used])
        sums = np.bincount(key, weights=src.rows, minlength=total)
        uk = np.flatnonzero(sums > 0)
        n = len(uk)
        ids = np.empty(total, dtype=np.int64)
        ids[uk] = np.arange(n, dtype=np.int64)
        inv = ids[key]
        rows = sums[uk].astype(np.int64)
        codes = [self._zeros[:n]] * len(cards)
        if len(used) == 1:
            codes[used[0]] = uk.astype(CODE)
        elif used:
            for q, c in zip(used, np.unravel_index(uk, [cards[q] for q in used]), strict=True):
                codes[q] = c.astype(CODE)
        return inv, n, codes, rows

    def _build(self, target: tuple[int, ...], codes: list[np.ndarray], inv: np.ndarray, n: int,
               src: Snapshot, track_origin: bool, rows: np.ndarray | None = None) -> Snapshot:
        if rows is None:
            rows = np.bincount(inv, weights=src.rows, minlength=n).astype(np.int64)
        pairs = None
        single = None
        if src.person_pairs is None and src.single is None:
            persons = rows
        else:
            persons = np.zeros(n, dtype=np.int64)
            if src.person_pairs is not None:
                pc, pp, _ = _combine(inv[src.person_pairs[0]], src.person_pairs[1], self.n_persons, None)
                pairs = (pc, pp)
                persons += np.bincount(pc, minlength=n).astype(np.int64)
            if src.single is not None:
                single = np.bincount(inv, weights=src.single, minlength=n).astype(np.int64)
                persons += single
        sens = []
        for i, (sc, sv, cnt) in enumerate(src.sensitive):
            c2, v2, w2 = _combine(inv[sc], sv, self.n_values[i], cnt.astype(np.float64))
            assert w2 is not None
            sens.append((c2, v2, w2))
        origin = inv[src.origin] if track_origin and src.origin is not None else None
        return Snapshot(target, codes, rows, persons, pairs, sens, origin, single)

    def stats(self, snap: Snapshot) -> ClassStats:
        if snap._stats is None:
            sens = {
                name: SensitivePairs(c, v, w, self.n_values[i], self.ordered[i], self.references[i],
                                     self.nulls[i])
                for i, (name, (c, v, w)) in enumerate(zip(self.sensitive_names, snap.sensitive, strict=True))
            }
            snap._stats = ClassStats(snap.n, snap.rows, snap.persons, sens)
        return snap._stats


def base_snapshot(
    qi_codes: Sequence[np.ndarray],
    qi_cards: Sequence[int],
    person: np.ndarray | None,
    sensitive_codes: Sequence[np.ndarray],
    sensitive_sizes: Sequence[int],
    weights: np.ndarray | None = None,
    person_pairs: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[Snapshot, np.ndarray, int]:
    """The level-0 snapshot: (snapshot, input entry -> class, number of persons).

    The entries are rows, or with ``weights`` (rows per entry) the entries of a histogram a streaming pass
    accumulated (``pipeline.search.weighted``); then ``person_pairs`` ((entry, person) pairs: any entry of
    the person's quasi-identifier tuple will do) stand in for ``person``. Both give the same snapshot for the
    same data, so the search cannot tell them apart (``tests/search/test_weighted.py``)."""
    n_entries = len(qi_codes[0]) if qi_codes else (len(person) if person is not None else
                                                    len(weights) if weights is not None else 0)
    cols = [np.asarray(c, dtype=CODE) for c in qi_codes]
    if not cols:
        cols = [np.zeros(n_entries, dtype=CODE)]
        qi_cards = [1]
    inv, first, n = group(cols, qi_cards)
    if weights is None:
        rows = np.bincount(inv, minlength=n).astype(np.int64)
    else:
        rows = np.bincount(inv, weights=np.asarray(weights, dtype=np.int64), minlength=n).astype(np.int64)
    n_rows = int(rows.sum())
    pairs = None
    single = None
    if person_pairs is not None:
        entry, who = person_pairs
        _, pcode = np.unique(who, return_inverse=True)
        n_persons = int(pcode.max()) + 1 if len(pcode) else 0
        class_of = inv[np.asarray(entry, dtype=np.int64)]
    elif person is not None:
        _, pcode = np.unique(person, return_inverse=True)
        n_persons = int(pcode.max()) + 1 if n_rows else 0
        class_of = inv
    if person is None and person_pairs is None:
        n_persons = n_rows
        persons = rows
    elif n_persons == n_rows:  # one row per person: the pairs are the rows
        persons = rows
    else:
        pc, pp, _ = _combine(class_of, pcode.astype(np.int64), n_persons, None)
        in_one = (np.bincount(pp, minlength=n_persons) == 1)[pp]  # the person's only class
        single = np.bincount(pc[in_one], minlength=n).astype(np.int64)
        pairs = (pc[~in_one], pp[~in_one]) if not in_one.all() else None
        persons = np.bincount(pc, minlength=n).astype(np.int64)
    sens = []
    for codes, size in zip(sensitive_codes, sensitive_sizes, strict=True):
        c2, v2, w2 = _combine(inv, np.asarray(codes, dtype=np.int64), size,
                              _UNIT if weights is None else np.asarray(weights, dtype=np.float64))
        assert w2 is not None
        sens.append((c2, v2, w2))
    levels = tuple(0 for _ in qi_codes)
    snap = Snapshot(levels, [c[first] for c in cols[: len(qi_codes)]], rows, persons, pairs, sens,
                    origin=np.arange(n, dtype=np.int64), single=single)
    return snap, inv, n_persons
