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


def risk_profile(class_id: np.ndarray, person: np.ndarray | None, threshold: float) -> dict:
    """Risk figures over the kept rows (``class_id >= 0``); suppressed rows carry no risk."""
    class_id = np.asarray(class_id)
    kept = class_id >= 0
    cls = class_id[kept].astype(np.int64)
    empty = {"prosecutor_max": 0.0, "prosecutor_avg": 0.0, "records_at_risk": 0.0, "sample_uniques": 0.0,
             "marketer": 0.0, "threshold": threshold, "records": 0, "classes": 0}
    if len(cls) == 0:
        return empty
    _, cls = np.unique(cls, return_inverse=True)
    n_classes = int(cls.max()) + 1
    if person is None:
        size = np.bincount(cls, minlength=n_classes)
        risk = 1.0 / size[cls]
        records = len(cls)
    else:
        _, pcode = np.unique(np.asarray(person)[kept], return_inverse=True)
        n_persons = int(pcode.max()) + 1
        pairs = sorted_unique(cls * n_persons + pcode)
        size = np.bincount(pairs // n_persons, minlength=n_classes)
        row_risk = 1.0 / size[cls]
        risk = np.zeros(n_persons)
        np.maximum.at(risk, pcode, row_risk)
        records = n_persons
    return {
        "prosecutor_max": float(risk.max()),
        "prosecutor_avg": float(risk.mean()),
        "records_at_risk": float((risk > threshold).mean()),
        "sample_uniques": float((risk >= 1.0).mean()),
        "marketer": float(min(n_classes, records) / records),
        "threshold": threshold,
        "records": int(records),
        "classes": n_classes,
    }


def risk_profile_entries(class_id: np.ndarray, rows: np.ndarray,
                         pairs: tuple[np.ndarray, np.ndarray] | None, threshold: float) -> dict:
    """:func:`risk_profile` on histogram entries instead of rows (the streaming path): ``class_id`` per entry
    (-1: suppressed), ``rows`` per entry, and with persons their (entry, person) pairs (an entry holding the
    person's tuple; duplicates allowed). Equal to :func:`risk_profile` on the rows the entries stand for."""
    class_id = np.asarray(class_id, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    kept = (class_id >= 0) & (rows > 0)
    empty = {"prosecutor_max": 0.0, "prosecutor_avg": 0.0, "records_at_risk": 0.0, "sample_uniques": 0.0,
             "marketer": 0.0, "threshold": threshold, "records": 0, "classes": 0}
    if not kept.any():
        return empty
    _, cls = np.unique(class_id[kept], return_inverse=True)
    n_classes = int(cls.max()) + 1
    if pairs is None:
        size = np.bincount(cls, weights=rows[kept], minlength=n_classes)  # rows per class
        risk = 1.0 / size
        records = int(rows[kept].sum())
        at = size / records  # share of the records in each class
        return {
            "prosecutor_max": float(risk.max()),
            "prosecutor_avg": float((risk * at).sum()),
            "records_at_risk": float(at[risk > threshold].sum()),
            "sample_uniques": float(at[risk >= 1.0].sum()),
            "marketer": float(min(n_classes, records) / records),
            "threshold": threshold,
            "records": records,
            "classes": n_classes,
        }
    entry_class = np.full(len(class_id), -1, dtype=np.int64)
    entry_class[kept] = cls
    pair_class = entry_class[np.asarray(pairs[0], dtype=np.int64)]
    mine = pair_class >= 0
    _, pcode = np.unique(np.asarray(pairs[1])[mine], return_inverse=True)
    n_persons = int(pcode.max()) + 1
    distinct = sorted_unique(pair_class[mine] * n_persons + pcode)
    size = np.bincount(distinct // n_persons, minlength=n_classes)
    risk = np.zeros(n_persons)
    np.maximum.at(risk, distinct % n_persons, 1.0 / size[distinct // n_persons])
    return {
        "prosecutor_max": float(risk.max()),
        "prosecutor_avg": float(risk.mean()),
        "records_at_risk": float((risk > threshold).mean()),
        "sample_uniques": float((risk >= 1.0).mean()),
        "marketer": float(min(n_classes, n_persons) / n_persons),
        "threshold": threshold,
        "records": n_persons,
        "classes": n_classes,
    }
