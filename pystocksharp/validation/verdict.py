"""Final verdict per candidate: pass / warn / fail with reasons, from configurable thresholds.

Each supplied statistic becomes one :class:`~pystocksharp.validation.models.VerdictCheck`;
the verdict's status is the worst of its checks (fail > warn > pass) and its reasons are the
reasons of the checks that did not pass. Statistics not supplied are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from pydantic import BaseModel, Field, model_validator

from pystocksharp.validation.models import HoldoutCheck, Status, Verdict, VerdictCheck, WalkForwardResult

_SEVERITY: dict[Status, int] = {"pass": 0, "warn": 1, "fail": 2}


class VerdictThresholds(BaseModel):
    """Limits of the checks (probabilities and returns as fractions)."""

    pbo_warn: float = Field(default=0.3, description="warn when PBO > this")
    pbo_fail: float = Field(default=0.5, description="fail when PBO > this")
    dsr_warn: float = Field(default=0.95, description="warn when the deflated Sharpe probability < this")
    dsr_fail: float = Field(default=0.90, description="fail when the deflated Sharpe probability < this")
    wfe_warn: float = Field(default=0.5, description="warn when walk-forward efficiency < this")
    wfe_fail: float = Field(default=0.25, description="fail when walk-forward efficiency < this")
    plateau_warn: float = Field(default=0.5, description="warn when the mean IS plateau ratio < this")
    ruin_warn: float = Field(default=0.01, description="warn when the probability of ruin > this")
    ruin_fail: float = Field(default=0.05, description="fail when the probability of ruin > this")

    @model_validator(mode="after")
    def _ordered(self) -> VerdictThresholds:
        pairs = (
            ("pbo_warn", "pbo_fail"),
            ("dsr_fail", "dsr_warn"),
            ("wfe_fail", "wfe_warn"),
            ("ruin_warn", "ruin_fail"),
        )
        wrong = [
            f"{lo} ({getattr(self, lo)}) must be <= {hi} ({getattr(self, hi)})"
            for lo, hi in pairs
            if getattr(self, lo) > getattr(self, hi)
        ]
        if wrong:
            raise ValueError("; ".join(wrong))
        return self


class HoldoutThresholds(BaseModel):
    """The holdout passes when every set limit holds (None = not checked)."""

    min_total_return: float | None = Field(default=0.0, description="total_return must be > this")
    min_sharpe_ratio: float | None = Field(
        default=0.0, description="sharpe_ratio (annualized) must be > this"
    )
    max_drawdown: float | None = Field(default=-0.5, description="max_drawdown (<= 0) must be >= this")


def _above(name: str, value: float, warn: float, fail: float, what: str) -> VerdictCheck:
    """Check where larger values are worse."""
    status: Status = "fail" if value > fail else "warn" if value > warn else "pass"
    limit = fail if status == "fail" else warn
    reason = f"{what} {value:.3f} > {limit:g}" if status != "pass" else f"{what} {value:.3f} <= {warn:g}"
    return VerdictCheck(
        check=name, value=value, threshold=f"warn > {warn:g}, fail > {fail:g}", status=status, reason=reason
    )


def _below(name: str, value: float, warn: float, fail: float, what: str) -> VerdictCheck:
    """Check where smaller values are worse."""
    status: Status = "fail" if value < fail else "warn" if value < warn else "pass"
    limit = fail if status == "fail" else warn
    reason = f"{what} {value:.3f} < {limit:g}" if status != "pass" else f"{what} {value:.3f} >= {warn:g}"
    return VerdictCheck(
        check=name, value=value, threshold=f"warn < {warn:g}, fail < {fail:g}", status=status, reason=reason
    )


def _walk_forward_checks(result: WalkForwardResult, t: VerdictThresholds) -> list[VerdictCheck]:
    checks: list[VerdictCheck] = []
    wfe = result.walk_forward_efficiency
    if wfe is None:
        checks.append(
            VerdictCheck(
                check="walk_forward_efficiency",
                value=None,
                threshold=f"warn < {t.wfe_warn:g}, fail < {t.wfe_fail:g}",
                status="fail",
                reason="in-sample annualized return <= 0: nothing for out-of-sample to confirm",
            )
        )
    else:
        checks.append(
            _below("walk_forward_efficiency", wfe, t.wfe_warn, t.wfe_fail, "walk-forward efficiency")
        )
    ratio = result.stability.mean_plateau_ratio
    if ratio is not None:
        status: Status = "warn" if ratio < t.plateau_warn else "pass"
        checks.append(
            VerdictCheck(
                check="plateau_ratio",
                value=ratio,
                threshold=f"warn < {t.plateau_warn:g}",
                status=status,
                reason=f"IS grid neighbours reach {ratio:.2f} of the chosen value"
                + (" (isolated peak)" if status == "warn" else ""),
            )
        )
    return checks


def evaluate_holdout(
    metrics: Mapping[str, float | None], thresholds: HoldoutThresholds | None = None
) -> HoldoutCheck:
    """Judge holdout ``metrics`` (total_return, sharpe_ratio, max_drawdown) against thresholds;
    a checked metric that is missing fails."""
    t = thresholds or HoldoutThresholds()
    reasons: list[str] = []
    limits = (
        ("total_return", t.min_total_return, lambda v, lim: v > lim, ">"),
        ("sharpe_ratio", t.min_sharpe_ratio, lambda v, lim: v > lim, ">"),
        ("max_drawdown", t.max_drawdown, lambda v, lim: v >= lim, ">="),
    )
    for name, limit, ok, sign in limits:
        if limit is None:
            continue
        value = metrics.get(name)
        if value is None:
            reasons.append(f"holdout {name} missing")
        elif not ok(value, limit):
            reasons.append(f"holdout {name} {value:.4f} not {sign} {limit:g}")
    return HoldoutCheck(passed=not reasons, metrics=dict(metrics), reasons=reasons)


def verdict(
    candidate: str,
    *,
    pbo: float | None = None,
    deflated_sharpe_ratio: float | None = None,
    walk_forward: WalkForwardResult | None = None,
    holdout: HoldoutCheck | None = None,
    ruin_probability: float | None = None,
    thresholds: VerdictThresholds | None = None,
) -> Verdict:
    """Combine the supplied statistics into one verdict (see :class:`VerdictThresholds`)."""
    t = thresholds or VerdictThresholds()
    checks: list[VerdictCheck] = []
    if pbo is not None:
        checks.append(_above("pbo", pbo, t.pbo_warn, t.pbo_fail, "probability of backtest overfitting"))
    if deflated_sharpe_ratio is not None:
        checks.append(
            _below(
                "deflated_sharpe_ratio",
                deflated_sharpe_ratio,
                t.dsr_warn,
                t.dsr_fail,
                "deflated Sharpe probability",
            )
        )
    if walk_forward is not None:
        checks.extend(_walk_forward_checks(walk_forward, t))
    if holdout is not None:
        checks.append(
            VerdictCheck(
                check="holdout",
                value=1.0 if holdout.passed else 0.0,
                threshold="pass",
                status="pass" if holdout.passed else "fail",
                reason="holdout passed" if holdout.passed else "; ".join(holdout.reasons),
            )
        )
    if ruin_probability is not None:
        checks.append(
            _above("probability_of_ruin", ruin_probability, t.ruin_warn, t.ruin_fail, "probability of ruin")
        )
    if not checks:
        return Verdict(
            candidate=candidate, status="warn", reasons=["no validation statistics supplied"], checks=[]
        )
    status = max((c.status for c in checks), key=_SEVERITY.__getitem__)
    return Verdict(
        candidate=candidate,
        status=status,
        reasons=[c.reason for c in checks if c.status != "pass"],
        checks=checks,
    )


def rank_verdicts(verdicts: Sequence[Verdict], scores: Mapping[str, float] | None = None) -> list[Verdict]:
    """Candidates ordered pass, warn, fail; within a status by ``scores[candidate]`` descending
    (e.g. the deflated Sharpe probability: the overfitting-penalized rank), then by name."""
    scores = scores or {}
    return sorted(
        verdicts, key=lambda v: (_SEVERITY[v.status], -scores.get(v.candidate, float("-inf")), v.candidate)
    )


def checks_table(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """One row per check of every verdict: candidate, check, value, threshold, status, reason."""
    rows = [{"candidate": v.candidate, **c.model_dump()} for v in verdicts for c in v.checks]
    columns = ["candidate", "check", "value", "threshold", "status", "reason"]
    return pd.DataFrame(rows, columns=columns)
