"""``privacy.recoding: auto`` (``pipeline.anonymise.recoding``): local recoding is kept only when its
claim-rate answers are off by at most 5 % or no more than global's; the choice and both errors are recorded,
and the release returned is the chosen one (a global release has one level per column)."""

from __future__ import annotations

from pipeline.anonymise import anonymise_prepared
from pipeline.anonymise.recoding import MAX_ERROR, choose, with_recoding

Q_AGE, Q_PLACE = "claim rate by 年齢 × 性別", "claim rate by 居住地"


def test_local_is_kept_only_when_its_claim_rates_are_not_biased() -> None:
    good = {Q_AGE: 0.016, Q_PLACE: 0.033}
    assert choose({Q_AGE: 0.029, Q_PLACE: 0.037}, good)
    # one question off by more than 5 % and more than global: global
    assert not choose({Q_AGE: 0.027, Q_PLACE: 0.027}, {Q_AGE: 0.118, Q_PLACE: 0.256})
    assert not choose({Q_AGE: 0.01, Q_PLACE: 0.01}, {Q_AGE: 0.01, Q_PLACE: MAX_ERROR + 0.001})
    # worse than 5 % but no worse than global's own error: local is not the cause
    assert choose({Q_AGE: 0.09, Q_PLACE: 0.2}, {Q_AGE: 0.08, Q_PLACE: 0.2})
    # a question local cannot answer, or no question at all: global
    assert not choose({Q_AGE: 0.02}, {Q_AGE: None})
    assert not choose({}, {})


def test_auto_returns_the_chosen_release_and_records_both(prepared) -> None:
    auto = with_recoding(prepared, "auto")
    results = anonymise_prepared(auto)
    record = results["claims"].metrics["search"]["recoding"]
    assert record["mode"] == "auto" and record["chosen"] in ("global", "local")
    errors = record["claim_rate_error"]
    assert set(errors) == {"global", "local"} and Q_AGE in errors["global"]
    assert record["chosen"] == ("local" if choose(errors["global"], errors["local"]) else "global")
    assert results["policyholders"].metrics["search"]["recoding"] == record
    reference = anonymise_prepared(with_recoding(prepared, record["chosen"]))
    for name, t in results.items():
        assert t.levels == reference[name].levels
        assert bool(t.level_shares) == (record["chosen"] == "local")
        assert len(t.data) == len(reference[name].data)


def test_without_linked_tables_auto_is_global_without_a_second_search(prepared) -> None:
    from pipeline.anonymise.recoding import anonymise_auto
    from pipeline.prepare import Prepared

    alone = Prepared(prepared.config, {"policyholders": prepared.tables["policyholders"]})
    runs: list[str] = []

    def run(p: Prepared):
        runs.append(p.config.privacy.recoding)
        return anonymise_prepared(p)

    results = anonymise_auto(with_recoding(alone, "auto"), run)
    assert runs == ["global"]
    record = results["policyholders"].metrics["search"]["recoding"]
    assert record["chosen"] == "global" and record["claim_rate_error"] == {}
    assert "no linked" in record["reason"]
    assert not results["policyholders"].level_shares
