"""``tf(minutes)``: a time-frame candle type (our implementation of the helper StockSharp's Python strategies import)."""

from StockSharp.Messages import DataType  # type: ignore[import-not-found]
from System import TimeSpan  # type: ignore[import-not-found]


def tf(minutes):  # type: ignore[no-untyped-def]
    """Candles ``minutes`` wide."""
    return DataType.TimeFrame(TimeSpan.FromMinutes(minutes))
