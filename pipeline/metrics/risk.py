"""Re-identification risk of a released table from its equivalence classes (El Emam 2013; ARX's risk model).

- prosecutor risk of a record: 1 / (persons in its class): the attacker knows the person is in the data.
  Reported as the maximum and the average over records.
- records at risk: share of records whose prosecutor risk exceeds the threshold.
- sample uniques: share of records alone (one person) in their class.
- marketer risk: expected share of records re-identified when the attacker tries to link every record:
  classes / records.

With ``person`` given (several rows per person), every figure is per person: a person's risk is the
highest risk over their rows, and class sizes count distinct persons.
"""

from __future__ import annotations

import numpy as np

from pipeline.histogram import sorted_unique


def _empty(threshold: float) -> dict:
    return {"prosecutor_max": 0.0, "prosecutor_avg": 0.0, "records_at_risk": 0.0, "sample_uniques": 0.0,
            "marketer": 0.0, "threshold": threshold, "records": 0, "classes": 0}


def _figures(risk: np.ndarray, n_classes: int, records: int, threshold: float,
             share: np.ndarray | None = None) -> dict:
    """The figures from each record's risk (``share``: when ``risk`` is per class, each class's share of the
    records)."""
    if share is None:
        avg, at_risk, uniques = risk.mean(), (risk > threshold).mean(), (risk >= 1.0).mean()
    else:
        avg, at_risk, uniques = (risk * share).sum(), share[risk > threshold].sum(), share[risk >= 1.0].sum()
    return {
        "prosecutor_max": float(risk.max()),
        "prosecutor_avg": float(avg),
        "records_at_risk": float(at_risk),
        "sample_uniques": float(uniques),
        "marketer": float(min(n_classes, records) / records),
        "threshold": threshold,
        "records": int(records),
        "classes": n_classes,
    }


def _person_risk(pair_class: np.ndarray, person: np.ndarray, n_classes: int) -> np.ndarray:
    """Each person's highest risk over their (class, person) pairs (duplicates allowed); class sizes count
    distinct persons."""
    _, pcode = np.unique(person, return_inverse=True)
    n_persons = int(pcode.max()) + 1
    distinct = sorted_unique(pair_class * n_persons + pcode)
    size = np.bincount(distinct // n_persons, minlength=n_classes)
    risk = np.zeros(n_persons)
    np.maximum.at(risk, distinct % n_persons, 1.0 / size[distinct // n_persons])
    return risk


def risk_profile(class_id: np.ndarray, person: np.ndarray | None, threshold: float) -> dict:
    """Risk figures over the kept rows (``class_id >= 0``); suppressed rows carry no risk."""
    class_id = np.asarray(class_id)
    kept = class_id >= 0
    cls = class_id[kept].astype(np.int64)
    if len(cls) == 0:
        return _empty(threshold)
    _, cls = np.unique(cls, return_inverse=True)
    n_classes = int(cls.max()) + 1
    if person is None:
        risk = 1.0 / np.bincount(cls, minlength=n_classes)[cls]
    else:
        risk = _person_risk(cls, np.asarray(person)[kept], n_classes)
    return _figures(risk, n_classes, len(risk), threshold)


def risk_profile_entries(class_id: np.ndarray, rows: np.ndarray,
                         pairs: tuple[np.ndarray, np.ndarray] | None, threshold: float) -> dict:
    """:func:`risk_profile` on histogram entries instead of rows (the streaming path): ``class_id`` per entry
    (-1: suppressed), ``rows`` per entry, and with persons their (entry, person) pairs (an entry holding the
    person's tuple; duplicates allowed). Equal to :func:`risk_profile` on the rows the entries stand for."""
    class_id = np.asarray(class_id, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    kept = (class_id >= 0) & (rows > 0)
    if not kept.any():
        return _empty(threshold)
    _, cls = np.unique(class_id[kept], return_inverse=True)
    n_classes = int(cls.max()) + 1
    if pairs is None:
        size = np.bincount(cls, weights=rows[kept], minlength=n_classes)  # rows per class
        records = int(rows[kept].sum())
        return _figures(1.0 / size, n_classes, records, threshold, share=size / records)
    entry_class = np.full(len(class_id), -1, dtype=np.int64)
    entry_class[kept] = cls
    pair_class = entry_class[np.asarray(pairs[0], dtype=np.int64)]
    mine = pair_class >= 0
    risk = _person_risk(pair_class[mine], np.asarray(pairs[1])[mine], n_classes)
    return _figures(risk, n_classes, len(risk), threshold)
