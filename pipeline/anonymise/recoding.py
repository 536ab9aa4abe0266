"""``privacy.recoding: auto``: release with local recoding where it answers the analysts' questions without
bias, else with global recoding.

Local recoding keeps age band, sex and prefecture for most rows where global recoding coarsens a column for
everyone, but a release whose columns are at several levels answers a question only from the rows released at
its level; on a small extract those rows are not like the rest (a prefecture is kept for its dense age
groups, whose claim rate is not the prefecture's) and the answer is biased. Measured with the demo config
(README "What bias remains"): 5,000 policyholders, claim rate by 居住地 off by 26–29 % under local,
2.7 % under global (at 地方); 20,000: 3 % under local at 都道府県 for 89 % of rows, global only at 地方;
100,000: 0.6 %.

So both are computed, each answers the standard research questions (``pipeline.metrics.research_questions``),
and local is kept when each claim-rate question's mean relative error is at most :data:`MAX_ERROR`, or no
worse than global's. The choice and both errors are recorded in ``search.recoding`` of every table. Both
candidates meet every privacy model; the choice only picks between two safe releases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pipeline import progress
from pipeline.errors import PrivacyError
from pipeline.prepare import Prepared
from pipeline.release.candidate import TableResult

#: A local release is kept when its claim-rate answers are off by at most this (mean relative error), or no
#: more than the global release's.
MAX_ERROR = 0.05


def with_recoding(prepared: Prepared, recoding: str) -> Prepared:
    privacy = replace(prepared.config.privacy, recoding=recoding)
    return Prepared(replace(prepared.config, privacy=privacy), prepared.tables)


def claim_rate_errors(results: dict[str, TableResult]) -> dict[str, float | None]:
    """Question → mean relative error of each claim-rate question (None: not answerable)."""
    out: dict[str, float | None] = {}
    for t in results.values():
        for q in t.metrics.get("utility", {}).get("questions", []):
            if q["question"].startswith("claim rate"):
                out[q["question"]] = q.get("mean_relative_error") if q.get("answerable", True) else None
    return out


def choose(global_errors: dict[str, float | None], local_errors: dict[str, float | None]) -> bool:
    """True when the local release's claim-rate answers are good enough (see the module docstring)."""
    if not local_errors:
        return False
    for question, err in local_errors.items():
        other = global_errors.get(question)
        if err is None or err > max(MAX_ERROR, other if other is not None else 0.0):
            return False
    return True


def anonymise_auto(prepared: Prepared, run: Callable[[Prepared], dict[str, TableResult]],
                   global_results: dict[str, TableResult] | None = None) -> dict[str, TableResult]:
    """Both recodings of ``prepared`` (``run`` anonymises one), the chosen one returned. Without a table
    linked to an earlier one by a person key there is no claim-rate question to judge by: global only.
    ``global_results``: the global release of this very ``prepared``, when the caller has it already (the
    search is deterministic: it would be found again)."""
    if global_results is None:
        with progress.phase("recoding: global"):
            global_results = run(with_recoding(prepared, "global"))
    keys = [t.spec.person_key for t in prepared.tables.values() if t.spec.person_key]
    if len(keys) == len(set(keys)):
        record = {"mode": "auto", "chosen": "global", "max_error": MAX_ERROR, "claim_rate_error": {},
                  "reason": "no linked tables: no claim-rate question to judge local recoding by"}
        for t in global_results.values():
            t.metrics["search"]["recoding"] = record
        return global_results
    try:
        with progress.phase("recoding: local"):
            local_results: dict[str, TableResult] | None = run(with_recoding(prepared, "local"))
    except PrivacyError:
        local_results = None
    errors: dict[str, Any] = {"global": claim_rate_errors(global_results)}
    keep_local = False
    if local_results is not None:
        errors["local"] = claim_rate_errors(local_results)
        keep_local = choose(errors["global"], errors["local"])
    chosen = local_results if keep_local and local_results is not None else global_results
    record = {"mode": "auto", "chosen": "local" if keep_local else "global", "max_error": MAX_ERROR,
              "claim_rate_error": errors}
    for t in chosen.values():
        t.metrics["search"]["recoding"] = record
    return chosen
