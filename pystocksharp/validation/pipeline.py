"""``pystocksharp.walk_forward``: the whole validation chain on our engine and optimizer.

Stages (each engine call receives only the bars named here; the holdout is cut off by
:meth:`Partitions.training_data` and every selection-stage callable is wrapped in the
partitions' :class:`~pystocksharp.validation.partitions.HoldoutGuard`):

1. **Walk-forward**: per window, the grid on the training bars, the best combination (by
   ``rank``) backtested cold on the test bars; OOS segments stitched; WFE, per-window metrics,
   parameter movement and IS plateau (:func:`pystocksharp.validation.walkforward.walk_forward`).
2. **Selection**: the grid on all non-holdout bars. Its best combination is *the* selected
   configuration. Its (bars x combinations) return matrix gives the PBO by CSCV; the selected
   configuration's per-bar returns and the per-bar Sharpe of every combination give the DSR.
3. **Monte Carlo** on the OOS trade returns of step 1 (shuffle + bootstrap, seeded).
4. **Holdout**: the selected configuration once on the untouched final segment.
5. **Verdict** from PBO, DSR, WFE/plateau, holdout and probability of ruin.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from pystocksharp.backtest import load_data
from pystocksharp.errors import InputError, Problem, did_you_mean
from pystocksharp.optimization.runner import cluster_address, search_settings
from pystocksharp.validation.engine import EngineAdapter, GridRun, grid_specs
from pystocksharp.validation.models import (
    DeflatedSharpe,
    HoldoutCheck,
    MonteCarloReport,
    OverfittingResult,
    Selection,
    Verdict,
    WalkForwardResult,
)
from pystocksharp.validation.montecarlo import equity_fan
from pystocksharp.validation.montecarlo import monte_carlo as run_monte_carlo
from pystocksharp.validation.overfitting import cscv_median_oos_sharpe, probability_of_backtest_overfitting
from pystocksharp.validation.partitions import Partitions
from pystocksharp.validation.significance import column_sharpes, deflated_sharpe
from pystocksharp.validation.verdict import (
    HoldoutThresholds,
    VerdictThresholds,
    checks_table,
    evaluate_holdout,
    verdict,
)
from pystocksharp.validation.walkforward import oos_equity_frame, run_holdout, window_table
from pystocksharp.validation.walkforward import walk_forward as walk_forward_core

#: progress(stage, done, total): stage is "walk-forward", "selection", "monte-carlo" or "holdout".
Progress = Callable[[str, int, int], None]


SELECTIONS: tuple[str, ...] = get_args(Selection)


class SelectedConfiguration(BaseModel):
    """The configuration chosen on all non-holdout bars, with its in-sample grid row."""

    parameters: dict[str, Any]
    parameter_hash: str
    is_metrics: dict[str, float | None] = Field(description="its row of the selection grid")
    n_combinations: int = Field(description="combinations that ran successfully")
    n_trials: int = Field(default=0, description="combinations evaluated, failures included (the DSR's trials)")
    objective: Selection = Field(
        default="in-sample",
        description="how it was chosen: 'in-sample' (the ranking's best), 'oos' (the best per-bar Sharpe on the "
        "walk-forward test windows' bars) or 'cscv' (the best median per-bar Sharpe over the CSCV splits' "
        "out-of-sample halves), among the rows passing the filters",
    )
    objective_score: float | None = Field(
        default=None, description="its score under 'oos' or 'cscv' (per-bar Sharpe, not annualized); None in-sample"
    )


class ValidationSettings(BaseModel):
    """What was validated and how (echoed into the artifacts)."""

    strategy: str
    data: str
    symbol: str
    timeframe: str
    bars: int
    start: str
    end: str
    grid: list[str]
    constraints: list[str]
    search: dict[str, Any] = Field(default_factory=lambda: {"kind": "grid"}, description="the optimizer's search")
    rank: str
    train: str
    test: str
    step: str
    anchored: bool
    warmup: int = Field(default=0, description="bars before each test/holdout window run first (0 = cold)")
    holdout: str | None
    monte_carlo: int
    seed: int
    pbo_blocks: int
    overfitting: bool
    ruin_loss: float


class ValidationSummary(BaseModel):
    """What ``walk-forward --json`` prints."""

    windows: int
    walk_forward_efficiency: float | None
    oos_metrics: dict[str, float | None]
    pbo: float | None
    deflated_sharpe_ratio: float | None
    selected: SelectedConfiguration
    monte_carlo: dict[str, Any] | None
    holdout: HoldoutCheck | None
    verdict: Verdict
    artifacts: dict[str, str]


class ValidationResult(BaseModel):
    """Everything the validation chain produced. ``oos_equity`` (stitched OOS equity),
    ``oos_trade_returns`` and ``selection_table`` (the selection grid) are not serialized."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: ValidationSettings
    walk_forward: WalkForwardResult
    selected: SelectedConfiguration
    overfitting: OverfittingResult | None
    deflated_sharpe: DeflatedSharpe | None
    monte_carlo: MonteCarloReport | None
    holdout: HoldoutCheck | None
    holdout_equity: pd.Series | None = Field(default=None, exclude=True)
    verdict: Verdict
    artifacts: dict[str, str] = Field(default_factory=dict)
    oos_trade_returns: np.ndarray = Field(default_factory=lambda: np.empty(0), exclude=True)
    selection_table: pd.DataFrame = Field(default_factory=pd.DataFrame, exclude=True)
    #: The selected configuration as a deployable ``strategy-config.json`` (:class:`pystocksharp.artifacts.config.
    #: StrategyConfig`): the strategy, every parameter, the data bounded to the non-holdout bars and the costs, so that
    #: ``backtest --config`` replays the selection run of the chosen combination. None when it could not be made.
    selected_config: Any = Field(default=None, exclude=True)

    @property
    def oos_equity(self) -> pd.Series:
        return self.walk_forward.oos_equity

    @property
    def walk_forward_efficiency(self) -> float | None:
        return self.walk_forward.walk_forward_efficiency

    @property
    def pbo(self) -> float | None:
        return self.overfitting.pbo if self.overfitting is not None else None

    @property
    def deflated_sharpe_ratio(self) -> float | None:
        return self.deflated_sharpe.deflated_sharpe_ratio if self.deflated_sharpe is not None else None

    def report(self) -> Any:
        """The summary page's validation section
        (:class:`pystocksharp.reports.data.ValidationReport`): walk-forward timeline (annualized
        Sharpe in and out of sample), the stitched OOS equity with each window's parameters, bootstrap fan of the OOS trades, Monte Carlo histograms,
        PBO logits, verdict checks and the headline statistics."""
        from pystocksharp.reports.data import ValidationReport  # noqa: PLC0415

        mc = self.monte_carlo
        fan = None
        if mc is not None:
            fan = equity_fan(
                self.oos_trade_returns,
                "bootstrap",
                n_simulations=mc.bootstrap.n_simulations,
                seed=self.settings.seed,
            )
        statistics: dict[str, Any] = {
            "walk_forward_efficiency": self.walk_forward_efficiency,
            "deflated_sharpe_ratio": self.deflated_sharpe_ratio,
            "pbo": self.pbo,
            "oos_sharpe_ratio": self.walk_forward.oos_metrics.get("sharpe_ratio"),
            "oos_total_return": self.walk_forward.oos_metrics.get("total_return"),
            "selected": ", ".join(f"{k}={v}" for k, v in self.selected.parameters.items())
            + ("" if self.selected.objective == "in-sample" else f" (by {self.selected.objective})"),
            "verdict": self.verdict.status,
        }
        if self.holdout is not None:
            statistics["holdout_passed"] = self.holdout.passed
            statistics["holdout_total_return"] = self.holdout.metrics.get("total_return")
        return ValidationReport(
            walk_forward=window_table(self.walk_forward, "sharpe_ratio"),
            walk_forward_metric="sharpe_ratio",
            oos_equity=oos_equity_frame(self.walk_forward) if len(self.oos_equity) else None,
            monte_carlo_fan=fan,
            monte_carlo_trades=int(self.oos_trade_returns.size) if mc is not None else None,
            monte_carlo_final_returns=mc.bootstrap.final_return.values if mc is not None else None,
            monte_carlo_max_drawdowns=mc.shuffle.max_drawdown.values if mc is not None else None,
            pbo=self.pbo,
            pbo_logits=self.overfitting.logits if self.overfitting is not None else None,
            verdicts=checks_table([self.verdict]),
            statistics=statistics,
        )

    def _repr_html_(self) -> str:
        from pystocksharp.notebook import validation_html  # noqa: PLC0415 (on first display only)

        return validation_html(self)

    def __repr__(self) -> str:
        from pystocksharp.notebook import validation_repr  # noqa: PLC0415 (on first display only)

        return validation_repr(self)

    __str__ = __repr__  # pydantic's str() would print every simulated value and the whole selection grid

    def summary(self) -> ValidationSummary:
        mc = None
        if self.monte_carlo is not None:
            mc = {
                "n_simulations": self.monte_carlo.bootstrap.n_simulations,
                "n_trades": self.monte_carlo.bootstrap.n_trades,
                "final_return_ci": list(self.monte_carlo.final_return_ci),
                "max_drawdown_ci": list(self.monte_carlo.max_drawdown_ci),
                "longest_drawdown_ci": list(self.monte_carlo.longest_drawdown_ci),
                "probability_of_ruin": self.monte_carlo.probability_of_ruin,
            }
        return ValidationSummary(
            windows=len(self.walk_forward.windows),
            walk_forward_efficiency=self.walk_forward_efficiency,
            oos_metrics=self.walk_forward.oos_metrics,
            pbo=self.pbo,
            deflated_sharpe_ratio=self.deflated_sharpe_ratio,
            selected=self.selected,
            monte_carlo=mc,
            holdout=self.holdout,
            verdict=self.verdict,
            artifacts=self.artifacts,
        )


@dataclass(frozen=True)
class _Options:
    strategy: Any
    data: Any
    grid: Any
    constraints: list[str]
    rank: str
    train: str | int
    test: str | int
    step: str | int | None
    anchored: bool
    holdout: str | int | None
    monte_carlo: int
    seed: int
    ruin_loss: float
    pbo_blocks: int
    overfitting: bool
    thresholds: VerdictThresholds | None
    holdout_thresholds: HoldoutThresholds | None
    select: Selection = "in-sample"


def _label(value: str | int | None) -> str | None:
    return None if value is None else str(value)


def _selection(
    adapter: EngineAdapter,
    frame: pd.DataFrame,
    parts: Partitions,
    pbo_blocks: int,
    overfitting: bool,
    select: Selection = "in-sample",
) -> tuple[GridRun, SelectedConfiguration, OverfittingResult | None, DeflatedSharpe | None]:
    """Grid on the non-holdout bars (guarded), the selected configuration (by ``select``), PBO and DSR."""
    guard = parts.guard(frame)
    run = guard.wrap(lambda bars: adapter.run_grid(bars, "selection"), "selection optimization")(
        parts.training_data(frame)
    )
    returns = run.returns()
    best, score = _chosen(adapter.ranked(run), returns, select, _test_times(frame, parts), pbo_blocks)
    names = run.parameter_names
    selected = SelectedConfiguration(
        parameters={n: _py(best[n]) for n in names},
        parameter_hash=str(best["parameter_hash"]),
        is_metrics={
            str(k): _num(v)
            for k, v in best.items()
            if k not in names and k not in ("index", "parameter_hash", "error", "traceback")
        },
        n_combinations=len(run.table),
        n_trials=run.trials,
        objective=select,
        objective_score=score,
    )
    moving = returns.loc[:, (returns != 0.0).any(axis=0)]  # never-trading combinations carry no signal
    pbo = None
    if not overfitting:
        return run, selected, None, None
    if moving.shape[1] >= 2 and len(moving) >= 2 * pbo_blocks:
        pbo = probability_of_backtest_overfitting(moving, n_blocks=pbo_blocks)
    dsr = None
    chosen = returns[selected.parameter_hash].to_numpy()
    if np.std(chosen) > 0:
        sharpes = column_sharpes(returns.to_numpy())
        # every evaluated combination is a trial (failed ones too), not only those with a Sharpe
        dsr = deflated_sharpe(chosen, sharpes, n_trials=run.trials)
    return run, selected, pbo, dsr


def _chosen(
    ranked: pd.DataFrame, returns: pd.DataFrame, select: Selection, test_times: pd.Index, pbo_blocks: int
) -> tuple[pd.Series, float | None]:
    """The selected row among ``ranked`` (the rows passing the filters, best first) and its score: the first row
    in-sample; else the row whose returns (``returns``: bars x combinations by hash) score best, ties to the better
    ranked, combinations that cannot be scored (no variation) never chosen while one can be."""
    if select == "in-sample":
        return ranked.iloc[0], None
    frame = returns[ranked["parameter_hash"].astype(str).tolist()]
    matrix = frame.to_numpy()
    if select == "oos":
        scores = column_sharpes(matrix[frame.index.isin(test_times)])
    else:
        scores = cscv_median_oos_sharpe(matrix, n_blocks=pbo_blocks)
    varies = matrix.std(axis=0) > 0
    if not varies.any():
        return ranked.iloc[0], None
    pick = int(np.argmax(np.where(varies, scores, -np.inf)))  # the first (best ranked) of equal scores
    return ranked.iloc[pick], float(scores[pick])


def _test_times(frame: pd.DataFrame, parts: Partitions) -> pd.Index:
    """The bar times of every walk-forward test window (the bars each window judged out of sample)."""
    positions = np.unique(np.concatenate([np.arange(w.test.start, w.test.stop) for w in parts.windows] or [[]]))
    return frame.index[positions.astype(int)]


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def walk_forward(
    strategy: Any,
    data: Any,
    *,
    grid: Any,
    constraints: Sequence[str] = (),
    rank: str = "sharpe_ratio:desc",
    filters: Sequence[str] = (),
    search: Any = "grid",
    train: str | int = "2y",
    test: str | int = "6m",
    step: str | int | None = None,
    anchored: bool = False,
    holdout: str | int | None = None,
    monte_carlo: int = 1000,
    seed: int = 0,
    thresholds: VerdictThresholds | None = None,
    holdout_thresholds: HoldoutThresholds | None = None,
    ruin_loss: float = 0.5,
    pbo_blocks: int = 16,
    overfitting: bool = True,
    warmup: int = 0,
    workers: int | None = None,
    out: str | Path | None = None,
    capital: float = 10_000.0,
    commission: float = 0.0,
    slippage: float = 0.0,
    fill: str = "next-open",
    leverage: float = 1.0,
    progress: Progress | None = None,
    adapter: EngineAdapter | None = None,
    cluster: str | None = None,
    select: Selection = "in-sample",
) -> ValidationResult:
    """Walk-forward with holdout, PBO, DSR, Monte Carlo and a verdict for ``strategy`` on ``data``.

    ``grid``/``constraints``/``rank``/``search`` as in :func:`pystocksharp.optimization.optimize`
    (the DSR counts the combinations the search evaluated in the selection stage as trials); the
    ranking may name ``sharpe_ratio`` (annualized, from per-bar equity), ``total_return``,
    ``annualized_return`` or ``max_drawdown`` besides the engine's summary columns.
    ``train``/``test``/``step``/``holdout``: durations (``"6m"``, ``"2y"``, ``"30d"``) or bar
    counts. ``monte_carlo``: simulations (0 = skip). Costs are fractions (0.001 = 0.1 %); ``fill`` and
    ``leverage`` as in :func:`pystocksharp.backtest`. ``filters`` (``"round_trips >= 10"``): every selection
    (each training window's and the final one) picks only among the combinations that pass them.
    ``cluster``: run every window's grid on Dask (``"local:N"``: N worker processes started once for the whole
    walk-forward; ``"tcp://HOST:PORT"``: a running scheduler), with the same results as here.
    ``select``: how the selection stage picks the configuration among the combinations passing ``filters``:
    ``"in-sample"`` the ranking's best on all non-holdout bars; ``"oos"`` the best per-bar Sharpe on the
    walk-forward test windows' bars; ``"cscv"`` the best median per-bar Sharpe over the out-of-sample halves of
    the CSCV splits (:func:`~pystocksharp.validation.overfitting.cscv_median_oos_sharpe`), objectives that do not
    reward in-sample luck. PBO and DSR are computed as always; the DSR judges the configuration selected.
    ``out``: when given, artifacts are written under the run layout there
    (:mod:`pystocksharp.validation.artifacts`). ``adapter``: a prepared
    :class:`EngineAdapter` (tests use it to inspect engine calls).
    """
    search = search_settings(search)  # a bad search is refused before any data is read
    if select not in SELECTIONS:
        raise InputError("unknown selection", [Problem(
            f"unknown selection {select!r}{did_you_mean(str(select), SELECTIONS)}; one of {', '.join(SELECTIONS)}",
            field="select")])  # fmt: skip
    engine = adapter or EngineAdapter(
        strategy,
        grid,
        constraints=list(constraints),
        rank=rank,
        filters=list(filters),
        workers=workers,
        capital=capital,
        backtest_kwargs={"commission": commission, "slippage": slippage, "fill": fill, "leverage": leverage},
        warmup=warmup,
        search=search,
    )
    engine.check_names()  # a typo'd rank or filter metric is refused before any data is read
    where = cluster_address(cluster)  # a bad address is refused before any data is read
    ohlcv = load_data(data)
    frame: pd.DataFrame = ohlcv.frame
    parts = Partitions.build(frame, train=train, test=test, step=step, anchored=anchored, holdout=holdout)
    options = _Options(
        strategy, data, grid, list(constraints), rank, train, test, step, anchored, holdout,
        monte_carlo, seed, ruin_loss, pbo_blocks, overfitting, thresholds, holdout_thresholds, select,
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="psx-validate-") as tmp, _scheduler(where) as scheduler:
        restore = engine.work_dir, engine.cluster
        engine.work_dir = engine.work_dir if engine.work_dir is not None else tmp
        engine.cluster = scheduler or engine.cluster
        if engine.history is None:
            engine.history = frame
        try:
            result = _validate(engine, ohlcv, parts, options, progress)
        finally:
            engine.work_dir, engine.cluster = restore
    result.selected_config = selected_config(engine, ohlcv, parts, result.selected)
    if out is not None:
        from pystocksharp.validation.artifacts import write_validation  # noqa: PLC0415

        write_validation(out, result)
    return result


def selected_config(engine: EngineAdapter, ohlcv: Any, parts: Partitions, selected: SelectedConfiguration) -> Any:
    """The deployable configuration of the selected combination: one backtest of it on the non-holdout bars (the
    selection run's bars and costs), recorded by :func:`pystocksharp.artifacts.config.config_from_result` with the data
    file bounded to those bars."""
    from pystocksharp.artifacts.config import config_from_result  # noqa: PLC0415
    from pystocksharp.backtest import backtest as engine_backtest  # noqa: PLC0415
    from pystocksharp.backtest import bounded  # noqa: PLC0415

    bars = parts.training_data(ohlcv.frame)
    data = bounded(ohlcv, bars.index[0], bars.index[-1])
    run = engine_backtest(engine.strategy, data, params=dict(selected.parameters), capital=engine.capital,
                          **dict(engine.backtest_kwargs))  # fmt: skip
    return config_from_result(run, start=bars.index[0], end=bars.index[-1])


@contextlib.contextmanager
def _scheduler(where: Any) -> Iterator[str | None]:
    """The scheduler address every window's grid uses: ``local:N`` starts one :class:`distributed.LocalCluster` for
    the whole walk-forward (its workers keep the engine warm from window to window), ``tcp://`` is used as it is;
    None without a cluster."""
    if where is None:
        yield None
        return
    if where.local_workers is None:
        yield str(where.scheduler)
        return
    import distributed  # noqa: PLC0415

    from pystocksharp.optimization.cluster import local_cluster_options  # noqa: PLC0415

    with distributed.LocalCluster(**local_cluster_options(where.local_workers)) as local:
        yield str(local.scheduler_address)


def _validate(
    engine: EngineAdapter,
    ohlcv: Any,
    parts: Partitions,
    options: _Options,
    progress: Progress | None,
) -> ValidationResult:
    """The stages in order (see the module doc)."""
    frame: pd.DataFrame = ohlcv.frame
    o = options
    strategy, data, grid, constraints, rank = o.strategy, o.data, o.grid, o.constraints, o.rank
    train, test, step, anchored, holdout = o.train, o.test, o.step, o.anchored, o.holdout
    monte_carlo, seed, ruin_loss, pbo_blocks = o.monte_carlo, o.seed, o.ruin_loss, o.pbo_blocks
    thresholds, holdout_thresholds = o.thresholds, o.holdout_thresholds
    tell = progress or (lambda stage, done, total: None)
    n_windows = len(parts.windows)
    done = {"n": 0}

    def optimize_window(bars: pd.DataFrame) -> Any:
        tell("walk-forward", done["n"], n_windows)
        outcome = engine.optimize(bars)
        return outcome

    def run_window(bars: pd.DataFrame, params: dict[str, Any]) -> Any:
        outcome = engine.run(bars, params)
        done["n"] += 1
        tell("walk-forward", done["n"], n_windows)
        return outcome

    trade_chunks: list[np.ndarray] = []

    def run_and_keep(bars: pd.DataFrame, params: dict[str, Any]) -> Any:
        outcome = run_window(bars, params)
        if outcome.trade_returns is not None:
            trade_chunks.append(outcome.trade_returns)
        return outcome

    wf = walk_forward_core(frame, parts, optimize=optimize_window, run=run_and_keep, rank=rank)
    tell("selection", 0, 1)
    selection_run, selected, pbo, dsr = _selection(engine, frame, parts, pbo_blocks, o.overfitting, o.select)
    tell("selection", 1, 1)
    oos_trades = np.concatenate(trade_chunks) if trade_chunks else np.empty(0)
    mc = None
    if monte_carlo > 0 and oos_trades.size >= 2:
        tell("monte-carlo", 0, 1)
        mc = run_monte_carlo(oos_trades, n_simulations=monte_carlo, seed=seed, ruin_loss=ruin_loss)
        tell("monte-carlo", 1, 1)
    check = None
    holdout_equity = None
    if parts.has_holdout:
        tell("holdout", 0, 1)
        kept: dict[str, pd.Series] = {}

        def run_final(bars: pd.DataFrame, params: dict[str, Any]) -> Any:
            outcome = engine.run(bars, params)
            kept["equity"] = outcome.equity
            return outcome

        check = run_holdout(
            frame,
            parts,
            selected.parameters,
            run=run_final,
            evaluate=functools.partial(evaluate_holdout, thresholds=holdout_thresholds),
        )
        holdout_equity = kept.get("equity")
        tell("holdout", 1, 1)
    candidate = ", ".join(f"{k}={v}" for k, v in selected.parameters.items())
    final = verdict(
        candidate,
        pbo=pbo.pbo if pbo is not None else None,
        deflated_sharpe_ratio=dsr.deflated_sharpe_ratio if dsr is not None else None,
        walk_forward=wf,
        holdout=check,
        ruin_probability=mc.probability_of_ruin if mc is not None else None,
        thresholds=thresholds,
    )
    settings = ValidationSettings(
        strategy=str(getattr(strategy, "__name__", strategy)),
        data=str(data) if isinstance(data, str | Path) else "<frame>",
        symbol=str(ohlcv.symbol or ""),
        timeframe=str(ohlcv.timeframe or ""),
        bars=len(frame),
        start=frame.index[0].isoformat(),
        end=frame.index[-1].isoformat(),
        grid=grid_specs(grid),
        constraints=[str(c) for c in constraints],
        search=search_settings(engine.search).model_dump(),
        rank=rank,
        train=str(train),
        test=str(test),
        step=str(step if step is not None else test),
        anchored=anchored,
        warmup=engine.warmup,
        holdout=_label(holdout),
        monte_carlo=monte_carlo,
        seed=seed,
        pbo_blocks=pbo_blocks,
        overfitting=o.overfitting,
        ruin_loss=ruin_loss,
    )
    return ValidationResult(
        settings=settings,
        walk_forward=wf,
        selected=selected,
        overfitting=pbo,
        deflated_sharpe=dsr,
        monte_carlo=mc,
        holdout=check,
        holdout_equity=holdout_equity,
        verdict=final,
        oos_trade_returns=oos_trades,
        selection_table=selection_run.table,
    )
