"""Report inputs -> the JSON data embedded in a page (downsampled, formatted, NaN-free).

Times in the payload: seconds since the epoch for Lightweight Charts (``*_s``),
milliseconds for plotly date axes (``*_ms``). Tables carry raw values (for sorting) and
the text shown (formatted once, here, by :mod:`pystocksharp.reports.formatting`).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.benchmark import growth_of
from pystocksharp.metrics.core import infer_periods_per_year
from pystocksharp.reports.data import (
    RunReport,
    SummaryReport,
    ValidationReport,
    indicator_kind,
    to_utc_ns,
)
from pystocksharp.reports.derive import (
    drawdown_periods,
    drawdown_series,
    monthly_returns,
    rolling_sharpe,
    yearly_returns,
)
from pystocksharp.reports.downsample import (
    DEFAULT_MAX_POINTS,
    bucket_candles,
    minmax_indices,
    snap_to_buckets,
)
from pystocksharp.reports.formatting import (
    MISSING,
    Unit,
    format_many,
    format_value,
    label_of,
    price_decimals,
    step_decimals,
    unit_of,
)

NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000
DAY_NS = 86_400 * NS_PER_S

PARCOORDS_MAX_LINES = 2_000
"""Parallel coordinates draw the best this many combinations (every one is in the histogram)."""

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Column:
    """A table column: source column ``key``, header ``label``, display ``unit``."""

    key: str
    label: str
    unit: Unit
    decimals: int = 2


def clean(values: Any, digits: int | None = None) -> list[Any]:
    """A numeric column as a JSON list: NaN/inf -> None, optionally rounded."""
    arr = np.asarray(values, dtype=float)
    if digits is not None:
        arr = np.round(arr, digits)
    out = arr.tolist()
    if not np.isfinite(arr).all():
        out = [v if math.isfinite(v) else None for v in out]
    return out


def _is_intraday(ns: np.ndarray) -> bool:
    return bool(len(ns)) and bool(np.any(ns % DAY_NS != 0))


def format_times(ns: np.ndarray, *, intraday: bool) -> list[str]:
    """UTC times as ``YYYY-MM-DD`` (daily data) or ``YYYY-MM-DD HH:MM``; NaT -> em dash."""
    ns = np.asarray(ns, dtype=np.int64)
    if ns.size == 0:
        return []
    bad = ns == np.iinfo(np.int64).min
    unit = "m" if intraday else "D"
    times = ns.astype("datetime64[ns]").astype(f"datetime64[{unit}]")
    text = np.datetime_as_string(times, unit=unit)  # type: ignore[call-overload]
    text = np.char.replace(text.astype(str), "T", " ")
    return [MISSING if b else t for t, b in zip(text.tolist(), bad.tolist(), strict=True)]


def _time_column_ns(series: pd.Series) -> np.ndarray:
    out = np.full(len(series), np.iinfo(np.int64).min, dtype=np.int64)
    ok = ~pd.isna(series).to_numpy()
    if ok.any():
        out[ok] = to_utc_ns(series[ok])
    return out


def table(frame: pd.DataFrame, columns: Sequence[Column], *, intraday: bool = False) -> dict[str, Any]:
    """A sortable table: ``columns`` (key, label, unit), ``rows`` (raw values) and ``text``.

    Time columns (unit TEXT with key ending in ``time`` or a datetime dtype) sort by
    milliseconds; missing numbers sort as null (last).
    """
    raw_cols: list[list[Any]] = []
    text_cols: list[list[str]] = []
    for col in columns:
        series = frame[col.key] if col.key in frame.columns else pd.Series([None] * len(frame))
        if _is_time(series, col.key):
            ns = _time_column_ns(series)
            raw_cols.append([None if v == np.iinfo(np.int64).min else v // NS_PER_MS for v in ns.tolist()])
            text_cols.append(format_times(ns, intraday=intraday))
        elif col.unit is Unit.TEXT or not pd.api.types.is_numeric_dtype(series.dtype):
            raw_cols.append(["" if pd.isna(v) else str(v) for v in series.tolist()])
            text_cols.append(["" if pd.isna(v) else str(v) for v in series.tolist()])
        else:
            values = series.to_numpy(dtype=float)
            raw_cols.append(clean(values))
            text_cols.append(format_many(values, col.unit, decimals=col.decimals))
    rows = [list(r) for r in zip(*raw_cols, strict=True)] if raw_cols else []
    text = [list(r) for r in zip(*text_cols, strict=True)] if text_cols else []
    return {
        "columns": [{"key": c.key, "label": c.label, "unit": c.unit.value} for c in columns],
        "rows": rows,
        "text": text,
    }


def _is_time(series: pd.Series, key: str) -> bool:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return True
    return key.endswith("time") or key in {"peak", "trough", "recovery"} or key.endswith(("_start", "_end"))


def _side_sign(side: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(side.dtype):
        return np.sign(side.to_numpy(dtype=float)).astype(int)
    text = side.astype(str).str.lower()
    return np.where(text.isin(["long", "buy", "1", "+1"]), 1, -1)


def run_payload(report: RunReport, *, max_points: int = DEFAULT_MAX_POINTS) -> dict[str, Any]:
    """The data of a run page (see module docstring for units)."""
    candles = report.candles.copy()
    candle_ns = to_utc_ns(candles["time"])
    candles["time"] = candle_ns
    intraday = _is_intraday(candle_ns)
    step = report.settings.get("price_step")
    decimals = (
        step_decimals(float(step))
        if isinstance(step, int | float) and step > 0
        else price_decimals(candles["close"].to_numpy(dtype=float))
    )  # the instrument's precision when its price step is known
    shown = bucket_candles(candles, max_points)
    comparison = comparison_curve(report)
    bucket_ns = shown["time"].to_numpy(dtype=np.int64)
    price = {
        "time_s": (bucket_ns // NS_PER_S).tolist(),
        "open": clean(shown["open"], decimals),
        "high": clean(shown["high"], decimals),
        "low": clean(shown["low"], decimals),
        "close": clean(shown["close"], decimals),
        "volume": clean(shown["volume"], 2),
        "bars": len(candles),
        "bucket": int(math.ceil(len(candles) / max(len(shown), 1))),
        "decimals": decimals,
        "intraday": intraday,
    }
    return {
        "price": price,
        "indicators": _indicators(report, bucket_ns),
        "trades": _trades(report, bucket_ns, decimals, intraday),
        "fills": _fills(report, bucket_ns),
        "equity": _equity(report, max_points, comparison),
        "trade_returns": clean(report.round_trips["return"], 6),
        "monthly": _monthly(report),
        "yearly": _yearly(report, comparison),
        "rolling_sharpe": _rolling_sharpe(report, comparison, max_points),
        "drawdowns": _drawdowns(report, intraday),
        "costs": _costs(report),
        "attribution": _attribution(report),
        "correlation": _correlation(report),
        "capacity": _capacity(report),
    }


def _indicators(report: RunReport, bucket_ns: np.ndarray) -> list[dict[str, Any]]:
    """Each indicator at the displayed candles' times, with ``kind``: ``"price"`` (overlay) or ``"pane"``."""
    out = []
    for name, series in report.indicators.items():
        kind = report.indicator_panes.get(name) or indicator_kind(series, report.candles)
        s = series.dropna()
        ns = to_utc_ns(pd.Series(s.index))
        order = np.argsort(ns, kind="stable")
        ns, values = ns[order], s.to_numpy(dtype=float)[order]
        # value at each displayed candle's time: the last indicator value at or before it
        pos = np.searchsorted(ns, bucket_ns, side="right") - 1
        keep = pos >= 0
        out.append(
            {
                "name": str(name),
                "kind": kind,
                "time_s": (bucket_ns[keep] // NS_PER_S).tolist(),
                "value": clean(values[pos[keep]], 6),
            }
        )
    return out


def trade_columns(frame: pd.DataFrame, decimals: int) -> list[Column]:
    """Columns of the trade list: the standard round-trip columns then any extras."""
    cols = [
        Column("entry_time", "Entry", Unit.TEXT),
        Column("exit_time", "Exit", Unit.TEXT),
        Column("side", "Side", Unit.TEXT),
        Column("volume", "Volume", Unit.NUMBER),
        Column("entry_price", "Entry price", Unit.PRICE, decimals),
        Column("exit_price", "Exit price", Unit.PRICE, decimals),
        Column("pnl", "PnL", Unit.MONEY),
        Column("return", "Return", Unit.PERCENT),
    ]
    known = {c.key for c in cols}
    extras = [Column(k, label_of(k), unit_of(k)) for k in frame.columns if k not in known]
    return cols + extras


def _trades(report: RunReport, bucket_ns: np.ndarray, decimals: int, intraday: bool) -> dict[str, Any]:
    trips = report.round_trips.reset_index(drop=True).copy()
    sign = _side_sign(trips["side"]) if len(trips) else np.zeros(0, dtype=int)
    trips["side"] = np.where(sign > 0, "long", "short")
    spec = table(trips, trade_columns(trips, decimals), intraday=intraday)
    entry_ns = _time_column_ns(trips["entry_time"])
    exit_ns = _time_column_ns(trips["exit_time"])
    spec["entry_bar_s"] = (snap_to_buckets(entry_ns, bucket_ns) // NS_PER_S).tolist()
    spec["exit_bar_s"] = (snap_to_buckets(exit_ns, bucket_ns) // NS_PER_S).tolist()
    spec["entry_s"] = (entry_ns // NS_PER_S).tolist()
    spec["exit_s"] = (exit_ns // NS_PER_S).tolist()
    spec["sign"] = sign.tolist()
    spec["win"] = (trips["pnl"].to_numpy(dtype=float) > 0).tolist()
    return spec


def _fills(report: RunReport, bucket_ns: np.ndarray) -> dict[str, Any]:
    """Engine fills pinned to displayed candles: bar time (s), side (+1/-1), price, volume."""
    fills = report.fills
    if fills is None or fills.empty:
        return {"bar_s": [], "side": [], "price": [], "volume": []}
    ns = to_utc_ns(fills["time"])
    return {
        "bar_s": (snap_to_buckets(ns, bucket_ns) // NS_PER_S).tolist(),
        "side": _side_sign(fills["side"]).tolist(),
        "price": clean(fills["price"]),
        "volume": clean(fills["volume"]),
    }


def _equity(report: RunReport, max_points: int, comparison: Comparison | None) -> dict[str, Any]:
    eq = report.equity
    ns = to_utc_ns(eq["time"])
    values = eq["equity"].to_numpy(dtype=float)
    dd = eq["drawdown"].to_numpy(dtype=float) if "drawdown" in eq.columns else drawdown_series(values)
    keep = np.union1d(minmax_indices(values, max_points // 2), minmax_indices(dd, max_points // 2))
    return {
        "time_ms": (ns[keep] // NS_PER_MS).tolist(),
        "equity": clean(values[keep], 2),
        "drawdown": clean(dd[keep], 6),
        "benchmark": None if comparison is None else clean(comparison.values[keep], 2),
        "benchmark_label": "" if comparison is None else html.escape(comparison.label),  # plotly: trace names are HTML
        "points": len(values),
    }


@dataclass(frozen=True)
class Comparison:
    """What a run page compares the strategy with: ``values`` the account value of the initial capital in it, one per
    equity row (NaN where unknown); ``label`` its name ("Benchmark SPX" or "Buy & hold GOOG")."""

    values: np.ndarray
    label: str


def comparison_curve(report: RunReport) -> Comparison | None:
    """The report's benchmark (:attr:`RunReport.benchmark`) grown from the initial capital, else buying and holding
    the traded instrument (:func:`buy_and_hold`); None when neither is known."""
    if report.benchmark is not None:
        grown = growth_of(_capital(report), report.benchmark)
        label = f"Benchmark {report.benchmark_label}".strip()
        return None if grown is None else Comparison(grown, label)
    held = buy_and_hold(report)
    return None if held is None else Comparison(held, f"Buy & hold {report.symbol}".strip())


def _capital(report: RunReport) -> float:
    capital = report.metrics.get("initial_capital")
    return float(capital) if isinstance(capital, int | float) and capital > 0 else float(report.equity["equity"].iloc[0])


def buy_and_hold(report: RunReport) -> np.ndarray | None:
    """The account value of buying the traded instrument with the whole initial capital at the first row's close and
    holding it (no costs, fractional units): ``capital * close / close[0]`` per equity row, the same rule as the
    stats' "Buy & Hold Return" (:func:`pystocksharp.notebook.buy_and_hold_return`). None without closes."""
    eq = report.equity
    if "close" not in eq.columns or not len(eq):
        return None
    close = eq["close"].to_numpy(dtype=float)
    if not (np.isfinite(close[0]) and close[0] > 0):
        return None
    return _capital(report) * close / close[0]


#: Rolling Sharpe window: this fraction of a year of rows (six months), at least :data:`ROLLING_MIN_ROWS`.
ROLLING_YEARS = 0.5
ROLLING_MIN_ROWS = 20


def _yearly(report: RunReport, comparison: Comparison | None) -> dict[str, Any]:
    """Calendar-year returns (fractions) of the strategy and of the comparison, on the strategy's years."""
    times = report.equity["time"]
    strategy = yearly_returns(times, report.equity["equity"].to_numpy(dtype=float), start=_capital(report))
    other = yearly_returns(times, comparison.values) if comparison is not None else pd.Series(dtype=float)
    return {
        "years": [str(y) for y in strategy.index],
        "strategy": clean(strategy.to_numpy(dtype=float), 6),
        "comparison": clean(other.reindex(strategy.index).to_numpy(dtype=float), 6) if comparison is not None else None,
        "comparison_label": "" if comparison is None else html.escape(comparison.label),
    }


def _rolling_sharpe(report: RunReport, comparison: Comparison | None, max_points: int) -> dict[str, Any]:
    """Annualized rolling Sharpe ratio over the last :data:`ROLLING_YEARS` of rows (``window`` rows) of the strategy
    and of the comparison; empty lists when the run is shorter than a window."""
    eq = report.equity
    periods = infer_periods_per_year(eq["time"])
    window = max(ROLLING_MIN_ROWS, round(periods * ROLLING_YEARS)) if periods else 0
    values = eq["equity"].to_numpy(dtype=float)
    if not periods or len(values) <= window:
        return {"time_ms": [], "strategy": [], "comparison": None, "window": window, "label": ""}
    strategy = rolling_sharpe(values, window, periods)
    other = rolling_sharpe(comparison.values, window, periods) if comparison is not None else None
    keep = minmax_indices(strategy, max_points)
    ns = to_utc_ns(eq["time"])
    return {
        "time_ms": (ns[keep] // NS_PER_MS).tolist(),
        "strategy": clean(strategy[keep], 4),
        "comparison": None if other is None else clean(other[keep], 4),
        "comparison_label": "" if comparison is None else html.escape(comparison.label),
        "window": window,
        "label": f"{window} rows (≈ {ROLLING_YEARS * 12:.0f} months)",
    }


def _monthly(report: RunReport) -> dict[str, Any]:
    eq = report.equity
    if report.monthly_returns is not None:
        tbl = report.monthly_returns.reindex(columns=range(1, 13))
    elif len(eq) >= 2:
        tbl = monthly_returns(eq["time"], eq["equity"].to_numpy(dtype=float))
    else:
        return {"years": [], "months": list(MONTHS), "z": [], "text": []}
    z = tbl.to_numpy(dtype=float)
    return {
        "years": [str(y) for y in tbl.index],
        "months": list(MONTHS),
        "z": [clean(row, 6) for row in z],
        "text": [["" if not math.isfinite(v) else f"{v * 100:.1f}%" for v in row] for row in z.tolist()],
    }


def _drawdowns(report: RunReport, intraday: bool) -> dict[str, Any]:
    frame = report.drawdown_periods
    if frame is None:
        eq = report.equity
        frame = drawdown_periods(eq["time"], eq["equity"].to_numpy(dtype=float))
    cols = [
        Column("peak", "Peak", Unit.TEXT),
        Column("trough", "Trough", Unit.TEXT),
        Column("recovery", "Recovery", Unit.TEXT),
        Column("depth", "Depth", Unit.PERCENT),
    ]
    if "length" in frame.columns:
        cols.append(Column("length", "Length (bars)", Unit.COUNT))
    spec = table(frame, cols, intraday=intraday)
    recovery_idx = 2
    spec["text"] = [
        [
            *r[:recovery_idx],
            "not recovered" if r[recovery_idx] == MISSING else r[recovery_idx],
            *r[recovery_idx + 1 :],
        ]
        for r in spec["text"]
    ]
    return spec


ATTRIBUTION_TABLE = (
    Column("symbol", "Symbol", Unit.TEXT),
    Column("net_profit", "Net profit", Unit.MONEY),
    Column("realized_pnl", "Realized", Unit.MONEY),
    Column("unrealized_pnl", "Unrealized", Unit.MONEY),
    Column("commission", "Commission", Unit.MONEY),
    Column("slippage", "Slippage", Unit.MONEY),
    Column("long_net_profit", "Long PnL", Unit.MONEY),
    Column("short_net_profit", "Short PnL", Unit.MONEY),
    Column("long_round_trips", "Long trips", Unit.COUNT),
    Column("short_round_trips", "Short trips", Unit.COUNT),
    Column("exposure", "Exposure time", Unit.PERCENT),
    Column("gross_exposure", "Gross exposure", Unit.PERCENT),
    Column("turnover", "Turnover ×", Unit.NUMBER),
)
"""Columns of the per-symbol attribution table (units of ``docs/metrics.md``: turnover a multiple of the
average equity, exposures fractions shown as percent; ``exposure`` is ``exposure_time``, renamed because a key
ending in ``time`` makes a time column)."""

CAPACITY_TABLE = (
    Column("multiplier", "Costs ×", Unit.NUMBER),
    Column("net_profit", "Net profit", Unit.MONEY),
    Column("sharpe_ratio", "Sharpe ratio", Unit.RATIO),
    Column("total_return", "Total return", Unit.PERCENT),
    Column("max_drawdown", "Max drawdown", Unit.PERCENT),
    Column("commission", "Commission", Unit.MONEY),
    Column("slippage", "Slippage", Unit.MONEY),
    Column("cost_bps", "Cost (bps)", Unit.NUMBER, 1),
)


def _costs(report: RunReport) -> dict[str, Any] | None:
    """The trading-costs totals (money, bps of the notional) and the commission share of the cost (fraction)."""
    if report.costs is None:
        return None
    values = {k: report.costs[k] for k in ("fills", "commission", "slippage", "cost", "notional", "cost_bps")}
    out = {k: clean([v])[0] for k, v in values.items()}
    cost = float(values["cost"])
    out["commission_share"] = float(values["commission"]) / cost if cost > 0 else None
    return out


def _attribution(report: RunReport) -> dict[str, Any] | None:
    """The per-symbol table, with two symbols or more."""
    frame = report.attribution
    if frame is None or len(frame) < 2:
        return None
    return table(frame.reset_index(drop=True).rename(columns={"exposure_time": "exposure"}), ATTRIBUTION_TABLE)


def _correlation(report: RunReport) -> dict[str, Any] | None:
    """The correlation heatmap (rows and columns in symbol order), with two symbols or more."""
    corr = report.correlation
    if corr is None or len(corr) < 2:
        return None
    z = corr.to_numpy(dtype=float)
    return {
        "symbols": [str(s) for s in corr.columns],
        "z": [clean(row, 4) for row in z],
        "text": [[format_value(v, Unit.RATIO) for v in row] for row in z.tolist()],
    }


def _capacity(report: RunReport) -> dict[str, Any] | None:
    frame = report.capacity
    if frame is None or frame.empty:
        return None
    frame = frame.sort_values("multiplier", kind="stable").reset_index(drop=True)
    return {
        "multiplier": clean(frame["multiplier"]),
        "net_profit": clean(frame["net_profit"], 2),
        "sharpe_ratio": clean(frame["sharpe_ratio"], 4),
        "table": table(frame, [c for c in CAPACITY_TABLE if c.key in frame.columns]),
    }


# ---------------------------------------------------------------- summary


def _rank_order(summary: SummaryReport, ok: pd.DataFrame) -> pd.DataFrame:
    if summary.ranked:
        return ok
    metric = summary.ranking_metric
    return ok.sort_values(metric, ascending=not summary.higher_is_better, na_position="last", kind="stable")


def summary_payload(summary: SummaryReport, page_links: Sequence[str | None]) -> dict[str, Any]:
    """The data of a summary page; ``page_links[i]`` is row i's link (relative) or None."""
    combos = summary.combinations.reset_index(drop=True).copy()
    combos["_link"] = list(page_links)
    status = (
        combos["status"].astype(str).str.lower()
        if "status" in combos.columns
        else pd.Series("ok", index=combos.index)
    )
    failed_mask = status.ne("ok").to_numpy()
    ok = combos[~failed_mask]
    ranked = _rank_order(summary, ok)
    metric = summary.ranking_metric
    metric_cols = list(dict.fromkeys([metric, *summary.metric_columns]))
    top = ranked.head(summary.top_n).copy()
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    columns = [Column("rank", "#", Unit.COUNT)]
    columns += [
        Column(p, p, Unit.NUMBER if _numeric(combos[p]) else Unit.TEXT) for p in summary.parameter_names
    ]
    columns += [Column(m, label_of(m), unit_of(m)) for m in metric_cols]
    ranking = table(top, columns)
    ranking["links"] = [v if isinstance(v, str) and v else None for v in top["_link"].tolist()]
    ranking["param_count"] = len(summary.parameter_names)
    failed = combos[failed_mask]
    fail_cols = [
        Column(p, p, Unit.NUMBER if _numeric(combos[p]) else Unit.TEXT) for p in summary.parameter_names
    ]
    fail_cols.append(Column("error", "Error", Unit.TEXT))
    return {
        "metric": {
            "key": metric,
            "label": label_of(metric),
            "unit": unit_of(metric).value,
            "higher_is_better": summary.higher_is_better,
        },
        "counts": {"total": len(combos), "ok": int(len(ok)), "failed": int(failed_mask.sum())},
        "ranking": ranking,
        "grid": _grid(summary, ok),
        "distribution": clean(ok[metric], 6),
        "failed": table(failed, fail_cols),
        "validation": validation_payload(summary.validation) if summary.validation is not None else None,
    }


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def _grid(summary: SummaryReport, ok: pd.DataFrame) -> dict[str, Any]:
    """Ranking metric over the parameter grid: a heatmap (2 params), line (1), parcoords (3+).

    Parameters held at one value across the grid (e.g. ``volume=10``) are not dimensions.
    """
    params = [p for p in summary.parameter_names if p in ok.columns and ok[p].nunique(dropna=False) > 1]
    if not params:
        params = list(summary.parameter_names)[:1]
    metric = summary.ranking_metric
    values = ok[metric].to_numpy(dtype=float)
    if len(params) == 2:
        a, b = params
        pivot = ok.pivot_table(
            index=b, columns=a, values=metric, aggfunc="max" if summary.higher_is_better else "min"
        )
        return {
            "kind": "heatmap",
            "x_name": a,
            "y_name": b,
            "x": [_jsonable(v) for v in pivot.columns.tolist()],
            "y": [_jsonable(v) for v in pivot.index.tolist()],
            "z": [clean(row, 6) for row in pivot.to_numpy(dtype=float)],
        }
    if len(params) == 1:
        order = ok.sort_values(params[0], kind="stable")
        return {
            "kind": "line",
            "x_name": params[0],
            "x": [_jsonable(v) for v in order[params[0]]],
            "y": clean(order[metric], 6),
        }
    ok = _rank_order(summary, ok).head(PARCOORDS_MAX_LINES)
    values = ok[metric].to_numpy(dtype=float)
    dims = []
    for p in params:
        col = ok[p]
        if _numeric(col):
            dims.append({"label": p, "values": clean(col, 8)})
        else:
            codes, cats = pd.factorize(col.astype(str), sort=True)
            dims.append(
                {
                    "label": p,
                    "values": codes.tolist(),
                    "tickvals": list(range(len(cats))),
                    "ticktext": list(cats),
                }
            )
    return {
        "kind": "parcoords",
        "shown": len(ok),
        "dimensions": dims,
        "metric": clean(values, 6),
        "metric_label": label_of(metric),
    }


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v if isinstance(v, (int, float, str, bool)) or v is None else str(v)


def validation_payload(v: ValidationReport) -> dict[str, Any]:
    """Walk-forward, Monte Carlo, PBO and verdict data for the summary page."""
    keys = ("walk_forward", "oos_curve", "fan", "mc_final_returns", "mc_max_drawdowns", "pbo_logits", "verdicts")
    out: dict[str, Any] = dict.fromkeys(keys)
    if v.walk_forward is not None:
        wf = v.walk_forward.reset_index(drop=True)
        unit = unit_of(v.walk_forward_metric)
        metric_text = label_of(v.walk_forward_metric).lower()
        columns = [
            Column("window", "Window", Unit.TEXT),
            Column("train_start", "Train from", Unit.TEXT),
            Column("train_end", "Train to", Unit.TEXT),
            Column("test_start", "Test from", Unit.TEXT),
            Column("test_end", "Test to", Unit.TEXT),
        ]
        if "parameters" in wf.columns:
            columns.append(Column("parameters", "Parameters", Unit.TEXT))
        columns += [Column("is_value", f"IS {metric_text}", unit), Column("oos_value", f"OOS {metric_text}", unit)]
        if "oos_trades" in wf.columns:
            columns.append(Column("oos_trades", "OOS trades", Unit.COUNT))
        out["walk_forward"] = {
            "metric": label_of(v.walk_forward_metric),
            "unit": unit.value,
            "window": [str(w) for w in wf["window"]],
            "train_start_ms": (to_utc_ns(wf["train_start"]) // NS_PER_MS).tolist(),
            "train_end_ms": (to_utc_ns(wf["train_end"]) // NS_PER_MS).tolist(),
            "test_start_ms": (to_utc_ns(wf["test_start"]) // NS_PER_MS).tolist(),
            "test_end_ms": (to_utc_ns(wf["test_end"]) // NS_PER_MS).tolist(),
            "is_value": clean(wf["is_value"], 6),
            "oos_value": clean(wf["oos_value"], 6),
            "table": table(wf, columns),
        }
        if v.oos_equity is not None and len(v.oos_equity):
            out["oos_curve"] = _oos_curve(v.oos_equity, wf)
    if v.monte_carlo_fan is not None:
        fan = v.monte_carlo_fan
        out["fan"] = {k: clean(fan[k], 6) for k in ("step", "p05", "p25", "p50", "p75", "p95")}
    if v.monte_carlo_final_returns is not None:
        out["mc_final_returns"] = clean(v.monte_carlo_final_returns, 6)
    if v.monte_carlo_max_drawdowns is not None:
        out["mc_max_drawdowns"] = clean(v.monte_carlo_max_drawdowns, 6)
    if v.pbo_logits is not None:
        out["pbo_logits"] = clean(v.pbo_logits, 6)
    if v.verdicts is not None:
        vt = v.verdicts.reset_index(drop=True).copy()
        for col in ("value", "threshold"):
            vt[col] = [_format_check_value(str(c), x) for c, x in zip(vt["check"], vt[col], strict=True)]
        cols = [Column(c, label_of(c), Unit.TEXT) for c in ("check", "value", "threshold", "status")]
        if "reason" in vt.columns:
            cols.append(Column("reason", "Reason", Unit.TEXT))
        out["verdicts"] = table(vt, cols)
    return out


OOS_CURVE_MAX_POINTS = 4_000
"""Points of the stitched OOS curve drawn (over all windows; extremes kept per window)."""


def _oos_curve(equity: pd.DataFrame, wf: pd.DataFrame) -> dict[str, Any]:
    """The stitched OOS equity split into one segment per window (a bar belongs to the last window whose test
    starts at or before it), each with the window's label and chosen parameters (HTML-escaped: plotly draws
    hover text as HTML)."""
    ns = to_utc_ns(equity["time"])
    values = equity["equity"].to_numpy(dtype=float)
    starts = to_utc_ns(wf["test_start"])
    owner = np.clip(np.searchsorted(starts, ns, side="right") - 1, 0, len(wf) - 1)
    params = wf["parameters"].astype(str).tolist() if "parameters" in wf.columns else [""] * len(wf)
    budget = max(OOS_CURVE_MAX_POINTS // max(len(wf), 1), 50)
    segments = []
    for i in range(len(wf)):
        idx = np.flatnonzero(owner == i)
        if idx.size == 0:
            continue
        keep = idx[minmax_indices(values[idx], budget)]
        segments.append(
            {
                "window": html.escape(str(wf["window"].iloc[i])),
                "parameters": html.escape(params[i]),
                "start_ms": int(ns[idx[0]] // NS_PER_MS),
                "time_ms": (ns[keep] // NS_PER_MS).tolist(),
                "equity": clean(values[keep], 2),
            }
        )
    return {"segments": segments, "points": len(values)}


_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.%])")


def _format_check_value(check: str, value: Any) -> str:
    """A verdict value or threshold in the check's unit: a fraction check (``pbo``, ``probability_of_ruin``)
    shows its value and the numbers of its threshold text as percent (``warn > 0.01`` -> ``warn > 1%``)."""
    if isinstance(value, str) or value is None:
        text = value or ""
        if unit_of(check) is Unit.PERCENT:
            text = _NUMBER.sub(lambda m: f"{float(m.group()) * 100:g}%", text)
        return text
    return format_many([value], unit_of(check))[0]
