"""Text columns between pandas and Arrow, without a Python string per row: the two conversions the gates and
the streamed run's read-back share.

Why here: the released tables of a streamed run are held as Arrow strings and categoricals, and the steps
after the anonymisation (the read-back, linked persons in the manifest, the GX gate's categoricals) each
needed the same two moves; ten million surrogate keys as Python strings cost 60 bytes each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def is_arrow_text(values: pd.Series) -> bool:
    """Whether the column is pandas' Arrow-backed string (``string[pyarrow]``)."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def arrow_text(values: pd.Series, type: pa.DataType | None = None) -> pa.Array:
    """The column as one Arrow array: Arrow strings as they are (their chunks joined), anything else
    converted (nulls as nulls; ``type`` forces the type of the conversion). Raises Arrow's error for values
    Arrow cannot hold as that type."""
    if is_arrow_text(values):
        held = pa.array(values.array)
        return held.combine_chunks() if isinstance(held, pa.ChunkedArray) else held
    return pa.array(values.to_numpy(dtype=object, na_value=None), type=type, from_pandas=True)


def arrow_chunks(values: pd.Series) -> pa.ChunkedArray:
    """:func:`arrow_text` without its copy of an Arrow-text column's chunks into one array: a release read
    back from Parquet holds its linking codes in a chunk per row group, and joining ten million surrogate
    keys copied 230 MiB before any hash was built. For Arrow's kernels that take chunked input
    (``unique``, ``is_in``, ``index_in``, ``dictionary_encode``). Other dtypes converted as
    :func:`arrow_text` converts them."""
    held = pa.array(values.array) if is_arrow_text(values) else arrow_text(values)
    return held if isinstance(held, pa.ChunkedArray) else pa.chunked_array([held], type=held.type)


def chunked_codes(encoded: pa.ChunkedArray, dtype: type = np.int32) -> tuple[np.ndarray, int]:
    """``(codes, n)`` of a chunked ``dictionary_encode`` (its chunks share one dictionary): every chunk's
    indices in one array of ``dtype``, a null as -1, and the size of the dictionary."""
    codes: np.ndarray = np.empty(len(encoded), dtype=dtype)
    at = 0
    for chunk in encoded.chunks:
        codes[at:at + len(chunk)] = chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        at += len(chunk)
    return codes, len(encoded.chunks[0].dictionary) if encoded.num_chunks else 0


def sorted_categorical(codes: np.ndarray, dictionary: pa.Array, dtype: object) -> pd.Categorical:
    """A pandas categorical from dictionary ``codes`` (-1: null) into ``dictionary``: the categories are the
    values some row uses, in code-point order (``astype("category")``'s order: UTF-8 byte order is code point
    order), held in ``dtype`` (Arrow strings stay in Arrow); the rows' codes are
    renumbered, no row's value is touched."""
    codes = np.asarray(codes, dtype=np.int64)
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(dictionary)) > 0)
    present = dictionary.take(pa.array(used, type=pa.int64()))
    order = pc.array_sort_indices(present).to_numpy()
    rank = np.full(len(dictionary), -1, dtype=np.int64)
    rank[used[order]] = np.arange(len(order))
    ordered = present.take(pa.array(order, type=pa.int64()))
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        categories = pd.Index(pd.array(ordered, dtype=dtype))
    else:
        categories = pd.Index(ordered.to_numpy(zero_copy_only=False), dtype=dtype)
    renumbered = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
    return pd.Categorical.from_codes(renumbered, dtype=pd.CategoricalDtype(categories), validate=False)
