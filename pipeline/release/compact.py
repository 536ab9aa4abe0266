"""A released table read back as the gates hold it, not as ``pd.read_parquet`` gives it.

Why: ``pd.read_parquet`` makes a Python string of every text cell (a 10M-policyholder release took 17.8 GB
to verify that way). ``anonymize verify`` (the suite on ``data/*.parquet``) and the streamed run (its
written tables read back for the gates and the report) hold a release the same way, so they read it through
this one reader; the file is the same either way (``pipeline.release.manifest`` writes a categorical as its
values).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.io.arrow import sorted_categorical

_ARROW_TEXT = pd.StringDtype("pyarrow")


def read_compact(path: Path, keys: Collection[str] = (), integers: Collection[str] = ()) -> pd.DataFrame:
    """The table at ``path``, each cell the file's value, held compactly:

    * ``keys`` (linking codes, person keys, free text: a distinct value per policy, claim or row) as Arrow
      strings (``string[pyarrow]``: a fifth of Python strings' memory, and no pandas categorical of one
      category per key, which pandas validates through its object hash table);
    * every other text column (the released labels, a dozen per column) as a categorical of the labels some
      row holds, in code-point order (``astype("category")``'s order), the categories Arrow strings
      (:func:`~pipeline.io.arrow.sorted_categorical`): a byte or two per row, built from Parquet's
      dictionary without a Python string per label;
    * ``integers`` as ``Int64``: a file without pandas metadata (the streamed run's second pass writes
      Arrow's ``int64``) would give float64 for a column with a null;
    * anything else as pandas reads it (its pandas metadata restores ``Int64``)."""
    schema = pq.read_schema(path)
    labels = [f.name for f in schema
              if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type)) and f.name not in keys]
    whole = [name for name in integers if name in schema.names and name not in labels]
    table = pq.read_table(path, read_dictionary=labels).unify_dictionaries()
    text = {pa.string(): _ARROW_TEXT, pa.large_string(): _ARROW_TEXT}.get
    data = table.drop_columns(labels + whole).to_pandas(types_mapper=text)
    as_int64 = {pa.int64(): pd.Int64Dtype()}.get
    for at, name in sorted((schema.get_field_index(name), name) for name in labels + whole):
        column = table.column(name)
        if name in labels:
            held = pd.Series(_labels(column), index=data.index, name=name)
        else:
            held = column.to_pandas(types_mapper=as_int64).astype("Int64", copy=False)
            held.index = data.index
        data.insert(at, name, held)
    return data


def _labels(column: pa.ChunkedArray) -> pd.Categorical:
    """A dictionary column (one dictionary for all its chunks) as a sorted categorical of Arrow strings."""
    value_type = column.type.value_type
    dictionary = column.chunk(0).dictionary if column.num_chunks else pa.array([], value_type)
    indices = pa.chunked_array([chunk.indices for chunk in column.chunks], column.type.index_type)
    codes = indices.fill_null(-1).to_numpy()
    return sorted_categorical(codes, dictionary, _ARROW_TEXT)
