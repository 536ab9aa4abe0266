"""Condense GX results into what the pipeline reports: counts and the names of failed rules, never values."""

from __future__ import annotations

from typing import Any

from pipeline.validation.expectations import EXPECTATIONS

#: Result keys that hold counts (safe to report) for each kind of expectation.
_COUNT_KEYS = ("unexpected_count", "failing_classes", "rare_values", "classes")


def _target(kwargs: dict[str, Any]) -> str:
    if "column" in kwargs:
        return f"column {kwargs['column']}"
    if "sensitive" in kwargs:
        qis = ", ".join(kwargs.get("quasi_identifiers", []))
        return f"column {kwargs['sensitive']} within classes over {qis}"
    if "quasi_identifiers" in kwargs:
        return f"quasi-identifiers {', '.join(kwargs['quasi_identifiers']) or '(none)'}"
    return "the table"


def failures(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per failed expectation: table, rule, target, counts."""
    out = []
    for run in results["validations"]:
        for r in run["results"]:
            if r["success"]:
                continue
            config = r["expectation_config"]
            cls = EXPECTATIONS.get(config["type"])
            result = r.get("result") or {}
            raised = bool((r.get("exception_info") or {}).get("raised_exception"))
            out.append(
                {
                    "table": run["table"],
                    "expectation": config["type"],
                    "rule": getattr(cls, "business_name", "") or config["type"],
                    "target": _target(config.get("kwargs", {})),
                    "counts": {k: result[k] for k in _COUNT_KEYS if isinstance(result.get(k), int | float)},
                    "error": raised,
                }
            )
    return out


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    evaluated = sum(len(run["results"]) for run in results["validations"])
    failed = failures(results)
    return {
        "success": not failed,
        "evaluated": evaluated,
        "successful": evaluated - len(failed),
        "failed": failed,
    }


def describe_failure(f: dict[str, Any]) -> str:
    """``table claims, column 職業: no phone number (unexpected_count 3)``."""
    counts = ", ".join(f"{k} {v}" for k, v in f["counts"].items() if k != "classes")
    extra = " (the check raised an error)" if f["error"] else (f" ({counts})" if counts else "")
    return f"table {f['table']}, {f['target']}: {f['rule']} [{f['expectation']}] failed{extra}"
