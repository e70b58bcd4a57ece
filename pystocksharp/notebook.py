"""Results in a notebook: ``stats`` as a labelled pandas Series, compact HTML summaries, short console
reprs and the report pages inline.

The result classes keep thin methods that call these functions:

- :attr:`BacktestResult.stats <pystocksharp.BacktestResult.stats>` -> :func:`backtest_stats`
  (labels in the spirit of backtesting.py's stats, units in the labels, values from
  :func:`pystocksharp.metrics.compute_metrics`; which metric each label shows is :data:`STATS`);
- ``_repr_html_`` / ``__repr__`` of backtest, optimization and validation results and of a
  :class:`~pystocksharp.validation.Verdict` -> :func:`backtest_html`, :func:`optimization_html`,
  :func:`validation_html`, :func:`verdict_html` and the ``*_repr`` functions;
- ``.plot()`` of backtest and optimization results -> :func:`backtest_page`,
  :func:`optimization_page`: the run / summary page of :mod:`pystocksharp.reports` (the same page
  ``pystocksharp report`` writes, every script inline, no network) in a :class:`ReportPage`, which
  a notebook shows in an ``<iframe srcdoc=...>``.

Nothing here runs the engine or imports pythonnet. Every string put into HTML is escaped.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.artifacts.export import ranked_then_rest
from pystocksharp.artifacts.writer import metric_columns
from pystocksharp.io import atomic_write_text
from pystocksharp.metrics import DrawdownPeriod, PerformanceMetrics, metrics_of_backtest
from pystocksharp.metrics.compare import scalar_dict
from pystocksharp.metrics.core import drawdown_periods
from pystocksharp.reports.adapters import run_report_from_backtest
from pystocksharp.reports.build import summary_from_table
from pystocksharp.reports.formatting import MISSING, Unit, format_duration, format_value, label_of, unit_of
from pystocksharp.reports.render import run_page_html, summary_page_html

# ---- stats ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatRow:
    """One row of :func:`backtest_stats`: its label, where its value comes from, how it is shown.

    ``source`` names the :class:`~pystocksharp.metrics.PerformanceMetrics` field
    (``performance-metrics.json``) the value is, or says how it is derived; ``percent`` rows
    are the fraction x 100.
    """

    label: str
    source: str
    unit: Unit
    percent: bool = False


#: The rows of :func:`backtest_stats` in order. ``[%]`` values are the metric x 100 (JSON keeps
#: fractions), ``[ccy]`` is money in the account currency (the data's), durations are
#: ``pandas.Timedelta``, Start and End UTC ``pandas.Timestamp``.
STATS: tuple[StatRow, ...] = (
    StatRow("Start", "start", Unit.TEXT),
    StatRow("End", "end", Unit.TEXT),
    StatRow("Duration", "end - start", Unit.DURATION),
    StatRow("Exposure Time [%]", "exposure_time", Unit.PERCENT, True),
    StatRow("Equity Final [ccy]", "final_equity", Unit.MONEY),
    StatRow(
        "Equity Peak [ccy]",
        "max(initial_capital, equity): the last running peak of the drawdowns",
        Unit.MONEY,
    ),
    StatRow("Commissions [ccy]", "commissions", Unit.MONEY),
    StatRow("Return [%]", "total_return", Unit.PERCENT, True),
    StatRow(
        "Buy & Hold Return [%]", "not a metric: last close / first close - 1 of the data", Unit.PERCENT, True
    ),
    StatRow("Return (Ann.) [%]", "annualized_return", Unit.PERCENT, True),
    StatRow("Volatility (Ann.) [%]", "volatility", Unit.PERCENT, True),
    StatRow("Sharpe Ratio", "sharpe_ratio", Unit.RATIO),
    StatRow("Sortino Ratio", "sortino_ratio", Unit.RATIO),
    StatRow("Calmar Ratio", "calmar_ratio", Unit.RATIO),
    StatRow("Max. Drawdown [%]", "max_drawdown", Unit.PERCENT, True),
    StatRow("Avg. Drawdown [%]", "average_drawdown", Unit.PERCENT, True),
    StatRow("Max. Drawdown Duration", "max of drawdown_periods[].duration (every period)", Unit.DURATION),
    StatRow("Avg. Drawdown Duration", "mean of drawdown_periods[].duration (every period)", Unit.DURATION),
    StatRow("# Trades", "round_trips", Unit.COUNT),
    StatRow("Win Rate [%]", "win_rate", Unit.PERCENT, True),
    StatRow("Best Trade [%]", "max of the round trips' return", Unit.PERCENT, True),
    StatRow("Worst Trade [%]", "min of the round trips' return", Unit.PERCENT, True),
    StatRow("Avg. Trade [%]", "mean of the round trips' return (arithmetic)", Unit.PERCENT, True),
    StatRow("Max. Trade Duration", "max of the round trips' holding_time", Unit.DURATION),
    StatRow("Avg. Trade Duration", "average_holding_time", Unit.DURATION),
    StatRow("Profit Factor", "profit_factor", Unit.RATIO),
    StatRow("Expectancy [ccy]", "expectancy", Unit.MONEY),
    StatRow("SQN", "sqn", Unit.RATIO),
)

_ROWS = {row.label: row for row in STATS}


def default_metrics(result: Any) -> PerformanceMetrics:
    """:func:`~pystocksharp.metrics.compute_metrics` of a backtest result as ``performance-metrics.json``
    has it (periods per year inferred, risk-free rate 0)."""
    return metrics_of_backtest(result)


def every_drawdown_period(result: Any) -> list[DrawdownPeriod]:
    """Every drawdown period of the run's equity, deepest first (the JSON lists the five deepest):
    :func:`pystocksharp.metrics.core.drawdown_periods`, the same rule as ``max_drawdown``."""
    equity = result.equity
    times = pd.DatetimeIndex(pd.to_datetime(equity["time"], utc=True))
    values = equity["equity"].to_numpy(dtype=float)
    return drawdown_periods(values, float(result.summary.initial_capital), times, top=len(values))


def buy_and_hold_return(result: Any) -> float:
    """Buy & hold of the backtest's data as a fraction: the **close** of its last bar over the close
    of its first bar, minus 1 (as backtesting.py; no costs, no position sizing). The bars are the data
    the run saw (``result.ohlcv``), else the closes the engine recorded with the equity."""
    ohlcv = getattr(result, "ohlcv", None)
    closes = ohlcv.frame["close"] if ohlcv is not None else result.equity["close"]
    close = closes.to_numpy(dtype=float)
    return float(close[-1] / close[0] - 1.0) if len(close) else math.nan


def backtest_stats(
    result: Any,
    *,
    metrics: PerformanceMetrics | None = None,
    periods_per_year: float | None = None,
    risk_free_rate: float = 0.0,
) -> pd.Series:
    """The run's statistics as a pandas Series labelled like backtesting.py's (rows: :data:`STATS`).

    Values are the run's :class:`~pystocksharp.metrics.PerformanceMetrics` (``metrics``, else
    computed once with ``periods_per_year`` (None: inferred) and ``risk_free_rate`` per year), in the
    units their labels name; only Buy & Hold (:func:`buy_and_hold_return`) is not a metric. Undefined
    values are NaN / NaT. ``attrs``: ``sources`` (label -> metric name or derivation), ``undefined``
    (label -> the metric's reason), ``periods_per_year`` and ``risk_free_rate`` used.
    """
    if metrics is None:
        metrics = metrics_of_backtest(
            result, periods_per_year=periods_per_year, risk_free_rate=risk_free_rate
        )
    m = metrics.model_dump(by_alias=False)
    trips = result.round_trips
    returns = trips["return"].to_numpy(dtype=float)
    holding = trips["holding_time"].to_numpy(dtype=float)
    durations = np.array([p.duration for p in every_drawdown_period(result)], dtype=float)
    start, end = _stamp(metrics.start), _stamp(metrics.end)
    values: dict[str, Any] = {
        "Start": start,
        "End": end,
        "Duration": end - start if start is not pd.NaT and end is not pd.NaT else pd.NaT,
        "Equity Peak [ccy]": max(metrics.initial_capital, float(result.equity["equity"].max())),
        "Buy & Hold Return [%]": buy_and_hold_return(result),
        "Max. Drawdown Duration": _max(durations),
        "Avg. Drawdown Duration": _mean(durations),
        "Best Trade [%]": _max(returns),
        "Worst Trade [%]": _min(returns),
        "Avg. Trade [%]": _mean(returns),
        "Max. Trade Duration": _max(holding),
    }
    undefined: dict[str, str] = {}
    out: dict[str, Any] = {}
    for row in STATS:
        raw = values[row.label] if row.label in values else m[row.source]
        if row.label not in values and raw is None:
            undefined[row.label] = metrics.undefined.get(row.source, "undefined")
        elif row.label in values and pd.isna(raw):
            undefined[row.label] = "no drawdown" if "Drawdown" in row.label else "no round trips"
        out[row.label] = _stat_value(row, raw)
    series = pd.Series(out, dtype=object, name=getattr(result, "strategy", None) or None)
    series.attrs.update(
        sources={row.label: row.source for row in STATS},
        undefined=undefined,
        periods_per_year=metrics.periods_per_year,
        risk_free_rate=metrics.risk_free_rate,
    )
    return series


def _stat_value(row: StatRow, raw: Any) -> Any:
    if row.unit is Unit.DURATION:
        if raw is None or pd.isna(raw):
            return pd.NaT
        return raw if isinstance(raw, pd.Timedelta) else pd.Timedelta(seconds=float(raw))
    if row.unit is Unit.TEXT:
        return raw
    if raw is None:
        return math.nan
    if row.unit is Unit.COUNT:
        return int(raw)
    return float(raw) * 100.0 if row.percent else float(raw)


def _stamp(value: Any) -> Any:
    return pd.NaT if value is None else pd.Timestamp(value).tz_convert("UTC")


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _max(values: np.ndarray) -> float:
    return float(values.max()) if len(values) else math.nan


def _min(values: np.ndarray) -> float:
    return float(values.min()) if len(values) else math.nan


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else math.nan


# ---- HTML pieces ---------------------------------------------------------------------------------

_BOX = (
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;line-height:1.4;max-width:980px"
)
_MUTED = "opacity:.7"
_CELL = "padding:2px 10px 2px 0;text-align:left;vertical-align:top;border:0"
_NUM = "padding:2px 10px 2px 0;text-align:right;vertical-align:top;border:0;font-variant-numeric:tabular-nums"
_TABLE = "border-collapse:collapse;margin:6px 0;border:0"
_STATUS_COLOURS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}


def esc(value: Any) -> str:
    """``value`` as text escaped for HTML text and attribute values."""
    return html.escape(str(value), quote=True)


def _status(status: str) -> str:
    colour = _STATUS_COLOURS.get(str(status), "inherit")
    return f'<b style="color:{colour}">{esc(str(status).upper())}</b>'


def _table(header: Sequence[str] | None, rows: Iterable[Sequence[tuple[str, bool]]]) -> str:
    """An HTML table; cells are ``(already escaped html, numeric)``; header texts are escaped here."""
    parts = [f'<table style="{_TABLE}">']
    if header is not None:
        cells = "".join(f'<th style="{_CELL};border-bottom:1px solid #8886">{esc(h)}</th>' for h in header)
        parts.append(f"<thead><tr>{cells}</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        cells = "".join(f'<td style="{_NUM if numeric else _CELL}">{text}</td>' for text, numeric in row)
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _box(kind: str, title: str, body: Sequence[str], hint: str) -> str:
    """A summary block: ``title`` and ``body`` are HTML already escaped, ``kind`` and ``hint`` text."""
    head = f"<div><b>{esc(kind)}</b> · {title}</div>"
    foot = f'<div style="{_MUTED}"><code>{esc(hint)}</code></div>' if hint else ""
    return f'<div style="{_BOX}">{head}{"".join(body)}{foot}</div>'


def _param_text(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    return str(value)


def _params_line(parameters: Mapping[str, Any]) -> str:
    return " · ".join(f"{esc(k)}={esc(_param_text(v))}" for k, v in parameters.items())


def _time_text(value: Any) -> str:
    if value is None or value is pd.NaT:
        return MISSING
    stamp = pd.Timestamp(value)
    if stamp.tz is not None:
        stamp = stamp.tz_convert("UTC")
    if stamp == stamp.normalize():
        return stamp.strftime("%Y-%m-%d")
    return stamp.strftime("%Y-%m-%d %H:%M")


def stat_text(label: str, value: Any) -> str:
    """The text of one :func:`backtest_stats` value (as the report pages format numbers)."""
    row = _ROWS.get(label)
    if value is None or value is pd.NaT or _nan(value):
        return MISSING
    if isinstance(value, pd.Timestamp):
        return _time_text(value)
    if isinstance(value, pd.Timedelta):
        return format_duration(value.total_seconds())
    if row is None:
        return str(value)
    if row.percent:
        return format_value(float(value) / 100.0, Unit.PERCENT)
    return format_value(value, row.unit)


def _metric_text(name: str, value: Any) -> str:
    return esc(format_value(value, unit_of(name)))


# ---- backtest ------------------------------------------------------------------------------------


def _run_title(result: Any) -> str:
    equity = result.equity
    times = equity["time"] if len(equity) else None
    where = " ".join(x for x in (str(result.symbol or ""), str(result.timeframe or "")) if x)
    parts = [esc(result.strategy)]
    if where:
        parts.append(esc(where))
    if times is not None:
        parts.append(f"{esc(_time_text(times.iloc[0]))} → {esc(_time_text(times.iloc[-1]))}")
    parts.append(f"{len(equity):,} bars")
    return " · ".join(parts)


def _settings_line(settings: Any) -> str:
    s = settings
    parts = [f"capital {format_value(s.capital, Unit.MONEY)}"]
    if s.commission:
        parts.append(f"commission {format_value(s.commission, Unit.PERCENT, decimals=3)}")
    if s.commission_per_unit:
        parts.append(f"commission/unit {s.commission_per_unit:g}")
    if s.min_commission:
        parts.append(f"min commission {s.min_commission:g}")
    if s.slippage:
        parts.append(f"slippage {format_value(s.slippage, Unit.PERCENT, decimals=3)}")
    if s.slippage_steps:
        parts.append(f"slippage {s.slippage_steps:g} steps")
    if s.leverage != 1:
        parts.append(f"leverage {s.leverage:g}")
    parts.append(f"fill {s.fill}")
    return esc(" · ".join(parts))


def backtest_html(result: Any, stats: pd.Series | None = None) -> str:
    """A compact HTML summary of a backtest: what ran, its parameters and settings, and
    :func:`backtest_stats` in two columns."""
    stats = backtest_stats(result) if stats is None else stats
    items = [
        (label, stat_text(label, value)) for label, value in stats.items() if label not in ("Start", "End")
    ]
    half = (len(items) + 1) // 2
    left, right = items[:half], items[half:]
    rows = []
    for i in range(half):
        cells = [(esc(left[i][0]), False), (esc(left[i][1]), True)]
        if i < len(right):
            cells += [
                (f'<span style="padding-left:18px">{esc(right[i][0])}</span>', False),
                (esc(right[i][1]), True),
            ]
        rows.append(cells)
    body = [
        f'<div style="{_MUTED}">{_params_line(result.parameters) or "no parameters"}</div>',
        f'<div style="{_MUTED}">{_settings_line(result.settings)}</div>',
        _table(None, rows),
    ]
    return _box("BacktestResult", _run_title(result), body, ".stats  .trades  .round_trips  .equity  .plot()")


def backtest_repr(result: Any) -> str:
    """One line for a console: what ran and the engine's headline numbers (nothing computed)."""
    s = result.summary
    equity = result.equity
    where = " ".join(x for x in (str(result.symbol or ""), str(result.timeframe or "")) if x)
    span = ""
    if len(equity):
        span = f", {_time_text(equity['time'].iloc[0])}..{_time_text(equity['time'].iloc[-1])}, {len(equity):,} bars"
    params = ", ".join(f"{k}={v!r}" for k, v in result.parameters.items())
    return (
        f"<BacktestResult {result.strategy}{f' on {where}' if where else ''}{span}: "
        f"final equity {format_value(s.final_equity, Unit.MONEY)} (net profit {s.net_profit:+,.2f}), "
        f"max drawdown {format_value(s.max_drawdown, Unit.PERCENT)}, {s.round_trips:,} round trips, "
        f"{s.fills:,} fills; params {params or 'none'}>"
    )


# ---- optimization --------------------------------------------------------------------------------

#: Columns of an optimization's HTML summary after the parameters and the ranking columns.
OPTIMIZATION_COLUMNS = (
    "net_profit",
    "total_return",
    "sharpe_ratio",
    "max_drawdown",
    "win_rate",
    "round_trips",
)
TOP_ROWS = 10


def strategy_label(spec: str) -> str:
    """``name`` of a strategy spec: the class of ``file.py:Class``, a file's stem, else the spec."""
    path, _, cls = str(spec).partition(":")
    if Path(path).suffix in (".py", ".cs"):
        return cls or Path(path).stem
    return str(spec)


def optimization_html(result: Any, *, top: int = TOP_ROWS) -> str:
    """A compact HTML summary of an optimization: counts (done, failed, passing the filters), the
    ranking and filters, the ``top`` rows of the ranking, and the first failures."""
    ranked = result.top(top)  # from the best kept online: a huge run's log is not read for it
    passing = result.passing_filters
    names = list(result.parameter_names)
    rank_columns = [k.column for k in result.rank]
    shown = [
        c
        for c in dict.fromkeys([*rank_columns, *OPTIMIZATION_COLUMNS])
        if c in ranked.columns and c not in names
    ]
    counts = [
        f"{result.completed:,}/{result.total:,} done",
        f"{result.failed:,} failed",
        f"{passing:,} ranked" + (" (passing the filters)" if result.filters else ""),
    ]
    title = " · ".join([esc(strategy_label(result.spec.strategy)), f"{esc(result.search)} search", *counts])
    body = []
    if result.interrupted:
        reason = f": {result.abort_reason}" if result.abort_reason else ""
        body.append(f'<div style="color:{_STATUS_COLOURS["warn"]}">interrupted{esc(reason)}</div>')
    how = "ranked by " + ", then ".join(esc(str(k)) for k in result.rank)
    if result.filters:
        how += " · filters: " + " and ".join(esc(f.text) for f in result.filters)
    body.append(f'<div style="{_MUTED}">{how} · out: {esc(result.out)}</div>')
    if len(ranked):
        rows = []
        for i, (_, row) in enumerate(ranked.head(top).iterrows(), start=1):
            cells = [(str(i), True)]
            cells += [(esc(_param_text(row[n])), False) for n in names]
            cells += [(_metric_text(c, row[c]), True) for c in shown]
            rows.append(cells)
        header = ["#", *names, *[label_of(c) for c in shown]]
        more = passing - len(ranked)
        body.append(_table(header, rows))
        if more > 0:
            body.append(f'<div style="{_MUTED}">… {more:,} more ranked rows: .ranked(), .table</div>')
    else:
        body.append("<div>no combination ranked (none succeeded or passed the filters)</div>")
    failures = result.failures if result.failed else []
    if len(failures):
        rows = [
            [
                (esc(", ".join(f"{n}={_param_text(r[n])}" for n in names)), False),
                (esc(_first_line(r["error"])), False),
            ]
            for _, r in failures.head(3).iterrows()
        ]
        body.append(f"<div>failures ({len(failures):,}, first {len(rows)}):</div>" + _table(None, rows))
    return _box(
        "OptimizationResult", title, body, ".table  .top(n)  .best  .failures  .plot()  .export(root)"
    )


def optimization_repr(result: Any) -> str:
    """One line for a console: counts and the best row's ranking value and parameters."""
    search = "" if result.search == "grid" else f" ({result.search} search)"
    text = (
        f"OptimizationResult({strategy_label(result.spec.strategy)}: {result.completed}/{result.total} done{search}, "
        f"{result.failed} failed"
    )
    best = result.best
    if best is not None and result.rank:
        key = result.rank[0].column
        params = ", ".join(f"{n}={_py(best[n])!r}" for n in result.parameter_names)
        value = best[key] if key in best.index else None
        shown = format_value(value, unit_of(key)) if value is not None else MISSING
        text += f"; best {key}={shown} at {params}"
    return text + f", out={result.out})"


def _first_line(text: Any) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# ---- validation ----------------------------------------------------------------------------------


def verdict_html(verdict: Any, *, title: bool = True) -> str:
    """A verdict's status, reasons and checks as HTML."""
    rows = [
        [
            (esc(c.check), False),
            (esc(MISSING if c.value is None else f"{c.value:.3f}"), True),
            (esc(c.threshold), False),
            (_status(c.status), False),
            (esc(c.reason), False),
        ]
        for c in verdict.checks
    ]
    body = [_table(["check", "value", "threshold", "status", "reason"], rows)] if rows else []
    if not title:
        return "".join(body)
    head = f"{_status(verdict.status)} · {esc(verdict.candidate)}"
    return _box("Verdict", head, body, "")


def validation_html(result: Any) -> str:
    """A compact HTML summary of a validation: what was validated, the verdict with its checks, the
    headline statistics and the selected configuration."""
    s = result.settings
    where = " ".join(x for x in (s.symbol, s.timeframe) if x)
    title = " · ".join(
        x
        for x in (
            esc(s.strategy),
            esc(where),
            f"{esc(_time_text(s.start))} → {esc(_time_text(s.end))}",
            f"verdict {_status(result.verdict.status)}",
        )
        if x
    )
    oos = result.walk_forward.oos_metrics
    stats: list[
        tuple[str, str, Any]
    ] = [  # label, metric name (its unit), value; labels as the pages show them
        ("Windows", "count", len(result.walk_forward.windows)),
        (label_of("walk_forward_efficiency"), "walk_forward_efficiency", result.walk_forward_efficiency),
        ("OOS sharpe ratio", "sharpe_ratio", oos.get("sharpe_ratio")),
        ("OOS total return", "total_return", oos.get("total_return")),
        ("OOS max drawdown", "max_drawdown", oos.get("max_drawdown")),
        ("PBO", "pbo", result.pbo),
        (label_of("deflated_sharpe_ratio"), "deflated_sharpe_ratio", result.deflated_sharpe_ratio),
    ]
    if result.monte_carlo is not None:
        stats.append(
            (label_of("probability_of_ruin"), "probability_of_ruin", result.monte_carlo.probability_of_ruin)
        )
    if result.holdout is not None:
        stats.append(("Holdout total return", "total_return", result.holdout.metrics.get("total_return")))
    rows = [[(esc(label), False), (_metric_text(unit, value), True)] for label, unit, value in stats]
    if result.holdout is not None:
        rows.append([(esc("Holdout"), False), (_status("pass" if result.holdout.passed else "fail"), True)])
    selected = result.selected
    body = [
        f'<div style="{_MUTED}">rank {esc(s.rank)} · train {esc(s.train)} · test {esc(s.test)}'
        f" · holdout {esc(s.holdout or 'none')} · Monte Carlo {s.monte_carlo:,} (seed {s.seed})</div>",
        f"<div>selected: {_params_line(selected.parameters)} "
        f'<span style="{_MUTED}">(best of {selected.n_combinations:,} combinations, {selected.n_trials:,} trials)</span></div>',
    ]
    if result.verdict.reasons:
        items = "".join(f"<li>{esc(r)}</li>" for r in result.verdict.reasons)
        body.append(f'<ul style="margin:4px 0 4px 18px;padding:0">{items}</ul>')
    body.append(_table(None, rows))
    body.append(verdict_html(result.verdict, title=False))
    return _box(
        "ValidationResult", title, body, ".verdict  .walk_forward  .monte_carlo  .holdout  .summary()"
    )


def validation_repr(result: Any) -> str:
    """One line for a console: the verdict, its reasons and the headline statistics."""
    v = result.verdict

    def num(value: Any) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    holdout = "" if result.holdout is None else f", holdout {'passed' if result.holdout.passed else 'failed'}"
    reasons = f" ({'; '.join(v.reasons)})" if v.reasons else ""
    params = ", ".join(f"{k}={val!r}" for k, val in result.selected.parameters.items())
    return (
        f"ValidationResult({result.settings.strategy}: verdict {v.status}{reasons}; "
        f"{len(result.walk_forward.windows)} windows, WFE {num(result.walk_forward_efficiency)}, "
        f"PBO {num(result.pbo)}, DSR {num(result.deflated_sharpe_ratio)}{holdout}; selected {params})"
    )


# ---- report pages inline -------------------------------------------------------------------------

PAGE_HEIGHT = 820


@dataclass
class ReportPage:
    """A report page (the whole self-contained HTML text) to show in a notebook or save.

    A notebook shows it in an ``<iframe srcdoc=...>`` (:meth:`_repr_html_`, sandboxed: scripts run,
    the page cannot reach the notebook); :meth:`save` writes the page as a file.
    """

    html: str
    title: str
    path: Path | None = None
    height: int = PAGE_HEIGHT
    _shown_in: int | None = field(default=None, init=False, repr=False, compare=False)

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{esc(self.html)}" title="{esc(self.title)}" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #8884" '
            'sandbox="allow-scripts allow-popups allow-downloads"></iframe>'
        )

    def _ipython_display_(self) -> None:
        from IPython import get_ipython  # noqa: PLC0415 (optional: only under IPython)
        from IPython.display import display  # noqa: PLC0415

        shell = get_ipython()
        if self._shown_in is not None and shell is not None and shell.execution_count == self._shown_in:
            return  # plot() showed it in this cell already
        display({"text/html": self._repr_html_(), "text/plain": repr(self)}, raw=True)

    def save(self, filename: str | os.PathLike[str]) -> Path:
        """Write the page to ``filename`` atomically (a page that opens offline) and return its path."""
        self.path = atomic_write_text(filename, self.html)
        return self.path

    def show(self) -> bool:
        """Display the page when running under IPython (a notebook); False when not."""
        try:
            from IPython import get_ipython  # noqa: PLC0415 (optional dependency)
            from IPython.display import display  # noqa: PLC0415
        except ImportError:
            return False
        shell = get_ipython()
        if shell is None:
            return False
        display({"text/html": self._repr_html_(), "text/plain": repr(self)}, raw=True)
        self._shown_in = shell.execution_count
        return True

    def __repr__(self) -> str:
        where = f", written to {self.path}" if self.path is not None else ""
        return f"<ReportPage {self.title!r}: {len(self.html) / 1e6:.1f} MB of self-contained HTML{where}>"


def _finish(page: ReportPage, filename: str | os.PathLike[str] | None, show: bool) -> ReportPage:
    if filename is not None:
        page.save(filename)
    if show:
        page.show()
    return page


def backtest_page(
    result: Any,
    *,
    metrics: PerformanceMetrics | None = None,
    filename: str | os.PathLike[str] | None = None,
    show: bool = True,
) -> ReportPage:
    """The run page of a backtest (:func:`pystocksharp.reports.run_page_html`; the page
    ``pystocksharp report`` writes for ``backtest --out``): price with fills and round trips, equity,
    drawdown, monthly returns, trades and every metric (``metrics``, default :func:`default_metrics`).
    ``filename``: also write it there (atomically); ``show``: display it when under IPython."""
    metrics = default_metrics(result) if metrics is None else metrics
    data = result.ohlcv if getattr(result, "ohlcv", None) is not None else result.data_source
    report = run_report_from_backtest(result, data, metrics=scalar_dict(metrics))
    report = replace(report, metric_notes=dict(metrics.undefined))
    page = ReportPage(run_page_html(report), title=f"{result.strategy} run page")
    return _finish(page, filename, show)


def optimization_page(
    result: Any,
    *,
    top_n: int = 20,
    filename: str | os.PathLike[str] | None = None,
    show: bool = True,
) -> ReportPage:
    """The summary page of an optimization (:func:`pystocksharp.reports.summary_page_html`; the page
    ``export`` writes as ``reports/index.html``, without links to combination pages): counts, the
    ranking (``top_n`` rows), the metric over the grid and the failures. Rows are in the result's rank
    order; the charts show its first ranking column when that is a metric."""
    table = ranked_then_rest(result).drop(columns=["traceback"], errors="ignore")
    names = list(result.parameter_names)
    metric_names = metric_columns(table, names)
    key = result.rank[0] if result.rank and result.rank[0].column in metric_names else None
    label = strategy_label(result.spec.strategy)
    summary = summary_from_table(
        table,
        parameter_names=names,
        metric_names=metric_names,
        strategy=label,
        ranking_metric=key.column if key is not None else None,
        higher_is_better=key.descending if key is not None else None,
        ranked=True,
        top_n=top_n,
    )
    page = ReportPage(summary_page_html(summary), title=f"{label} optimization summary")
    return _finish(page, filename, show)


__all__ = [
    "STATS",
    "ReportPage",
    "StatRow",
    "backtest_html",
    "backtest_page",
    "backtest_repr",
    "backtest_stats",
    "buy_and_hold_return",
    "default_metrics",
    "every_drawdown_period",
    "optimization_html",
    "optimization_page",
    "optimization_repr",
    "stat_text",
    "validation_html",
    "validation_repr",
    "verdict_html",
]
