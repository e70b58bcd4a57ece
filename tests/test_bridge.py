"""The Python/.NET bridge: lazy loading, bulk copies both ways, Arrow C Data export, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pystocksharp.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def _run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=300,
    )


def test_import_pystocksharp_does_not_load_dotnet() -> None:
    proc = _run_python(
        """
        import sys, pystocksharp
        pystocksharp.Param, pystocksharp.VectorStrategy, pystocksharp.__all__
        import pystocksharp.backtest, pystocksharp.resolver, pystocksharp.cli
        loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('clr', 'pythonnet', 'clr_loader', 'System'))
        print(loaded)
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_missing_engine_is_a_clear_error(tmp_path: Path) -> None:
    proc = _run_python(
        """
        from pystocksharp import bridge
        from pystocksharp.errors import EngineNotAvailableError
        try:
            bridge.engine_info()
        except EngineNotAvailableError as exc:
            print("ERR", exc)
        """,
        env={"PYSTOCKSHARP_ENGINE_DIR": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ERR the .NET engine is not built")
    assert str(tmp_path / "PyStockSharp.Engine.dll") in proc.stdout
    assert "./scripts/setup.sh" in proc.stdout


def test_corrupt_engine_assembly_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "PyStockSharp.Engine.dll").write_text("not a dll")
    proc = _run_python(
        """
        from pystocksharp import bridge
        from pystocksharp.errors import EngineNotAvailableError
        try:
            bridge.engine_info()
        except EngineNotAvailableError as exc:
            print("ERR", exc)
        """,
        env={"PYSTOCKSHARP_ENGINE_DIR": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    message = proc.stdout.strip()
    assert message.startswith(
        f"ERR could not load the engine assembly {tmp_path / 'PyStockSharp.Engine.dll'} on .NET 10."
    )
    assert "Bad IL format" in message and message.endswith(
        "run ./scripts/setup.sh (needs the .NET 10 SDK: https://dot.net)"
    )
    assert "\n" not in message  # one line, no .NET stack trace


def test_missing_dotnet_is_a_clear_error() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DOTNET_ROOT"}
    env["PATH"] = str(Path(sys.executable).parent)  # python only, no dotnet
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pystocksharp import bridge\ntry:\n    bridge.engine_info()\nexcept Exception as e:\n    print(type(e).__name__, e)",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("EngineNotAvailableError the .NET runtime was not found")
    assert "https://dot.net" in proc.stdout


@pytest.mark.engine
def test_engine_info_reports_versions() -> None:
    from pystocksharp import bridge

    info = bridge.engine_info()
    assert info.engine_version == "0.1.0"
    assert info.dotnet_runtime is not None and info.dotnet_runtime.startswith(".NET 10.")
    assert info.python.startswith("3.")
    assert Path(info.assembly_path) == bridge.engine_assembly_path()
    assert bridge.is_loaded()


@pytest.mark.engine
def test_candles_round_trip_through_the_engine_bit_for_bit() -> None:
    from pystocksharp import bridge

    rng = np.random.default_rng(7)
    n = 1000
    times = np.arange(n, dtype=np.int64) * 60_000_000_000 + 1_700_000_000_000_000_000
    cols = [rng.normal(100, 5, n) for _ in range(5)]
    cols[0][3] = np.nan  # NaN travels as is
    series = bridge.candle_series_from_arrays(times, *cols, symbol="X", timeframe="1m")
    assert series.Count == n and str(series.Symbol) == "X" and str(series.TimeFrame) == "1m"
    np.testing.assert_array_equal(bridge.to_numpy(series.OpenTimes), times)
    for col, net in zip(
        cols, (series.Open, series.High, series.Low, series.Close, series.Volume), strict=True
    ):
        back = bridge.to_numpy(net)
        assert back.tobytes() == col.tobytes()


@pytest.mark.engine
def test_candle_series_from_frame_uses_the_utc_index() -> None:
    from pystocksharp import bridge

    idx = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], tz="UTC", name="timestamp")
    frame = pd.DataFrame(
        {
            "open": [1.0, 2.0],
            "high": [1.5, 2.5],
            "low": [0.5, 1.5],
            "close": [1.2, 2.2],
            "volume": [10.0, 20.0],
        },
        index=idx,
    )
    series = bridge.candle_series(frame)
    # 2024-01-02T00:00Z = 19724 days * 86400 s * 1e9 ns
    assert list(bridge.to_numpy(series.OpenTimes)) == [19724 * 86_400 * 10**9, 19725 * 86_400 * 10**9]
    assert series[1].Close == 2.2


@pytest.mark.engine
def test_net_double_array_round_trip() -> None:
    from pystocksharp import bridge

    values = np.array([1.5, -2.25, np.nan, np.inf, 0.0])
    net = bridge.to_net_doubles(values)
    assert net.Length == 5 and net[1] == -2.25
    assert bridge.to_numpy(net).tobytes() == values.tobytes()
    assert bridge.to_numpy(bridge.to_net_doubles([])).shape == (0,)


def _goog_like_series():
    from pystocksharp import bridge

    close = np.array(
        [10, 11, 12, 11, 10, 9, 10, 11, 12, 13, 12, 11, 10, 9, 8, 9, 10, 11, 12, 13], dtype=float
    )
    times = np.arange(len(close), dtype=np.int64) * 86_400 * 10**9
    return bridge.candle_series_from_arrays(times, close, close + 1, close - 1, close, np.ones(len(close)))


def _sma_cross(fast: int, slow: int, volume: float):
    from pystocksharp import bridge

    strategy = bridge.catalog_factory("sma_cross")()
    bridge.set_parameters(strategy, {"fast": fast, "slow": slow, "volume": volume})
    return strategy


@pytest.mark.engine
def test_arrow_c_data_export_equals_the_bulk_copy_fallback() -> None:
    from pystocksharp import bridge

    settings = bridge.emulation_settings(
        capital=1000,
        commission=0.001,
        commission_per_unit=0,
        min_commission=0,
        slippage=0,
        slippage_steps=0,
        fill="next-open",
        leverage=1,
    )
    result = bridge.run(_sma_cross(2, 4, 3), _goog_like_series(), settings)
    via_c = bridge.result_batches(result)
    via_copy = bridge.result_batches(result, use_c_data=False)
    assert result.FillCount > 2
    for name in ("fills", "equity", "orders"):
        assert via_c[name].schema.equals(via_copy[name].schema), name
        assert via_c[name].equals(via_copy[name]), name
    fills = via_c["fills"]
    assert fills.schema.field("time").type == pa.timestamp("ns", tz="UTC")
    assert fills.column_names == [
        "time",
        "side",
        "price",
        "volume",
        "commission",
        "order_id",
        "bar",
        "realized_pnl",
    ]
    assert set(fills.column("side").to_pylist()) == {1, -1}
    # commission = 0.001 * price * volume on every fill
    np.testing.assert_allclose(
        fills.column("commission").to_numpy(),
        0.001 * fills.column("price").to_numpy() * fills.column("volume").to_numpy(),
    )


@pytest.mark.engine
def test_set_parameters_reports_every_problem_naming_the_known_ones() -> None:
    from pystocksharp import bridge

    strategy = bridge.catalog_factory("sma_cross")()
    with pytest.raises(InputError) as err:
        bridge.set_parameters(strategy, {"fast": "x", "slow": 0, "fsat": 3})
    problems = {p.field: p.message for p in err.value.problems}
    assert problems == {
        "fast": "expected a whole number (Int32), got String 'x'",
        "slow": "value 0 outside the allowed range [1, 100000]",
        "fsat": "unknown parameter 'fsat' for strategy 'sma_cross'; known parameters: fast, slow, volume",
    }
    bridge.set_parameters(
        strategy, {"fast": "7", "volume": np.float64(2.5)}
    )  # text and numpy scalars convert
    assert {p.name: p.value for p in bridge.strategy_parameters(strategy)} == {
        "fast": 7,
        "slow": 20,
        "volume": 2.5,
    }


@pytest.mark.engine
def test_strategy_parameters_describe_the_declaration() -> None:
    from pystocksharp import bridge

    params = {p.name: p for p in bridge.strategy_parameters(bridge.catalog_factory("sma_cross")())}
    fast = params["fast"]
    assert (fast.type, fast.default, fast.min, fast.max) == ("int", 10, 1, 100000)
    assert (fast.can_optimize, fast.optimize_from, fast.optimize_to, fast.optimize_step) == (True, 5, 50, 5)
    assert params["volume"].type == "float" and params["volume"].can_optimize is False


@pytest.mark.engine
def test_unknown_builtin_lists_the_catalog() -> None:
    from pystocksharp import bridge

    with pytest.raises(InputError) as err:
        bridge.catalog_factory("nope")
    assert "sma_cross" in str(err.value)
