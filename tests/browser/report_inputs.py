"""Report inputs for tests and the bench, from real price data and hand-made round trips.

Prices are the GOOG daily sample. The round trips below are typed in by hand (the
prices are that sample's opens on those dates; pnl = side x (exit - entry) x volume,
return = side x (exit / entry - 1), worked out once and written as literals). No
strategy is simulated here: fills only ever come from the engine.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

import pystocksharp
from pystocksharp.reports import RunReport

SAMPLE = Path(pystocksharp.__file__).parent / "sample_data" / "GOOG_1d.csv"

# entry date, exit date, side, volume, entry price, exit price, pnl, return
HANDMADE_ROUND_TRIPS = [
    ("2004-09-17", "2004-10-22", -1, 10, 114.42, 170.54, -561.2, -0.490474),
    ("2004-12-28", "2005-02-14", +1, 10, 192.11, 182.85, -92.6, -0.048202),
    ("2005-04-08", "2005-06-07", +1, 10, 193.69, 297.1, 1034.1, 0.533894),
    ("2005-07-19", "2005-09-27", -1, 10, 302.1, 314.95, -128.5, -0.042536),
    ("2005-10-26", "2005-12-01", +1, 10, 346.28, 409.2, 629.2, 0.181703),
    ("2006-02-07", "2006-03-27", +1, 10, 382.99, 367.09, -159.0, -0.041515),
    ("2006-05-18", "2006-07-18", -1, 10, 378.78, 409.75, -309.7, -0.081763),
    ("2006-08-28", "2006-11-06", +1, 10, 375.61, 473.77, 981.6, 0.261335),
    ("2006-12-06", "2007-01-16", +1, 10, 486.96, 507.55, 205.9, 0.042283),
    ("2007-03-21", "2007-05-08", -1, 10, 445.3, 466.13, -208.3, -0.046777),
    ("2007-06-29", "2007-08-28", +1, 10, 526.02, 511.53, -144.9, -0.027546),
    ("2007-10-09", "2007-12-18", +1, 10, 615.11, 674.16, 590.5, 0.095999),
    ("2008-01-18", "2008-02-26", -1, 10, 608.36, 461.2, 1471.6, 0.241896),
    ("2008-04-30", "2008-06-17", +1, 10, 562.21, 576.35, 141.4, 0.025151),
    ("2008-08-08", "2008-10-07", +1, 10, 480.15, 373.33, -1068.2, -0.222472),
    ("2008-11-17", "2009-01-29", -1, 10, 303.0, 344.54, -415.4, -0.137096),
    ("2009-03-02", "2009-04-06", +1, 10, 333.33, 367.0, 336.7, 0.101011),
    ("2009-06-10", "2009-07-28", +1, 10, 436.23, 441.0, 47.7, 0.010935),
    ("2009-09-18", "2009-11-16", -1, 10, 496.77, 575.0, -782.3, -0.157477),
    ("2009-12-29", "2010-03-11", +1, 10, 624.74, 574.26, -504.8, -0.080802),
    ("2010-04-12", "2010-05-17", +1, 10, 567.35, 506.78, -605.7, -0.106759),
    ("2010-07-21", "2010-09-07", -1, 10, 484.0, 464.5, 195.0, 0.040289),
    ("2010-10-28", "2010-12-28", +1, 10, 620.05, 602.05, -180.0, -0.02903),
    ("2011-02-08", "2011-04-19", +1, 10, 614.93, 529.95, -849.8, -0.138195),
    ("2011-05-19", "2011-06-24", -1, 10, 532.73, 480.68, 520.5, 0.097704),
    ("2011-08-29", "2011-10-14", +1, 10, 534.56, 599.47, 649.1, 0.121427),
    ("2011-12-07", "2012-02-07", +1, 10, 621.68, 607.15, -145.3, -0.023372),
    ("2012-03-20", "2012-05-30", -1, 10, 630.92, 588.16, 427.6, 0.067774),
    ("2012-06-28", "2012-08-03", +1, 10, 565.9, 640.0, 741.0, 0.130942),
    ("2012-10-08", "2012-11-27", +1, 10, 761.0, 660.17, -1008.3, -0.132497),
]


def goog_candles() -> pd.DataFrame:
    """The GOOG daily sample as time, open, high, low, close, volume (UTC)."""
    frame = pd.read_csv(SAMPLE)
    frame["time"] = pd.to_datetime(frame.pop("timestamp"), utc=True)
    return frame[["time", "open", "high", "low", "close", "volume"]]


def handmade_round_trips() -> pd.DataFrame:
    """The 30 hand-made round trips above as a round-trip table."""
    cols = ["entry_time", "exit_time", "side", "volume", "entry_price", "exit_price", "pnl", "return"]
    frame = pd.DataFrame(HANDMADE_ROUND_TRIPS, columns=cols)
    frame["entry_time"] = pd.to_datetime(frame["entry_time"], utc=True)
    frame["exit_time"] = pd.to_datetime(frame["exit_time"], utc=True)
    return frame


def standin_equity(candles: pd.DataFrame, capital: float = 10_000.0) -> pd.DataFrame:
    """A stand-in equity curve: ``capital`` x close / first close (a display fixture, not a backtest)."""
    close = candles["close"].to_numpy(dtype=float)
    return pd.DataFrame({"time": candles["time"], "equity": capital * close / close[0]})


def sample_run_report(**overrides: object) -> RunReport:
    """A complete :class:`RunReport` over the GOOG sample with the hand-made round trips."""
    candles = goog_candles()
    sma = candles.set_index("time")["close"].rolling(20).mean()
    fields: dict[str, object] = {
        "strategy": "sma_cross",
        "candles": candles,
        "equity": standin_equity(candles),
        "round_trips": handmade_round_trips(),
        "metrics": {"total_return": 0.1234, "max_drawdown": -0.2012, "sharpe_ratio": 1.2345, "win_rate": 0.4},
        "parameters": {"fast": 10, "slow": 20},
        "symbol": "GOOG",
        "timeframe": "1d",
        "engine_version": "test",
        "indicators": {"SMA 20": sma},
    }
    fields.update(overrides)
    return RunReport(**fields)  # type: ignore[arg-type]


def grid_combinations(fast: range, slow: range, *, seed: int = 7) -> pd.DataFrame:
    """A fast x slow parameter grid with made-up, seeded metric values (display fixture)."""
    rng = np.random.default_rng(seed)
    f, s = np.meshgrid(np.array(fast), np.array(slow), indexing="ij")
    n = f.size
    return pd.DataFrame(
        {
            "fast": f.ravel(),
            "slow": s.ravel(),
            "sharpe_ratio": np.round(rng.normal(0.5, 0.4, n), 4),
            "total_return": np.round(rng.normal(0.1, 0.2, n), 4),
            "max_drawdown": np.round(-rng.uniform(0.05, 0.5, n), 4),
            "round_trips": rng.integers(5, 200, n),
            "status": "ok",
            "error": "",
        }
    )


def _json(path: Path, obj: object) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, default=str), encoding="utf-8")


def write_combination_folder(folder: Path, report: RunReport, parameter_hash: str) -> Path:
    """A combination folder in the artifacts layout (plain JSON/Parquet) holding ``report``'s data."""
    trips = report.round_trips.rename(columns={"return": "return_fraction"})
    records = trips.assign(
        entry_time=trips["entry_time"].map(lambda t: t.isoformat()),
        exit_time=trips["exit_time"].map(lambda t: t.isoformat()),
    ).to_dict("records")
    _json(folder / "trades.json", {"schema_version": 1, "fills": [], "round_trips": records})
    _json(folder / "performance-metrics.json", {"schema_version": 1, **report.metrics, "profit_factor": None})
    _json(
        folder / "strategy-config.json",
        {
            "schema_version": 1,
            "strategy": {"name": report.strategy},
            "parameters": dict(report.parameters),
            "parameter_hash": parameter_hash,
            "data": {"symbol": report.symbol, "timeframe": report.timeframe},
        },
    )
    first, last = report.candles["time"].iloc[0], report.candles["time"].iloc[-1]
    _json(
        folder / "market-data.json",
        {"schema_version": 1, "symbol": report.symbol, "timeframe": report.timeframe, "path": str(SAMPLE),
         "bars": len(report.candles), "first_timestamp": first.isoformat(), "last_timestamp": last.isoformat()},
    )  # fmt: skip
    _json(
        folder / "manifest.json", {"schema_version": 1, "engine_version": report.engine_version, "files": []}
    )
    report.equity.to_parquet(folder / "equity.parquet", index=False)
    return folder


def write_optimization_run(run_dir: Path, combos: pd.DataFrame, keep: int = 3) -> dict[str, Path]:
    """An optimization run folder: results table + the best ``keep`` combination folders.

    ``combos`` is a :func:`grid_combinations` table; rows get ``parameter_hash`` values
    ``sha256:<row>``; the kept folders use :func:`sample_run_report` with their parameters.
    Returns parameter hash -> combination folder.
    """
    table = combos.copy()
    table.insert(0, "parameter_hash", [f"sha256:{i:064x}" for i in range(len(table))])
    table["error"] = table["error"].where(table["status"] != "ok", None)
    table = table.drop(columns=["status"]).sort_values("sharpe_ratio", ascending=False, kind="stable")
    opt = run_dir / "optimization"
    opt.mkdir(parents=True, exist_ok=True)
    table.to_parquet(opt / "optimization-results.parquet", index=False)
    metrics = [c for c in table.columns if c not in {"parameter_hash", "fast", "slow", "error"}]
    _json(opt / "optimization-results.json", {"parameter_names": ["fast", "slow"], "metric_names": metrics})
    _json(
        opt / "manifest.json",
        {"strategy": {"name": "sma_cross"}, "data": {"symbol": "GOOG", "timeframe": "1d"}},
    )
    folders = {}
    for _, row in table[table["error"].isna()].head(keep).iterrows():
        h = str(row["parameter_hash"])
        params = {"fast": int(row["fast"]), "slow": int(row["slow"])}
        folders[h] = write_combination_folder(opt / h[-12:], sample_run_report(parameters=params), h)
    return folders


def page_data(html: Path) -> dict:
    """The data a report page carries (its ``report-data`` JSON script)."""
    text = html.read_text(encoding="utf-8")
    m = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', text, re.S)
    assert m is not None
    return json.loads(m.group(1))
