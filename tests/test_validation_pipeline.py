"""The validation chain end to end without the engine: a grid of 40 seeded return streams
stands in for 40 backtested combinations. On pure noise the best combination must fail every
test; on a planted edge shared smoothly by the grid it must pass. (The engine-driven version
with real SMA backtests lives with the CLI pipeline.)"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pystocksharp.validation import (
    HoldoutThresholds,
    OptimizationOutcome,
    Partitions,
    RunOutcome,
    deflated_sharpe,
    evaluate_holdout,
    monte_carlo,
    probability_of_backtest_overfitting,
    run_holdout,
    verdict,
    walk_forward,
)

N_COMBOS = 40
N_BARS = 2520  # ten years of business days


def _returns(edge: bool, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2010-01-01", periods=N_BARS, freq="B", tz="UTC", name="timestamp")
    drift = np.zeros(N_COMBOS)
    if edge:
        p = np.arange(N_COMBOS)
        drift = 0.002 + 0.001 * np.exp(-((p - 20) ** 2) / 50.0)  # every combination profits, best near p = 20
    data = rng.normal(0.0, 0.01, size=(N_BARS, N_COMBOS)) + drift
    return pd.DataFrame(data, index=index, columns=[f"p{p}" for p in range(N_COMBOS)])


def _sharpes(returns: pd.DataFrame) -> pd.Series:
    return returns.mean() / returns.std(ddof=1)


def _equity(returns: pd.Series) -> pd.Series:
    return 1000.0 * (1.0 + returns).cumprod()


def _optimize(train: pd.DataFrame) -> OptimizationOutcome:
    sharpe = _sharpes(train)
    best = sharpe.idxmax()
    grid = pd.DataFrame({"p": np.arange(N_COMBOS), "sharpe_ratio": sharpe.to_numpy()})
    return OptimizationOutcome(
        best_params={"p": int(best[1:])}, equity=_equity(train[best]), start_equity=1000.0, grid=grid
    )


def _run(test: pd.DataFrame, params: dict[str, Any]) -> RunOutcome:
    column = test[f"p{params['p']}"]
    return RunOutcome(equity=_equity(column), start_equity=1000.0, trade_returns=column.to_numpy())


def _validate(frame: pd.DataFrame) -> dict[str, Any]:
    parts = Partitions.build(frame, train="2y", test="6m", holdout="2y")
    selection = parts.selection_view(frame)  # PBO and DSR never see the holdout
    best = _sharpes(selection).idxmax()
    pbo = probability_of_backtest_overfitting(selection)
    dsr = deflated_sharpe(selection[best], _sharpes(selection))
    wf = walk_forward(frame, parts, optimize=_optimize, run=_run)
    oos_returns = wf.oos_equity.pct_change().fillna(wf.oos_equity.iloc[0] / 1000.0 - 1.0)
    mc = monte_carlo(oos_returns.to_numpy(), n_simulations=300, seed=5)
    holdout = run_holdout(
        frame,
        parts,
        {"p": int(best[1:])},
        run=_run,
        evaluate=functools.partial(evaluate_holdout, thresholds=HoldoutThresholds()),
    )
    v = verdict(
        best,
        pbo=pbo.pbo,
        deflated_sharpe_ratio=dsr.deflated_sharpe_ratio,
        walk_forward=wf,
        holdout=holdout,
        ruin_probability=mc.probability_of_ruin,
    )
    is_sharpe = float(_sharpes(selection)[best])
    return {"pbo": pbo, "dsr": dsr, "wf": wf, "holdout": holdout, "verdict": v, "is_sharpe": is_sharpe}


@pytest.mark.parametrize("seed", [1, 2])
def test_noise_looks_good_in_sample_but_fails(seed: int) -> None:
    out = _validate(_returns(edge=False, seed=seed))
    # the in-sample winner of 40 noise streams has a respectable Sharpe (> 0.5 annualized) ...
    assert out["is_sharpe"] * np.sqrt(252) > 0.5
    # ... but overfitting is likely, the Sharpe is not significant after deflation, OOS fades
    assert out["pbo"].pbo >= 0.4
    assert out["dsr"].deflated_sharpe_ratio < 0.9
    wfe = out["wf"].walk_forward_efficiency
    assert wfe is None or wfe < 0.5
    assert out["verdict"].status == "fail"


@pytest.mark.parametrize("seed", [1, 2])
def test_planted_edge_passes(seed: int) -> None:
    out = _validate(_returns(edge=True, seed=seed))
    assert out["pbo"].pbo < 0.1
    assert out["dsr"].deflated_sharpe_ratio > 0.95
    assert out["wf"].walk_forward_efficiency > 0.5
    assert out["wf"].stability.mean_plateau_ratio > 0.6
    assert out["holdout"].passed
    assert out["verdict"].status == "pass", out["verdict"].reasons
