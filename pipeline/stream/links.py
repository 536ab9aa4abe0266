"""The joined view's link between tables, without the rows (issue 17): each person of an earlier table (the
policyholders) as the list of their quasi-identifier tuples, and each row of a later table (a claim) as the
list its person holds.

The whole-table path gives a later row its person's quasi-identifiers as the earlier table *released* them:
the values of the person's first *kept* row there (``pipeline.anonymise.linked.linked_release``). Which
row that is depends on the earlier table's search, which is redone in the joined-view rounds; so the first
pass cannot record the linked values themselves. It records what does not change: per person, their
distinct leaf-code tuples in the order of their first row (:class:`PersonLinks`). A person with one tuple
(one row, or several rows alike: nearly everyone) is that tuple's number; the few with several share an id
per distinct ordered list. A later row carries that id (``link``, -1 when the person is not in the earlier
table), and each round resolves an id to the first tuple of its list that the earlier release kept
(:meth:`PersonLinks.resolve`): exactly the first kept row's values.

Memory: 12 bytes per person of the earlier table (a sorted 64-bit person hash and a 32-bit id), plus the
lists of the persons with several tuples. This grows with the persons, as the first pass's person pairs
already do (16 bytes each); a later step can bucket both by person hash on disk (an external hash join) to
make the memory flat in the rows. The person hash is :func:`~pipeline.stream.first_pass.person_hashes` of
the normalised person key, the same function in both tables, so equal keys meet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The histogram column of a later table that holds each row's link id (not a column of any input).
LINK = "__link__"


@dataclass
class PersonLinks:
    """Per person of an earlier table (``table``), the id of their ordered list of tuples."""

    table: str
    #: the earlier table's person key column (input name), what a later table must share to be joined
    person_key: str
    #: sorted distinct person hashes and, aligned, each person's list id
    persons: np.ndarray
    ids: np.ndarray
    #: tuples of the earlier table (rows of its ``TableStats.persons``); ids below this are single tuples
    n_tuples: int
    #: id - n_tuples → that list's tuples (rows of ``persons``) in the order of their first row
    lists: list[np.ndarray]
    #: per person (aligned with ``persons``): the 32-bit hash of a carried column's value at their first row
    #: (:func:`~pipeline.stream.first_pass.value_hashes`), when the pass carried one; taken by the first
    #: pass right after (the research questions' product mix), never sent to a worker
    first_values: np.ndarray | None = None

    @property
    def n_ids(self) -> int:
        return self.n_tuples + len(self.lists)

    def lookup(self, person: np.ndarray) -> np.ndarray:
        """Each row's list id from its person hash; -1 for a person the earlier table does not hold."""
        person = np.asarray(person, dtype=np.uint64)
        if not len(self.persons):
            return np.full(len(person), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.persons, person), len(self.persons) - 1)
        return np.where(self.persons[at] == person, self.ids[at], -1).astype(np.int64)

    def first_tuples(self) -> np.ndarray:
        """Per person (aligned with ``persons``): the tuple of their first row (the first of their list)."""
        heads = np.array([t[0] for t in self.lists], dtype=np.int64)
        ids = self.ids.astype(np.int64)
        single = ids < self.n_tuples
        return np.where(single, ids, heads[np.where(single, 0, ids - self.n_tuples)] if len(heads) else ids)

    def resolve(self, kept_tuple: np.ndarray) -> np.ndarray:
        """Per list id, the first of its tuples the earlier release kept (a row of its ``persons``), or -1
        when it kept none (the person was suppressed there). ``kept_tuple``: per tuple, kept or not."""
        kept_tuple = np.asarray(kept_tuple, dtype=bool)
        single = np.where(kept_tuple, np.arange(self.n_tuples), -1)
        multi = np.full(len(self.lists), -1, dtype=np.int64)
        for i, tuples in enumerate(self.lists):
            hit = tuples[kept_tuple[tuples]]
            if len(hit):
                multi[i] = hit[0]
        return np.concatenate([single, multi]).astype(np.int64)


def person_links(table: str, person_key: str, person_pairs: pd.DataFrame, n_tuples: int) -> PersonLinks:
    """Build the links from an earlier table's distinct (``t``: tuple, ``p``: person hash, ``row``: the
    pair's first row; ``v``, if there: a carried value's hash at that row) pairs, vectorised; only the
    persons with several tuples are grouped in Python."""
    t = person_pairs["t"].to_numpy(dtype=np.int64)
    p = person_pairs["p"].to_numpy(dtype=np.uint64)
    row = person_pairs["row"].to_numpy(dtype=np.int64)
    order = np.lexsort((row, p))
    t, p = t[order], p[order]
    carried = person_pairs["v"].to_numpy()[order] if "v" in person_pairs else None
    first = np.ones(len(p), dtype=bool)
    first[1:] = p[1:] != p[:-1]
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, len(p)))
    ids = t[starts].copy()
    lists: list[np.ndarray] = []
    multi = np.flatnonzero(sizes > 1)
    if len(multi):
        keys = [tuple(t[starts[i]:starts[i] + sizes[i]]) for i in multi]
        codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
        ids[multi] = n_tuples + codes
        lists = [np.asarray(u, dtype=np.int64) for u in uniques]
    return PersonLinks(table, person_key, p[starts], ids.astype(np.int32), n_tuples, lists,
                       None if carried is None else carried[starts])
