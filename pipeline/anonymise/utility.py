"""Measured utility of the assembled release, recorded in each table's metrics (``utility``) for the manifest
and the report: per quasi-identifier the share of the input rows released at each level (and suppressed), and
on the person table the standard research questions answered on input and release
(``pipeline.metrics.research_questions``)."""

from __future__ import annotations

from pipeline import progress
from pipeline.metrics.research_questions import input_side, research_questions
from pipeline.metrics.utility import level_shares
from pipeline.prepare import Prepared
from pipeline.release.candidate import TableResult


def record_utility(prepared: Prepared, results: dict[str, TableResult]) -> None:
    """Add ``metrics["utility"]`` to every table of ``results``."""
    with progress.phase("utility"):
        for t in results.values():
            levels = {name: level_shares(t.data[name], t.hierarchies[name], t.rows_in)
                      for name in t.quasi_identifiers}
            t.metrics["utility"] = {
                "suppressed_share": float(t.suppressed_rows / t.rows_in) if t.rows_in else 0.0,
                "levels": levels,
            }
        product = prepared.config.utility.product
        person, questions = research_questions(input_side(prepared, product), results, product)
        if person is not None and questions:
            results[person].metrics["utility"]["questions"] = questions
