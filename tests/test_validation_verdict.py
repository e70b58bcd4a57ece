"""Verdicts: each check's status and reason, worst-status rule, holdout thresholds, ranking."""

from __future__ import annotations

import pandas as pd
import pydantic
import pytest

from pystocksharp.validation.models import HoldoutCheck, ParameterStability, WalkForwardResult
from pystocksharp.validation.verdict import (
    HoldoutThresholds,
    VerdictThresholds,
    checks_table,
    evaluate_holdout,
    rank_verdicts,
    verdict,
)


def _wf(efficiency: float | None, plateau: float | None = None) -> WalkForwardResult:
    return WalkForwardResult(
        windows=[],
        anchored=False,
        rank="sharpe_ratio:desc",
        walk_forward_efficiency=efficiency,
        oos_metrics={},
        is_annualized_return=0.2,
        stability=ParameterStability(movement={}, mean_movement=None, mean_plateau_ratio=plateau),
        oos_equity=pd.Series(dtype=float),
    )


def test_all_checks_pass() -> None:
    v = verdict(
        "sma(10,30)",
        pbo=0.1,
        deflated_sharpe_ratio=0.99,
        walk_forward=_wf(0.8, plateau=0.9),
        holdout=HoldoutCheck(passed=True, metrics={}, reasons=[]),
        ruin_probability=0.0,
    )
    assert v.status == "pass"
    assert v.reasons == []
    assert [c.check for c in v.checks] == [
        "pbo",
        "deflated_sharpe_ratio",
        "walk_forward_efficiency",
        "plateau_ratio",
        "holdout",
        "probability_of_ruin",
    ]


def test_overfit_candidate_fails_with_every_reason() -> None:
    v = verdict("noise", pbo=0.62, deflated_sharpe_ratio=0.41, walk_forward=_wf(0.1))
    assert v.status == "fail"
    assert v.reasons == [
        "probability of backtest overfitting 0.620 > 0.5",
        "deflated Sharpe probability 0.410 < 0.9",
        "walk-forward efficiency 0.100 < 0.25",
    ]


def test_warn_levels_and_worst_status() -> None:
    # PBO 0.4: above warn 0.3, not above fail 0.5; DSR 0.93 between fail 0.90 and warn 0.95
    v = verdict("x", pbo=0.4, deflated_sharpe_ratio=0.93)
    assert [c.status for c in v.checks] == ["warn", "warn"]
    assert v.status == "warn"
    v = verdict("x", pbo=0.4, ruin_probability=0.2)
    assert v.status == "fail"
    assert v.reasons[-1] == "probability of ruin 0.200 > 0.05"


def test_undefined_efficiency_fails_and_isolated_peak_warns() -> None:
    v = verdict("x", walk_forward=_wf(None, plateau=0.3))
    assert [(c.check, c.status) for c in v.checks] == [
        ("walk_forward_efficiency", "fail"),
        ("plateau_ratio", "warn"),
    ]


def test_custom_thresholds() -> None:
    strict = VerdictThresholds(pbo_warn=0.05, pbo_fail=0.1)
    assert verdict("x", pbo=0.2, thresholds=strict).status == "fail"
    assert verdict("x", pbo=0.2).status == "pass"  # default warn above 0.3


def test_nothing_supplied_warns() -> None:
    v = verdict("x")
    assert v.status == "warn" and v.reasons == ["no validation statistics supplied"]


def test_holdout_thresholds() -> None:
    ok = evaluate_holdout({"total_return": 0.05, "sharpe_ratio": 0.8, "max_drawdown": -0.1})
    assert ok.passed and ok.reasons == []
    bad = evaluate_holdout({"total_return": -0.02, "max_drawdown": -0.6})
    assert not bad.passed
    assert bad.reasons == [
        "holdout total_return -0.0200 not > 0",
        "holdout sharpe_ratio missing",
        "holdout max_drawdown -0.6000 not >= -0.5",
    ]
    relaxed = HoldoutThresholds(min_sharpe_ratio=None, max_drawdown=None, min_total_return=-0.05)
    assert evaluate_holdout({"total_return": -0.02}, relaxed).passed
    failed = verdict("x", holdout=bad)
    assert failed.status == "fail" and failed.reasons == ["; ".join(bad.reasons)]


def test_rank_verdicts_by_status_then_score() -> None:
    a = verdict("a", pbo=0.1)
    b = verdict("b", pbo=0.2)
    c = verdict("c", pbo=0.9)
    d = verdict("d", pbo=0.4)
    ranked = rank_verdicts([c, d, a, b], scores={"a": 0.7, "b": 0.95, "c": 0.99})
    assert [v.candidate for v in ranked] == ["b", "a", "d", "c"]


def test_inconsistent_thresholds_rejected_all_at_once() -> None:
    with pytest.raises(pydantic.ValidationError) as err:
        VerdictThresholds(pbo_warn=0.6, pbo_fail=0.5, dsr_fail=0.99, dsr_warn=0.95)
    assert "pbo_warn (0.6) must be <= pbo_fail (0.5)" in str(err.value)
    assert "dsr_fail (0.99) must be <= dsr_warn (0.95)" in str(err.value)


def test_checks_table() -> None:
    table = checks_table([verdict("a", pbo=0.1), verdict("b", pbo=0.7, deflated_sharpe_ratio=0.99)])
    assert list(table.columns) == ["candidate", "check", "value", "threshold", "status", "reason"]
    assert table[["candidate", "check", "status"]].values.tolist() == [
        ["a", "pbo", "pass"],
        ["b", "pbo", "fail"],
        ["b", "deflated_sharpe_ratio", "pass"],
    ]
    assert table["value"].tolist() == [0.1, 0.7, 0.99]
