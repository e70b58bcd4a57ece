"""FIFO matching of recorded engine fills into round trips (analysis of fills, not re-simulation).

Fills are the engine's own (``time``, ``side`` +1 buy / -1 sell, ``price``, ``volume``,
``commission``, ``order_id``), in the order recorded. Each (entry fill, exit fill) matched pair is
one round trip, as the engine counts them; a fill larger than the open position closes it and opens
the rest in the other direction. Lots still open at the end are not round trips.
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.errors import InputError, Problem
from pystocksharp.metrics.models import RoundTrip

FILL_COLUMNS = ("time", "side", "price", "volume", "commission")
ROUND_TRIP_COLUMNS = (
    "entry_time",
    "exit_time",
    "side",
    "volume",
    "entry_price",
    "exit_price",
    "entry_order_id",
    "exit_order_id",
    "gross_pnl",
    "commission",
    "pnl",
    "return",
    "holding_time",
)


def check_fills(fills: pd.DataFrame | None) -> pd.DataFrame:
    """The fills frame with the needed columns (empty frame when None); all problems at once."""
    if fills is None:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in FILL_COLUMNS})
    problems = [Problem(f"fills lack column {c!r}", field=c) for c in FILL_COLUMNS if c not in fills.columns]
    if problems:
        raise InputError("bad fills", problems)
    bad_side = ~fills["side"].isin([1, -1])
    if bad_side.any():
        problems.append(Problem(f"side must be +1 or -1 ({int(bad_side.sum())} rows are not)", field="side"))
    if (fills["volume"] <= 0).any():
        problems.append(Problem("volume must be > 0", field="volume"))
    if problems:
        raise InputError("bad fills", problems)
    return fills


def quantity(volume: float) -> Decimal:
    """A fill volume as an exact decimal: its 15 significant digits, as the engine keeps quantities (so that
    0.1 + 0.2 - 0.3 is exactly flat; see ``BacktestRun.Quantity`` in the engine)."""
    return Decimal(f"{volume:.15g}")


def match_fifo(
    side: np.ndarray, volume: np.ndarray, symbol: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FIFO matching of fills in recorded order: ``(entry_index, exit_index, matched_volume)`` per
    round trip, in exit order. Open lots are a queue of ``[fill index, remaining volume]``; a fill
    against the queue's direction closes lots from the front, the rest opens a lot its own way.
    Volumes are matched as exact decimals (:func:`quantity`), as the engine counts round trips.
    With ``symbol`` (one per fill, several-instrument runs) each symbol has its own queue."""
    queues: dict[Any, tuple[deque[list[Any]], list[int]]] = {}
    entries: list[int] = []
    exits: list[int] = []
    vols: list[float] = []
    for i in range(len(side)):
        lots, lot_sign = queues.setdefault(None if symbol is None else symbol[i], (deque(), [0]))
        sign, remaining = int(side[i]), quantity(float(volume[i]))
        while remaining > 0 and lots and lot_sign[0] != sign:
            lot = lots[0]
            vol = min(lot[1], remaining)
            entries.append(int(lot[0]))
            exits.append(i)
            vols.append(float(vol))
            lot[1] -= vol
            remaining -= vol
            if lot[1] <= 0:
                lots.popleft()
        if remaining > 0:
            lots.append([i, remaining])
            lot_sign[0] = sign
    return (
        np.asarray(entries, dtype=np.int64),
        np.asarray(exits, dtype=np.int64),
        np.asarray(vols, dtype=float),
    )


def round_trips_frame(fills: pd.DataFrame | None) -> pd.DataFrame:
    """Round trips of ``fills`` as a DataFrame (columns :data:`ROUND_TRIP_COLUMNS`), in exit order.

    Money in account currency, ``return`` a fraction of the entry notional, ``holding_time`` seconds.
    """
    frame = check_fills(fills)
    side = frame["side"].to_numpy(dtype=np.int64)
    price = frame["price"].to_numpy(dtype=float)
    volume = frame["volume"].to_numpy(dtype=float)
    cpu = frame["commission"].to_numpy(dtype=float) / volume if len(frame) else np.empty(0)
    times = (
        pd.DatetimeIndex(pd.to_datetime(frame["time"], utc=True))
        if len(frame)
        else pd.DatetimeIndex([], tz="UTC")
    )
    ids = (
        frame["order_id"].astype("Int64").to_numpy(dtype=object, na_value=None)
        if "order_id" in frame.columns
        else np.full(len(frame), None, dtype=object)
    )
    symbols = frame["symbol"].to_numpy(dtype=object) if "symbol" in frame.columns else None
    mult = frame["multiplier"].to_numpy(dtype=float) if "multiplier" in frame.columns else None
    ent, ext, vol = match_fifo(side, volume, symbols)
    sign = side[ent]
    gross = sign * (price[ext] - price[ent]) * vol
    notional = price[ent] * vol
    if mult is not None:  # contracts: money is quantity x price x multiplier
        gross, notional = gross * mult[ent], notional * mult[ent]
    commission = (cpu[ent] + cpu[ext]) * vol
    pnl = gross - commission
    with np.errstate(divide="ignore", invalid="ignore"):
        ret = np.where(notional != 0, pnl / notional, np.nan)
    entry_time, exit_time = times[ent], times[ext]
    return pd.DataFrame(
        {
            "entry_time": entry_time,
            "exit_time": exit_time,
            "side": np.where(sign > 0, "long", "short").astype(object),
            "volume": vol,
            "entry_price": price[ent],
            "exit_price": price[ext],
            "entry_order_id": ids[ent],
            "exit_order_id": ids[ext],
            "gross_pnl": gross,
            "commission": commission,
            "pnl": pnl,
            "return": ret,
            "holding_time": (exit_time - entry_time).total_seconds().to_numpy(dtype=float),
        },
        columns=list(ROUND_TRIP_COLUMNS),
    )


def round_trips(fills: pd.DataFrame | None) -> list[RoundTrip]:
    """Round trips of ``fills`` as :class:`RoundTrip` models (see :func:`round_trips_frame`)."""
    frame = round_trips_frame(fills)
    clean = frame.astype(object).where(frame.notna(), None)
    return [RoundTrip.model_validate(row) for row in clean.to_dict("records")]


def exposure_fraction(position: np.ndarray) -> float:
    """Fraction of bars holding a non-zero position (after the bar's fills)."""
    return float(np.mean(position != 0)) if len(position) else float("nan")
