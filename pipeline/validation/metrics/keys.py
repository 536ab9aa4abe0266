"""A key column (a person key, a linking code) as integer codes: what the gate's person counts compare.

Why: the linking codes of a release are distinct surrogate keys, one per policy or claim (ten million at
10M policyholders). The gate hands them to GX as Arrow strings (``string[pyarrow]``,
:func:`pipeline.validation.runner.as_categories`), not as pandas categoricals: a categorical of ten million
categories is validated through pandas' object hash table, every category a Python string (about 1.1 GiB
at 3,000,000 policyholders). Every rule that counts persons needs the person key as codes; Arrow's hash
(:func:`~pipeline.io.arrow.text_codes`: ``dictionary_encode``, a part of the rows at a time) gives them
without Python strings, and :func:`key_codes` keeps them for as long as the Arrow column lives (GX hands
each metric a copy of the frame, but a copy shares the column's Arrow data), so a table's dozen person
counts hash its keys once.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.io.arrow import is_arrow_text, text_codes

#: id of an Arrow column → (a weak reference to it, its codes, number of distinct values); an entry is
#: removed when its column is freed (``weakref.finalize``), so nothing outlives the data it describes
_MEMO: dict[int, tuple[weakref.ref, np.ndarray, int]] = {}


def key_codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """``(codes, n)``: per row a code in ``0..n-1``, equal codes for equal values and -1 for a null, as
    ``pd.factorize(values)`` (its order of codes aside). Categoricals through their codes; Arrow strings
    through Arrow's hash, once per Arrow column; anything else through ``pd.factorize``."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), len(values.cat.categories)
    if not is_arrow_text(values):
        codes, uniques = pd.factorize(values)
        return codes, len(uniques)
    held = values.array._pa_array  # the ChunkedArray a copy of the frame shares (pandas' own attribute)
    found = _MEMO.get(id(held))
    if found is not None and found[0]() is held:
        return found[1], found[2]
    codes, n = _encode(held)
    _MEMO[id(held)] = (weakref.ref(held), codes, n)
    weakref.finalize(held, _MEMO.pop, id(held), None)
    return codes, n


def person_codes(values: pd.Series) -> tuple[np.ndarray, int] | None:
    """A person key's :func:`key_codes`, or ``None`` when every row is its own person (a distinct key per
    row, none null: a policyholders table). Then the persons of any group of rows are its rows, and the
    rules count rows instead of distinct (group, person) pairs. Read off the count of distinct values that
    comes with the codes: no work beyond :func:`key_codes`, whose memo it shares."""
    codes, n = key_codes(values)
    if n != len(codes):
        return codes, n
    # as many values as rows: every row its own person, unless the count holds values no row has (a
    # categorical's unused categories) while some rows repeat a key or are null
    if isinstance(values.dtype, pd.CategoricalDtype) and len(codes) and (
            codes.min() < 0 or np.bincount(codes, minlength=n).max() > 1):
        return codes, n
    return None


def _encode(held: pa.ChunkedArray) -> tuple[np.ndarray, int]:
    """Arrow's hash of the chunks as they are, not copied into one array first (230 MiB more for ten million
    surrogate keys), a part of the rows at a time (:func:`~pipeline.io.arrow.text_codes`; the 10M
    policyholders' keys +1,062 → +374 MiB over the start, 4.2 → 5.0 s)."""
    codes, n = text_codes([held], np.int32)
    codes.flags.writeable = False  # shared by every caller of this column
    return codes, n
