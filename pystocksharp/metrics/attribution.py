"""Per-symbol attribution of a run: what each instrument earned, cost, held and traded, and how their per-bar PnLs
move together. Plain pandas/numpy over what the engine recorded (no .NET): the equity rows, the fills (with a
``symbol`` column when the run traded several instruments), the positions per symbol and each symbol's closes.

Every symbol's value is marked to market on the run's clock (the equity rows), with its last close at or before the
row (the engine's own marking): ``value_s(t) = Σ fills of s up to t (-side·price·volume - commission) +
position_s(t) · close_s(t)``. Its per-bar PnL is ``value_s(t) - value_s(t-1)`` (``value_s(-1) = 0``), and
``Σ_s value_s(t) = equity(t) - capital``: the symbols' net profits add up to the run's.

The per-bar PnL of a symbol splits exactly into a long and a short part: holding ``position(t-1) · (close(t) -
close(t-1))`` belongs to the side of ``position(t-1)``; a fill's ``side · volume · (close(t) - price) - commission``
belongs, pro rata of its volume, to the side of the position it closes and to the side it opens (a flip: both).
So ``long_net_profit + short_net_profit = net_profit``, and for a symbol flat at the end each equals the sum of its
long (short) round trips' ``pnl``.

Units: money in account currency; ``exposure_time``, ``gross_exposure`` fractions; ``turnover`` a multiple of the
average equity; correlations in [-1, 1] (null where a symbol's per-bar PnL never varies). A contract multiplier (the
fills' ``multiplier`` column, :mod:`pystocksharp.instruments`) scales every price × quantity above. See
``docs/metrics.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from pystocksharp.metrics.trades import round_trips_frame

ATTRIBUTION_COLUMNS = (
    "symbol", "net_profit", "realized_pnl", "unrealized_pnl", "commission", "slippage", "notional", "fills",
    "round_trips", "long_round_trips", "short_round_trips", "long_net_profit", "short_net_profit", "exposure_time",
    "gross_exposure", "turnover",
)  # fmt: skip


class SymbolAttribution(BaseModel):
    """One symbol's share of a run (money in account currency)."""

    symbol: str
    net_profit: float = Field(
        description="realized_pnl + unrealized_pnl - commission: the symbol's marked value at the end"
    )
    realized_pnl: float = Field(
        description="sum of the engine's realized PnL of the symbol's fills, before commission"
    )
    unrealized_pnl: float = Field(
        description="open position at the end marked at its last close, before commission"
    )
    commission: float
    slippage: float | None = Field(
        description="money the slippage model cost (null when the run has no cost record)"
    )
    notional: float = Field(description="sum of |price| * volume * multiplier of the symbol's fills")
    fills: int
    round_trips: int
    long_round_trips: int
    short_round_trips: int
    long_net_profit: float = Field(description="PnL made while long (marked to market, after commission)")
    short_net_profit: float = Field(description="PnL made while short; long + short = net_profit")
    exposure_time: float | None = Field(
        description="share of bars whose position (after the bar's fills) is not 0"
    )
    gross_exposure: float | None = Field(
        description="mean over bars of |position| * close / equity, fraction"
    )
    turnover: float | None = Field(description="notional / mean equity, a multiple")


class CorrelationMatrix(BaseModel):
    """Pearson correlation of the symbols' per-bar PnL; ``values[i][j]`` pairs ``symbols[i]`` and ``symbols[j]``."""

    symbols: list[str]
    values: list[list[float | None]] = Field(description="null where a symbol's per-bar PnL is constant")


class Attribution(BaseModel):
    """Per-symbol attribution of one run (``result.attribution()``, ``backtest --json`` key ``attribution``)."""

    schema_version: Literal[1] = 1
    initial_capital: float
    net_profit: float = Field(description="the run's net profit: final equity - initial capital")
    bars: int
    symbols: list[SymbolAttribution]
    correlation: CorrelationMatrix


def _marks(closes: pd.Series, times: pd.DatetimeIndex) -> np.ndarray:
    """The last close at or before each time (NaN before the first)."""
    index = pd.DatetimeIndex(pd.to_datetime(closes.index, utc=True))
    series = pd.Series(closes.to_numpy(dtype=float), index=index).sort_index()
    series = series[~series.index.duplicated(keep="last")]
    return series.reindex(times, method="ffill").to_numpy(dtype=float)


def _symbols(positions: pd.DataFrame) -> list[str]:
    return [str(c) for c in positions.columns if c != "time"]


def _fills_of(fills: pd.DataFrame, symbol: str, only: bool) -> pd.DataFrame:
    if "symbol" not in fills.columns:
        return fills if only else fills.iloc[:0]
    return fills[fills["symbol"].astype(str) == symbol]


def multiplier_of(fills: pd.DataFrame) -> float:
    """The contract multiplier of one symbol's fills (their ``multiplier`` column; 1 without one)."""
    if "multiplier" not in fills.columns or not len(fills):
        return 1.0
    return float(fills["multiplier"].iloc[0])


class _SymbolPnl:
    """One symbol's per-bar PnL on the equity clock, split into long and short parts."""

    def __init__(self, times: pd.DatetimeIndex, marks: np.ndarray, fills: pd.DataFrame) -> None:
        n = len(times)
        side = fills["side"].to_numpy(dtype=float)
        volume = fills["volume"].to_numpy(dtype=float)
        price = fills["price"].to_numpy(dtype=float)
        commission = fills["commission"].to_numpy(dtype=float)
        self.multiplier = multiplier_of(fills)
        rows = np.searchsorted(times.asi8, pd.DatetimeIndex(pd.to_datetime(fills["time"], utc=True)).as_unit("ns").asi8,
                               side="right") - 1  # fmt: skip
        if len(rows) and rows.min() < 0:
            raise ValueError("a fill precedes the first equity row")
        signed = side * volume
        after = np.cumsum(signed)
        before = after - signed
        # the position at each row after its fills, from the fills (the engine's positions frame agrees)
        position = np.zeros(n)
        if len(rows):
            filled = np.full(n, -1)
            np.maximum.at(filled, rows, np.arange(len(rows)))  # the last fill of each row
            filled = np.maximum.accumulate(filled)
            position = np.where(filled >= 0, after[np.clip(filled, 0, None)], 0.0)
        self.position = position
        prev_pos = np.concatenate([[0.0], position[:-1]])
        prev_mark = np.concatenate([[np.nan], marks[:-1]])
        hold = np.where(prev_pos != 0, prev_pos * (marks - prev_mark) * self.multiplier, 0.0)
        fill_pnl = signed * (marks[rows] - price) * self.multiplier - commission
        closing = np.where(np.sign(before) == -side, np.minimum(volume, np.abs(before)), 0.0)
        closing_share = closing / volume
        closing_long = np.sign(before) > 0  # the closed part belongs to the side that was open
        opening_long = side > 0  # the opened part to the fill's side
        long_fill = fill_pnl * (closing_share * closing_long + (1 - closing_share) * opening_long)
        long_part = np.where(prev_pos > 0, hold, 0.0) + np.bincount(rows, long_fill, minlength=n)
        self.pnl = hold + np.bincount(rows, fill_pnl, minlength=n)
        self.long = long_part
        self.short = self.pnl - long_part
        self.marks = marks


def symbol_pnl(
    equity: pd.DataFrame, fills: pd.DataFrame, positions: pd.DataFrame, closes: Mapping[str, pd.Series]
) -> pd.DataFrame:
    """Per-bar PnL per symbol (money): one row per equity row (index ``time``), one column per symbol of
    ``positions``; each row sums to the equity change of that bar (the first: equity - initial capital)."""
    times = pd.DatetimeIndex(pd.to_datetime(equity["time"], utc=True)).as_unit("ns")
    symbols = _symbols(positions)
    parts = {
        s: _SymbolPnl(times, _marks(closes[s], times), _fills_of(fills, s, len(symbols) == 1))
        for s in symbols
    }
    return pd.DataFrame({s: p.pnl for s, p in parts.items()}, index=pd.Index(times, name="time"))


def correlation(pnl: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlation of the columns of :func:`symbol_pnl` (NaN where a column is constant)."""
    values = pnl.to_numpy(dtype=float)
    n = values.shape[1]
    out = np.full((n, n), np.nan)
    centered = values - values.mean(axis=0) if len(values) else values
    norms = np.sqrt((centered**2).sum(axis=0)) if len(values) else np.zeros(n)
    for i in range(n):
        for j in range(n):
            if norms[i] > 0 and norms[j] > 0:
                out[i, j] = float(
                    np.clip((centered[:, i] @ centered[:, j]) / (norms[i] * norms[j]), -1.0, 1.0)
                )
    return pd.DataFrame(out, index=pnl.columns, columns=pnl.columns)


def attribution_frame(
    equity: pd.DataFrame,
    fills: pd.DataFrame,
    positions: pd.DataFrame,
    closes: Mapping[str, pd.Series],
    *,
    costs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per symbol (columns :data:`ATTRIBUTION_COLUMNS`, see :class:`SymbolAttribution`).

    ``equity``: the engine's rows (``time``, ``equity``); ``fills``: its fills (``symbol`` column with several
    instruments); ``positions``: ``time`` and one column per symbol; ``closes``: symbol -> close series indexed
    by time; ``costs``: a :func:`pystocksharp.metrics.tca.tca_frame` for the slippage column (else null)."""
    times = pd.DatetimeIndex(pd.to_datetime(equity["time"], utc=True)).as_unit("ns")
    eq = equity["equity"].to_numpy(dtype=float)
    mean_equity = float(eq.mean()) if len(eq) else math.nan
    symbols = _symbols(positions)
    only = len(symbols) == 1
    rows: list[dict[str, Any]] = []
    for symbol in symbols:
        own = _fills_of(fills, symbol, only)
        part = _SymbolPnl(times, _marks(closes[symbol], times), own)
        held = positions[symbol].to_numpy(dtype=float)
        commission = float(own["commission"].sum())
        realized = float(own["realized_pnl"].sum()) if "realized_pnl" in own.columns else math.nan
        net = float(part.pnl.sum())
        notional = float((own["price"].abs() * own["volume"]).sum()) * part.multiplier
        trips = round_trips_frame(own.drop(columns=["symbol"], errors="ignore").reset_index(drop=True))
        gross = np.where(held != 0, np.abs(held) * np.nan_to_num(part.marks) * part.multiplier, 0.0)
        slippage = math.nan
        if costs is not None:
            mine = (
                costs
                if only and "symbol" not in costs.columns
                else costs[costs["symbol"].astype(str) == symbol]
            )
            slippage = float(mine["slippage"].sum())
        rows.append(
            {
                "symbol": symbol, "net_profit": net, "realized_pnl": realized,
                "unrealized_pnl": net + commission - realized, "commission": commission, "slippage": slippage,
                "notional": notional, "fills": len(own), "round_trips": len(trips),
                "long_round_trips": int((trips["side"] == "long").sum()),
                "short_round_trips": int((trips["side"] == "short").sum()),
                "long_net_profit": float(part.long.sum()), "short_net_profit": float(part.short.sum()),
                "exposure_time": float(np.mean(held != 0)) if len(held) else math.nan,
                "gross_exposure": float(np.mean(gross / eq)) if len(eq) else math.nan,
                "turnover": notional / mean_equity if mean_equity > 0 else math.nan,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=list(ATTRIBUTION_COLUMNS))


def _finite(value: Any) -> Any:
    if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def attribution_model(frame: pd.DataFrame, corr: pd.DataFrame, *, initial_capital: float, net_profit: float,
                      bars: int) -> Attribution:  # fmt: skip
    """The JSON form of :func:`attribution_frame` and :func:`correlation` (NaN -> null)."""
    symbols = [
        SymbolAttribution(**{k: _finite(v) for k, v in row.items()}) for row in frame.to_dict("records")
    ]
    matrix = CorrelationMatrix(
        symbols=[str(s) for s in corr.columns],
        values=[[_finite(float(v)) for v in row] for row in corr.to_numpy(dtype=float)],
    )
    return Attribution(initial_capital=initial_capital, net_profit=net_profit, bars=bars, symbols=symbols,
                       correlation=matrix)  # fmt: skip


def closes_of_backtest(result: Any) -> dict[str, pd.Series]:
    """Symbol -> close series of a :class:`pystocksharp.BacktestResult`'s data, keyed like its ``positions``
    columns (the data in the order run; without data: the equity rows' closes for the primary symbol)."""
    symbols = _symbols(result.positions)
    datas = [d for d in (getattr(result, "ohlcv", None), *getattr(result, "other_data", ())) if d is not None]
    if len(datas) == len(symbols):
        return {s: d.frame["close"] for s, d in zip(symbols, datas, strict=True)}
    equity = result.equity
    return {
        symbols[0]: pd.Series(equity["close"].to_numpy(dtype=float), index=pd.DatetimeIndex(equity["time"]))
    }


def attribution_of_backtest(result: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`attribution_frame` and the :func:`correlation` of :func:`symbol_pnl` of a backtest result."""
    closes = closes_of_backtest(result)
    costs = result.tca if "costs" in getattr(result, "arrow", {}) else None
    frame = attribution_frame(result.equity, result.trades, result.positions, closes, costs=costs)
    corr = correlation(symbol_pnl(result.equity, result.trades, result.positions, closes))
    return frame, corr
