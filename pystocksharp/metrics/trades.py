"""FIFO matching of recorded engine fills into round trips (analysis of fills, not re-simulation).

Fills are the engine's own (``time``, ``side`` +1 buy / -1 sell, ``price``, ``volume``,
``commission``, ``order_id``), in the order recorded. Each (entry fill, exit fill) matched pair is
one round trip, as the engine counts them; a fill larger than the open position closes it and opens
the rest in the other direction. Lots still open at the end are not round trips.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

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
#: Volumes below this are treated as fully matched (float residue of fractional volumes).
VOLUME_EPS = 1e-12


@dataclass
class _Lot:
    time: pd.Timestamp
    price: float
    volume: float  # remaining, > 0
    commission_per_unit: float
    order_id: int | None
    sign: int  # +1 long lot, -1 short lot


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


def _trip(
    lot: _Lot, exit_time: pd.Timestamp, exit_price: float, exit_cpu: float, exit_id: int | None, vol: float
) -> dict:
    gross = lot.sign * (exit_price - lot.price) * vol
    commission = (lot.commission_per_unit + exit_cpu) * vol
    pnl = gross - commission
    notional = lot.price * vol
    return {
        "entry_time": lot.time,
        "exit_time": exit_time,
        "side": "long" if lot.sign > 0 else "short",
        "volume": vol,
        "entry_price": lot.price,
        "exit_price": exit_price,
        "entry_order_id": lot.order_id,
        "exit_order_id": exit_id,
        "gross_pnl": gross,
        "commission": commission,
        "pnl": pnl,
        "return": pnl / notional if notional != 0 else float("nan"),
        "holding_time": (exit_time - lot.time).total_seconds(),
    }


def round_trips_frame(fills: pd.DataFrame | None) -> pd.DataFrame:
    """Round trips of ``fills`` as a DataFrame (columns :data:`ROUND_TRIP_COLUMNS`), in exit order.

    Money in account currency, ``return`` a fraction of the entry notional, ``holding_time`` seconds.
    """
    frame = check_fills(fills)
    times = pd.to_datetime(frame["time"], utc=True) if len(frame) else pd.Series(dtype="datetime64[ns, UTC]")
    order_ids = frame["order_id"] if "order_id" in frame.columns else pd.Series([None] * len(frame))
    lots: deque[_Lot] = deque()
    rows: list[dict] = []
    for t, side, price, volume, commission, oid in zip(
        times, frame["side"], frame["price"], frame["volume"], frame["commission"], order_ids, strict=True
    ):
        sign, remaining = int(side), float(volume)
        cpu = float(commission) / float(volume)
        oid = None if oid is None or oid != oid else int(oid)
        while remaining > VOLUME_EPS and lots and lots[0].sign != sign:
            lot = lots[0]
            vol = min(lot.volume, remaining)
            rows.append(_trip(lot, t, float(price), cpu, oid, vol))
            lot.volume -= vol
            remaining -= vol
            if lot.volume <= VOLUME_EPS:
                lots.popleft()
        if remaining > VOLUME_EPS:
            lots.append(_Lot(t, float(price), remaining, cpu, oid, sign))
    out = pd.DataFrame(rows, columns=list(ROUND_TRIP_COLUMNS))
    if not rows:
        out = out.astype(
            {
                c: "float64"
                for c in (
                    "volume",
                    "entry_price",
                    "exit_price",
                    "gross_pnl",
                    "commission",
                    "pnl",
                    "return",
                    "holding_time",
                )
            }
        )
    return out


def round_trips(fills: pd.DataFrame | None) -> list[RoundTrip]:
    """Round trips of ``fills`` as :class:`RoundTrip` models (see :func:`round_trips_frame`)."""
    frame = round_trips_frame(fills)
    clean = frame.astype(object).where(frame.notna(), None)
    return [RoundTrip.model_validate(row) for row in clean.to_dict("records")]


def exposure_fraction(position: np.ndarray) -> float:
    """Fraction of bars holding a non-zero position (after the bar's fills)."""
    return float(np.mean(position != 0)) if len(position) else float("nan")
