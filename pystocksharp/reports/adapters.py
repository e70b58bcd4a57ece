"""Report inputs from in-memory results (``pystocksharp.backtest``), as plain data.

Nothing here runs or re-computes the engine: bars come from the data the backtest used,
equity, fills and the summary numbers from the engine's result, round trips from the
caller (or the result, when it carries them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pystocksharp.reports.data import ROUND_TRIP_COLUMNS, RunReport

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
    title: str | None = None,
) -> RunReport:
    """A :class:`RunReport` of a :class:`pystocksharp.backtest.BacktestResult` on ``data``.

    ``round_trips`` defaults to ``result.round_trips`` when the result has such a table,
    else none. ``metrics`` default to the engine summary's own numbers (net profit, max
    drawdown as a fraction <= 0, round trips, commissions, initial and final equity).
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
    return RunReport(
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
        fills=_fills(result),
        title=title,
    )
