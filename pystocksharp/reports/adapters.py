"""Report inputs from in-memory results (``pystocksharp.backtest``), as plain data.

Nothing here runs or re-computes the engine: bars come from the data the backtest used,
equity, fills and the summary numbers from the engine's result, round trips from the
caller (or the result, when it carries them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pystocksharp.reports.data import INSTRUMENT_SETTINGS, ROUND_TRIP_COLUMNS, RunReport, ValidationReport

SUMMARY_METRICS = {
    "net_profit": "net_profit",
    "max_drawdown": "max_drawdown",
    "round_trips": "round_trips",
    "commission": "commissions",
    "initial_capital": "initial_capital",
    "final_equity": "final_equity",
}
"""BacktestSummary field -> metric name shown when no metrics are given."""


def candles_frame(data: Any) -> pd.DataFrame:
    """Bars as time, open, high, low, close, volume from ``OhlcvData``, a DataFrame or a data file."""
    if not hasattr(data, "frame"):
        if isinstance(data, pd.DataFrame) and "time" in data.columns:
            return data[["time", "open", "high", "low", "close", "volume"]].reset_index(drop=True)
        from pystocksharp.backtest import load_data

        data = load_data(data)
    frame = data.frame
    out = frame[["open", "high", "low", "close", "volume"]].reset_index(drop=True)
    out.insert(0, "time", pd.to_datetime(frame.index, utc=True))
    return out


def empty_round_trips() -> pd.DataFrame:
    """A round-trip table with no rows (the standard columns)."""
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in ROUND_TRIP_COLUMNS})


def _fills(result: Any) -> pd.DataFrame | None:
    trades = getattr(result, "trades", None)
    if not isinstance(trades, pd.DataFrame) or not {"time", "side", "price", "volume"} <= set(trades.columns):
        return None
    return trades[["time", "side", "price", "volume"]].reset_index(drop=True)


def run_report_from_backtest(
    result: Any,
    data: Any,
    *,
    round_trips: pd.DataFrame | None = None,
    metrics: Mapping[str, Any] | None = None,
    indicators: Mapping[str, pd.Series] | None = None,
    indicator_panes: Mapping[str, str] | None = None,
    title: str | None = None,
    capacity: Any = None,
) -> RunReport:
    """A :class:`RunReport` of a :class:`pystocksharp.backtest.BacktestResult` on ``data``.

    ``round_trips`` defaults to ``result.round_trips`` when the result has such a table,
    else none. ``metrics`` default to the engine summary's own numbers (net profit, max
    drawdown as a fraction <= 0, round trips, commissions, initial and final equity). The trading costs,
    per-symbol attribution and correlation come from the result (:mod:`pystocksharp.reports.analytics`);
    ``capacity`` (points of :func:`pystocksharp.capacity.capacity_of_backtest`) adds the capacity curve.
    ``indicators`` (name -> Series by time) are drawn over the price or in a pane of their own below it:
    ``indicator_panes`` (name -> ``"price"`` or ``"pane"``) says which, else
    :func:`pystocksharp.reports.data.indicator_kind` decides.
    """
    if round_trips is None:
        carried = getattr(result, "round_trips", None)
        round_trips = carried if isinstance(carried, pd.DataFrame) else empty_round_trips()
    if metrics is None:
        summary = result.summary
        metrics = {
            name: getattr(summary, field)
            for field, name in SUMMARY_METRICS.items()
            if hasattr(summary, field)
        }
    equity = result.equity
    keep = [c for c in ("time", "equity", "position", "close") if c in equity.columns]
    report = RunReport(
        strategy=str(result.strategy),
        candles=candles_frame(data),
        equity=equity[keep].reset_index(drop=True),
        round_trips=round_trips,
        metrics=dict(metrics),
        parameters=dict(result.parameters),
        symbol=str(result.symbol or ""),
        timeframe=str(result.timeframe or ""),
        engine_version=str(result.engine_version or ""),
        indicators=dict(indicators or {}),
        indicator_panes=dict(indicator_panes or {}),
        fills=_fills(result),
        title=title,
        settings=run_settings(result),
    )
    if not hasattr(result, "attribution_report"):
        return report
    from pystocksharp.reports.analytics import analytics_of_backtest, with_analytics

    return with_analytics(report, analytics_of_backtest(result, capacity))


def run_settings(result: Any) -> dict[str, Any]:
    """The costs and settings of a backtest result for :attr:`RunReport.settings`: its ``settings`` and its data's
    instrument (price step, volume step and multiplier where known). Empty for objects that have none."""
    settings = getattr(result, "settings", None)
    out: dict[str, Any] = dict(settings.model_dump()) if hasattr(settings, "model_dump") else {}
    ohlcv = getattr(result, "ohlcv", None)
    step = getattr(ohlcv, "price_step", None)
    if isinstance(step, int | float) and step > 0:
        out["price_step"] = float(step)
    spec = getattr(ohlcv, "instrument", None)
    for key in INSTRUMENT_SETTINGS:
        value = getattr(spec, key, None)
        if value is not None:
            out[key] = float(value)
    return out


def _as_dict(obj: Any) -> dict[str, Any] | None:
    """A pydantic model or a JSON mapping as a dict (None stays None)."""
    if obj is None:
        return None
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return dict(obj)


def _walk_forward_frame(walk_forward: Any) -> tuple[pd.DataFrame, str, pd.DataFrame | None]:
    """Windows table (``pystocksharp.validation.walkforward.window_table``), the metric it shows and the
    stitched OOS equity (None when the result does not carry it: the JSON form)."""
    from pystocksharp.validation.models import WalkForwardResult
    from pystocksharp.validation.walkforward import oos_equity_frame, window_table

    model = (
        walk_forward
        if isinstance(walk_forward, WalkForwardResult)
        else WalkForwardResult.model_validate(walk_forward)
    )
    metric = str(model.rank or "sharpe_ratio").split(":")[0]
    equity = oos_equity_frame(model) if len(model.oos_equity) else None
    return window_table(model, metric), metric, equity


def _checks_frame(verdict: Any) -> pd.DataFrame:
    """Verdict checks (``pystocksharp.validation.verdict.checks_table``) of one Verdict or several."""
    from pystocksharp.validation.models import Verdict
    from pystocksharp.validation.verdict import checks_table

    items = verdict if isinstance(verdict, (list, tuple)) else [verdict]
    models = [v if isinstance(v, Verdict) else Verdict.model_validate(v) for v in items]
    table = checks_table(models)
    return table.drop(columns=["candidate"]) if len(models) == 1 else table


def validation_report_from_results(
    *,
    walk_forward: Any = None,
    monte_carlo: Any = None,
    monte_carlo_fan: pd.DataFrame | None = None,
    overfitting: Any = None,
    deflated_sharpe: Any = None,
    verdict: Any = None,
    oos_equity: Any = None,
) -> ValidationReport | None:
    """A :class:`ValidationReport` from ``pystocksharp.validation`` results (models or their JSON).

    ``monte_carlo`` is a MonteCarloReport (its shuffle's max drawdowns, bootstrap's final
    returns) or one MonteCarloResult; ``walk_forward`` a WalkForwardResult; ``monte_carlo_fan`` the frame of
    ``pystocksharp.validation.montecarlo.equity_fan``; ``verdict`` a Verdict or a list
    of them (their checks become the table); ``oos_equity`` the stitched OOS curve (a Series by time or a
    time/equity frame such as ``oos-equity.parquet``) when ``walk_forward`` is JSON, which does not carry it.
    Returns None when every part is None.
    """
    mc, of, ds = _as_dict(monte_carlo), _as_dict(overfitting), _as_dict(deflated_sharpe)
    if all(x is None for x in (walk_forward, mc, of, ds, verdict, monte_carlo_fan, oos_equity)):
        return None
    stats: dict[str, Any] = {}
    kwargs: dict[str, Any] = {}
    if walk_forward is not None:
        kwargs["walk_forward"], kwargs["walk_forward_metric"], kwargs["oos_equity"] = _walk_forward_frame(
            walk_forward
        )
    if oos_equity is not None:
        kwargs["oos_equity"] = (
            pd.DataFrame({"time": oos_equity.index, "equity": oos_equity.to_numpy(dtype=float)})
            if isinstance(oos_equity, pd.Series)
            else oos_equity
        )
    if walk_forward is not None:
        stats["walk_forward_efficiency"] = _as_dict(walk_forward).get("walk_forward_efficiency")  # type: ignore[union-attr]
    if mc is not None:
        shuffle, bootstrap = mc.get("shuffle", mc), mc.get("bootstrap", mc)
        kwargs["monte_carlo_final_returns"] = bootstrap["final_return"]["values"]
        kwargs["monte_carlo_max_drawdowns"] = shuffle["max_drawdown"]["values"]
        kwargs["monte_carlo_trades"] = bootstrap.get("n_trades")
        stats["probability_of_ruin"] = mc.get("probability_of_ruin")
    if monte_carlo_fan is not None:
        kwargs["monte_carlo_fan"] = monte_carlo_fan
    if of is not None:
        kwargs["pbo"] = of.get("pbo")
        kwargs["pbo_logits"] = of.get("logits")
    if ds is not None:
        stats["deflated_sharpe_ratio"] = ds.get("deflated_sharpe_ratio")
    if verdict is not None:
        kwargs["verdicts"] = _checks_frame(verdict)
        if not isinstance(verdict, (list, tuple)):
            stats["verdict"] = _as_dict(verdict).get("status")  # type: ignore[union-attr]
    return ValidationReport(statistics=stats, **kwargs)
