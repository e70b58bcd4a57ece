"""Transaction cost analysis: what each fill cost, split into commission and slippage, and the implementation
shortfall against the decision price and the arrival price.

Works on what the engine recorded (plain frames, no .NET): the fills, their ``costs`` (``reference_price``: the fill
model's price before slippage; ``slippage``: money the slippage model cost, ``|price - reference| * volume``;
``placed_bar``: the bar whose handling placed the order) and the bars of the fills' series. A fills frame with a
``multiplier`` column (contracts) values quantities × multiplier; ``notional = price * volume * multiplier``.

Per fill (money in account currency, positive = a cost to the trader, ``side`` +1 buy / -1 sell):

* ``decision_price``: the close of the bar that placed the order (the signal bar; NaN for orders placed before
  the first bar); ``arrival_price``: the open of the fill's bar;
* ``shortfall_decision = side * (price - decision_price) * volume * multiplier + commission`` (Perold's implementation
  shortfall of the fill); ``shortfall_arrival`` the same against the arrival price;
* ``cost = commission + slippage``; ``cost_bps = cost / notional * 1e4``.

The costs reconcile: ``sum(cost)`` equals the PnL the same fills would have made at their reference prices
without commission minus the run's net PnL (``reconcile``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

TCA_COLUMNS = (
    "time", "symbol", "side", "volume", "multiplier", "price", "notional", "reference_price", "decision_price",
    "arrival_price", "commission", "slippage", "cost", "cost_bps", "shortfall_decision", "shortfall_arrival",
)  # fmt: skip


def tca_frame(fills: pd.DataFrame, costs: pd.DataFrame, bars: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per fill (columns :data:`TCA_COLUMNS`). ``bars``: symbol -> the OHLCV frame of its series (the fills'
    ``bar`` indexes it); a fills frame without a ``symbol`` column is of the only symbol in ``bars``."""
    if len(fills) != len(costs):
        raise ValueError(f"fills ({len(fills)}) and costs ({len(costs)}) differ in length")
    symbols = fills["symbol"].astype(str) if "symbol" in fills.columns else pd.Series([next(iter(bars))] * len(fills))
    decision = np.full(len(fills), np.nan)
    arrival = np.full(len(fills), np.nan)
    for symbol, frame in bars.items():
        rows = (symbols == symbol).to_numpy()
        placed = costs["placed_bar"].to_numpy()[rows]
        closes, opens = frame["close"].to_numpy(dtype=float), frame["open"].to_numpy(dtype=float)
        decision[rows] = np.where(placed >= 0, closes[np.clip(placed, 0, None)], np.nan)
        arrival[rows] = opens[fills["bar"].to_numpy()[rows]]
    side = fills["side"].to_numpy(dtype=float)
    volume = fills["volume"].to_numpy(dtype=float)
    price = fills["price"].to_numpy(dtype=float)
    mult = fills["multiplier"].to_numpy(dtype=float) if "multiplier" in fills.columns else np.ones(len(fills))
    units = volume * mult
    commission = costs["commission"].to_numpy(dtype=float)
    slippage = costs["slippage"].to_numpy(dtype=float)
    cost = commission + slippage
    return pd.DataFrame(
        {
            "time": fills["time"].to_numpy(), "symbol": symbols.to_numpy(), "side": side.astype(int), "volume": volume,
            "multiplier": mult, "price": price, "notional": price * units,
            "reference_price": costs["reference_price"].to_numpy(dtype=float),
            "decision_price": decision, "arrival_price": arrival, "commission": commission, "slippage": slippage,
            "cost": cost, "cost_bps": cost / (price * units) * 1e4,
            "shortfall_decision": side * (price - decision) * units + commission,
            "shortfall_arrival": side * (price - arrival) * units + commission,
        }
    )  # fmt: skip


def tca_summary(frame: pd.DataFrame) -> dict[str, float]:
    """Totals of a :func:`tca_frame`: commission, slippage, cost (money), notional, cost_bps (of the notional),
    shortfall_decision and shortfall_arrival (money; fills without a decision price left out of the former)."""
    notional = float(frame["notional"].sum())
    cost = float(frame["cost"].sum())
    return {
        "fills": len(frame),
        "commission": float(frame["commission"].sum()),
        "slippage": float(frame["slippage"].sum()),
        "cost": cost,
        "notional": notional,
        "cost_bps": cost / notional * 1e4 if notional else 0.0,
        "shortfall_decision": float(frame["shortfall_decision"].sum(skipna=True)),
        "shortfall_arrival": float(frame["shortfall_arrival"].sum()),
    }


def reconcile(frame: pd.DataFrame, net_profit: float, final_value: float) -> float:
    """``gross - net - sum(cost)``, which is 0 up to rounding: ``gross`` is the PnL of the same fills at their reference
    prices without commission (``-sum(side * reference * volume * multiplier) + final_value``, ``final_value`` = Σ final
    position × last close × multiplier), ``net_profit`` the run's."""
    gross = float(-(frame["side"] * frame["reference_price"] * frame["volume"] * frame["multiplier"]).sum()) + final_value
    return gross - net_profit - float(frame["cost"].sum())
