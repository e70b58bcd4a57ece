"""Single-series results are bit-identical across engine refactors.

The demo run and StockSharp-style strategies with stops, limits and protection are hashed over every column
of their fills, equity rows and orders (the exact float64 bits). ``tests/golden/engine-runs.json`` was written
by the engine before it was split into slots (data feed, brokerage models, portfolio, recorder); regenerate it
only for an intended change of results: ``python tests/test_engine_golden.py --write``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pystocksharp import backtest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).with_name("golden") / "engine-runs.json"
COSTS = {"capital": 100_000.0, "commission": 0.001, "slippage_steps": 1.0}

#: name -> (strategy, data, params, settings)
RUNS: dict[str, tuple[str, str, dict[str, Any], dict[str, Any]]] = {
    "demo": ("sma_cross", "sample:GOOG_1d", {"fast": 10, "slow": 20, "volume": 10}, {"capital": 10_000.0, "commission": 0.002}),
    "demo-close-fill": ("sma_cross", "sample:GOOG_1d", {"fast": 5, "slow": 30, "volume": 10}, {"capital": 10_000.0, "fill": "close"}),
    "bollinger-limit-cs": (str(ROOT / "strategies/stocksharp/BollingerLimitStrategy.cs"), "sample:GOOG_1d", {}, COSTS),
    "high-low-stop-cs": (str(ROOT / "strategies/stocksharp/HighLowStopStrategy.cs"), "sample:GOOG_1d", {}, COSTS),
    "rsi-threshold-cs": (str(ROOT / "strategies/stocksharp/RsiThresholdStrategy.cs"), "sample:EURUSD_1h", {}, COSTS),
    "keltner-stop-entry-cs": (str(ROOT / "strategies/stocksharp/KeltnerStopEntryStrategy.cs"), "sample:SPX_1d", {}, COSTS),
}


def _digest(batch: pa.RecordBatch) -> str:
    h = hashlib.sha256()
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        h.update(name.encode())
        for buffer in column.buffers():
            if buffer is not None:
                h.update(buffer.to_pybytes())
    return h.hexdigest()[:16]


def run_digests(name: str) -> dict[str, Any]:
    strategy, data, params, settings = RUNS[name]
    result = backtest(strategy, data, params=params, **settings)
    out: dict[str, Any] = {kind: _digest(result.arrow[kind]) for kind in ("fills", "equity", "orders")}
    out["fills_count"] = result.arrow["fills"].num_rows
    out["net_profit"] = result.summary.net_profit
    return out


@pytest.mark.parametrize("name", sorted(RUNS))
def test_single_series_results_are_bit_identical_to_the_recorded_engine(name: str) -> None:
    expected = json.loads(GOLDEN.read_text())[name]
    got = run_digests(name)
    assert got["fills_count"] > 0
    assert got == expected


if __name__ == "__main__" and "--write" in sys.argv:
    GOLDEN.write_text(json.dumps({n: run_digests(n) for n in sorted(RUNS)}, indent=2) + "\n")
