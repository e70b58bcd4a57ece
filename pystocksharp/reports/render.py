"""Render report pages (jinja2 templates in ``templates/``) from report inputs.

:func:`render_run_page` writes one backtest's page, :func:`render_summary_page` a run's
executive summary. Pages are self-contained: they open from ``file://`` with no
network; scripts sit in an ``assets/`` folder referenced relatively (default) or inline.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from pystocksharp import __version__
from pystocksharp.io import atomic_write_text
from pystocksharp.reports.assets import (
    RUN_SCRIPTS,
    SUMMARY_SCRIPTS,
    page_assets,
    relative_href,
    templates_dir,
)
from pystocksharp.reports.data import (
    SMALL_SAMPLE_TRADES,
    SMALL_WINDOW_TRADES,
    RunReport,
    SummaryReport,
    to_utc_ns,
)
from pystocksharp.reports.downsample import DEFAULT_MAX_POINTS
from pystocksharp.reports.formatting import Unit, format_value, is_missing, label_of, unit_of
from pystocksharp.reports.payload import format_times, run_payload, summary_payload

HEADLINE_METRICS = (
    "total_return",
    "annualized_return",
    "max_drawdown",
    "sharpe_ratio",
    "sortino_ratio",
    "calmar_ratio",
    "win_rate",
    "profit_factor",
    "round_trips",
    "net_profit",
    "expectancy",
    "exposure_time",
)
"""Metrics shown as cards on a run page, in this order, when present."""

SIGNED_METRICS = {
    "total_return",
    "annualized_return",
    "net_profit",
    "expectancy",
    "sharpe_ratio",
    "sortino_ratio",
    "calmar_ratio",
    "alpha",
}


@functools.cache
def environment() -> jinja2.Environment:
    """The jinja2 environment over :func:`templates_dir` (HTML autoescaped)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


#: ``<``, ``>`` and ``&`` as JSON escapes: inside a ``<script>`` element the HTML parser reacts to ``</script``
#: and also to ``<!--`` (after which a ``<script`` keeps the element open to the end of the page).
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def page_json(payload: Any) -> str:
    """Compact JSON safe inside ``<script type="application/json">``: no NaN, and no ``<``, ``>`` or ``&``
    (escaped as ``\\u003c`` …, the same string to JSON.parse), so no value can end or bend the element."""
    return json.dumps(payload, separators=(",", ":"), allow_nan=False).translate(_SCRIPT_ESCAPES)


def _tone(name: str, value: Any) -> str:
    if isinstance(value, str):
        return {"pass": "pos", "warn": "muted", "fail": "neg"}.get(value.lower(), "")
    if is_missing(value) or not isinstance(value, (int, float)):
        return ""
    if name == "max_drawdown":
        return "neg" if value < 0 else ""
    if name in SIGNED_METRICS:
        return "pos" if value > 0 else "neg" if value < 0 else ""
    return ""


def metric_card(name: str, value: Any, note: str = "") -> dict[str, str]:
    """A card (label, formatted value with unit, colour tone, tooltip) for one metric."""
    unit = unit_of(name)
    return {
        "label": label_of(name),
        "text": format_value(value, unit),
        "tone": _tone(name, value),
        "title": note or f"{name} ({unit.value})",
        "note": note,
    }


def _flat_metrics(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """Scalar metrics only (nested tables such as monthly returns are shown elsewhere)."""
    return {k: v for k, v in metrics.items() if v is None or isinstance(v, (int, float, str, bool))}


def _time_text(value: Any, intraday: bool) -> str:
    return format_times(to_utc_ns(pd.Series([value])), intraday=intraday)[0]


#: The "Costs and settings" list: setting -> (label, unit); money in account currency, fractions shown in percent.
SETTING_ROWS: dict[str, tuple[str, Unit]] = {
    "capital": ("Initial capital", Unit.MONEY),
    "commission": ("Commission (of notional)", Unit.PERCENT),
    "commission_per_unit": ("Commission per unit", Unit.MONEY),
    "min_commission": ("Minimum commission", Unit.MONEY),
    "slippage": ("Slippage (of price)", Unit.PERCENT),
    "slippage_steps": ("Slippage (price steps)", Unit.NUMBER),
    "fill": ("Fill", Unit.TEXT),
    "leverage": ("Leverage", Unit.NUMBER),
    "participation": ("Volume participation", Unit.PERCENT),
    "participation_remainder": ("Unfilled remainder", Unit.TEXT),
    "impact": ("Square-root impact k", Unit.NUMBER),
    "price_step": ("Price step", Unit.NUMBER),
    "volume_step": ("Volume step", Unit.NUMBER),
    "multiplier": ("Contract multiplier", Unit.NUMBER),
}

#: How the fill modes read on the page.
FILL_TEXT = {"next-open": "next bar's open", "close": "this bar's close"}


def settings_rows(settings: Mapping[str, Any]) -> list[dict[str, str]]:
    """The "Costs and settings" rows of what ``settings`` has, in :data:`SETTING_ROWS` order. Participation None
    reads "off (orders fill whole)", and the remainder is left out then; a price step of None is left out."""
    rows = []
    for key, (label, unit) in SETTING_ROWS.items():
        if key not in settings:
            continue
        value = settings[key]
        if key == "participation_remainder" and settings.get("participation") is None:
            continue
        if key == "participation" and value is None:
            text = "off (orders fill whole)"
        elif value is None:
            continue
        elif key == "fill":
            text = FILL_TEXT.get(str(value), str(value))
        elif unit is Unit.NUMBER:
            text = f"{float(value):g}" if isinstance(value, int | float) else str(value)
        else:
            text = format_value(value, unit)
        rows.append({"label": label, "text": text})
    return rows


def _param_text(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value) and not value.is_integer():
        return f"{value:g}"
    return str(value)


def render_run_page(
    report: RunReport,
    out_html: Path,
    *,
    assets_dir: Path | None = None,
    inline: bool = False,
    max_points: int = DEFAULT_MAX_POINTS,
) -> Path:
    """Write the page of one backtest to ``out_html`` and return its path.

    Scripts go to ``assets_dir`` (default ``assets/`` beside the page; pass the run's
    shared folder to share them) unless ``inline``. Chart series are downsampled to at
    most ``max_points`` points; the trade list keeps every round trip.
    """
    out_html = Path(out_html)
    html = _run_page(report, out_html, assets_dir=assets_dir, inline=inline, max_points=max_points)
    return _write(out_html, html)


def run_page_html(report: RunReport, *, max_points: int = DEFAULT_MAX_POINTS) -> str:
    """The page of one backtest as one self-contained HTML text (every script and style inline, no
    file beside it, no network): what :func:`render_run_page` writes with ``inline=True``."""
    return _run_page(report, None, assets_dir=None, inline=True, max_points=max_points)


def _run_page(
    report: RunReport, out_html: Path | None, *, assets_dir: Path | None, inline: bool, max_points: int
) -> str:
    """The run page's HTML; ``out_html`` (None: a page without a file) anchors relative links and assets."""
    payload = run_payload(report, max_points=max_points)
    metrics = _flat_metrics(report.metrics)
    if "round_trips" not in metrics:
        metrics["round_trips"] = len(report.round_trips)
    intraday = payload["price"]["intraday"]
    first, last = report.candles["time"].iloc[0], report.candles["time"].iloc[-1]
    data_range = f"{_time_text(first, intraday)} → {_time_text(last, intraday)}"
    bars = len(report.candles)
    cards = [
        metric_card(k, metrics[k], report.metric_notes.get(k, "")) for k in HEADLINE_METRICS if k in metrics
    ]
    all_metrics = [metric_card(k, v, report.metric_notes.get(k, "")) for k, v in metrics.items()]
    parameters = [{"name": str(k), "text": _param_text(v)} for k, v in report.parameters.items()]
    symbol_tf = " · ".join(x for x in (report.symbol, report.timeframe) if x)
    subtitle_parts = [symbol_tf, data_range, f"{bars:,} bars"]
    if report.engine_version:
        subtitle_parts.append(f"engine {report.engine_version}")
    run_info = [
        ("Strategy", report.strategy),
        ("Symbol", report.symbol or "—"),
        ("Timeframe", report.timeframe or "—"),
        ("Data range", data_range),
        ("Bars", f"{bars:,}"),
        ("Round trips", f"{len(report.round_trips):,}"),
        ("Engine version", report.engine_version or "—"),
        ("Compared with", report.benchmark_label or f"buy & hold {report.symbol}".strip()),
    ]
    if report.combination_id:
        run_info.append(("Combination", report.combination_id))
    price = payload["price"]
    price_note = (
        f"{bars:,} bars shown as {len(price['time_s']):,} candles of {price['bucket']} bars"
        if price["bucket"] > 1
        else f"{bars:,} bars"
    )
    in_panes = [ind["name"] for ind in payload["indicators"] if ind["kind"] == "pane"]
    if in_panes:
        own = "in a pane of its own" if len(in_panes) == 1 else "each in a pane of its own"
        price_note += f"; {', '.join(in_panes)} {own} below the volume"
    eq = payload["equity"]
    equity_note = (
        f"{len(eq['time_ms']):,} of {eq['points']:,} points shown (extremes kept)"
        if len(eq["time_ms"]) < eq["points"]
        else f"{eq['points']:,} points"
    )
    n_trips = len(report.round_trips)
    costs = payload["costs"]
    context = {
        "title": report.title or f"{report.strategy} {symbol_tf}".strip(),
        "heading": report.title or report.strategy,
        "subtitle": " · ".join(p for p in subtitle_parts if p),
        "parameters": parameters,
        "cards": cards,
        "all_metrics": all_metrics,
        "run_info": [{"label": k, "text": v} for k, v in run_info],
        "price_note": price_note,
        "equity_note": equity_note,
        "trade_count_text": _trade_count_text(n_trips, metrics.get("round_trips")),
        "summary_href": _href(report.summary_page, out_html) if report.summary_page else None,
        "engine_version": report.engine_version,
        "costs": _cost_panel(costs) if costs is not None else None,
        "attribution_note": _attribution_note(report) if payload["attribution"] is not None else None,
        "capacity": payload["capacity"] is not None,
        "returns_warning": small_sample_warning(n_trips, "Histogram"),
        "rolling_note": _rolling_note(payload["rolling_sharpe"]),
        "settings": settings_rows(report.settings),
    }
    assets = _assets(out_html, assets_dir, RUN_SCRIPTS, inline)
    return _page_html("run.html.j2", context, payload, assets)


VALIDATION_CARD_LABELS = {
    "walk_forward_efficiency": "WF efficiency",
    "deflated_sharpe_ratio": "Deflated Sharpe",
    "pbo": "PBO",
    "oos_sharpe_ratio": "OOS Sharpe",
    "oos_total_return": "OOS return",
    "probability_of_ruin": "Ruin probability",
    "holdout_passed": "Holdout passed",
    "holdout_total_return": "Holdout return",
    "selected": "Selected",
    "verdict": "Verdict",
}
"""Short labels of the validation cards (a card is ~150 px wide); the full name is in the card's tooltip."""


def validation_card(name: str, value: Any) -> dict[str, str]:
    """A validation statistic's card: short label, value in its unit, tooltip with the full name and value."""
    card = metric_card(name, value)
    label = VALIDATION_CARD_LABELS.get(name, label_of(name))
    return {**card, "label": label, "title": f"{label_of(name)}: {card['text']}"}


def grid_chart_title(grid: Mapping[str, Any], metric_label: str) -> str:
    """Title of the parameter-grid chart, after the chart actually drawn (its ``kind``)."""
    kind = grid.get("kind")
    if kind == "heatmap":
        return f"{metric_label} over {grid['x_name']} × {grid['y_name']} (heatmap)"
    if kind == "line":
        return f"{metric_label} by {grid['x_name']}"
    return f"{metric_label} over the parameters (parallel coordinates)"


def small_sample_warning(trades: int | None, what: str) -> str | None:
    """The warning under a chart built from fewer than :data:`SMALL_SAMPLE_TRADES` trades (None: enough, or
    no trades at all, which the chart says itself)."""
    if trades is None or trades <= 0 or trades >= SMALL_SAMPLE_TRADES:
        return None
    return (f"{what} based on {trades:,} trade{'s' if trades != 1 else ''}: not reliable "
            f"(fewer than {SMALL_SAMPLE_TRADES} trades).")  # fmt: skip


def walk_forward_warning(trades: list[float | None], windows: list[str]) -> str | None:
    """The warning of the verdict when the walk-forward windows hold few trades: fewer than
    :data:`SMALL_SAMPLE_TRADES` out of sample in all, or a window with fewer than :data:`SMALL_WINDOW_TRADES`."""
    known = [(w, int(t)) for w, t in zip(windows, trades, strict=True) if t is not None]
    if not known:
        return None
    total = sum(t for _, t in known)
    thin = [w for w, t in known if t < SMALL_WINDOW_TRADES]
    if total >= SMALL_SAMPLE_TRADES and not thin:
        return None
    parts = [f"the walk-forward test windows hold {total:,} trade{'s' if total != 1 else ''} in all"]
    if thin:
        label = "window {} has fewer than {}" if len(thin) == 1 else "windows {} have fewer than {} each"
        parts.append(label.format(", ".join(thin), SMALL_WINDOW_TRADES))
    return "Few trades: " + "; ".join(parts) + ": the out-of-sample figures and the verdict are not reliable."


def _rolling_note(rolling: Mapping[str, Any]) -> str:
    """The rolling Sharpe panel's note: its window and conventions."""
    if not rolling["window"]:
        return "annualized, risk-free rate 0"
    return f"annualized, over the last {rolling['label']}, risk-free rate 0"


def _cost_panel(costs: Mapping[str, Any]) -> dict[str, Any]:
    """Cards of the trading-costs panel and the commission / slippage split (percent of the cost)."""
    cards = [
        {"key": "cost", "label": "Trading costs", "text": format_value(costs["cost"], "money"),
         "title": "commission + slippage (account currency)"},
        {"key": "commission", "label": "Commission", "text": format_value(costs["commission"], "money"),
         "title": "the fee model's commission"},
        {"key": "slippage", "label": "Slippage", "text": format_value(costs["slippage"], "money"),
         "title": "|fill price - price before slippage| x volume"},
        {"key": "cost_bps", "label": "Cost of notional", "text": f"{format_value(costs['cost_bps'], 'number', decimals=1)} bps",
         "title": "cost / traded notional x 10,000"},
        {"key": "notional", "label": "Traded notional", "text": format_value(costs["notional"], "money", decimals=0),
         "title": "sum of price x volume of the fills"},
        {"key": "fills", "label": "Fills", "text": format_value(costs["fills"], "count"), "title": "fills"},
    ]  # fmt: skip
    share = costs["commission_share"]
    split = None
    if share is not None:
        split = {
            "commission": round(share * 100, 1),
            "slippage": round(100 - share * 100, 1),
            "commission_text": format_value(share, "percent", decimals=1),
            "slippage_text": format_value(1 - share, "percent", decimals=1),
        }
    return {"cards": cards, "split": split}


def _attribution_note(report: RunReport) -> str:
    frame = report.attribution
    assert frame is not None
    total = float(frame["net_profit"].sum())
    return (f"{len(frame)} symbols; their net profits add up to {format_value(total, 'money')} "
            "(realized + unrealized − commission, marked at each symbol's close)")  # fmt: skip


def _trade_count_text(listed: int, counted: Any) -> str:
    """Note above the trade list; says so when the run counted round trips it does not list."""
    text = f"{listed:,} round trip{'s' if listed != 1 else ''}"
    if listed == 0 and isinstance(counted, (int, float)) and counted > 0:
        text += f" listed (the engine counted {int(counted):,}; this run has no round-trip table, the chart marks its fills)"
    return text


def _href(target: str | Path, out_html: Path | None) -> str:
    """Link from the page ``out_html`` to ``target`` (absolute: made relative; relative, or a page
    without a file: kept)."""
    target = Path(target)
    if out_html is None or not target.is_absolute():
        return target.as_posix()
    return relative_href(target, out_html.parent)


def render_summary_page(
    summary: SummaryReport,
    out_html: Path,
    *,
    assets_dir: Path | None = None,
    inline: bool = False,
) -> Path:
    """Write a run's summary page to ``out_html`` and return its path.

    ``summary.combinations['page']`` (optional) holds each combination's page: absolute
    paths are linked relatively to ``out_html``; relative ones are used as given.
    """
    out_html = Path(out_html)
    return _write(out_html, _summary_page(summary, out_html, assets_dir=assets_dir, inline=inline))


def summary_page_html(summary: SummaryReport) -> str:
    """A run's summary page as one self-contained HTML text (every script and style inline, no
    network): what :func:`render_summary_page` writes with ``inline=True``."""
    return _summary_page(summary, None, assets_dir=None, inline=True)


def _summary_page(
    summary: SummaryReport, out_html: Path | None, *, assets_dir: Path | None, inline: bool
) -> str:
    """The summary page's HTML; ``out_html`` (None: a page without a file) anchors links and assets."""
    combos = summary.combinations
    pages = combos["page"].tolist() if "page" in combos.columns else [None] * len(combos)
    links = [_href(p, out_html) if isinstance(p, (str, Path)) and str(p) else None for p in pages]
    payload = summary_payload(summary, links)
    counts = payload["counts"]
    metric = summary.ranking_metric
    best_value = (
        payload["ranking"]["rows"][0][1 + len(summary.parameter_names)]
        if payload["ranking"]["rows"]
        else None
    )
    cards = [
        {
            "label": "Combinations",
            "text": f"{counts['total']:,}",
            "tone": "",
            "title": "parameter sets tried",
        },
        {"label": "Succeeded", "text": f"{counts['ok']:,}", "tone": "", "title": "ran without error"},
        {
            "label": "Failed",
            "text": f"{counts['failed']:,}",
            "tone": "neg" if counts["failed"] else "",
            "title": "see Failed combinations",
        },
        {**metric_card(metric, best_value), "label": f"Best {label_of(metric).lower()}"},
    ]
    grid_title = grid_chart_title(payload["grid"], label_of(metric))
    shown = payload["grid"].get("shown")
    if shown is not None and shown < counts["ok"]:
        grid_title += f" (best {shown:,} of {counts['ok']:,})"
    symbol_tf = " · ".join(x for x in (summary.symbol, summary.timeframe) if x)
    subtitle = [symbol_tf]
    if summary.data_range is not None:
        subtitle.append(
            f"{_time_text(summary.data_range[0], False)} → {_time_text(summary.data_range[1], False)}"
        )
    subtitle.append(
        f"ranked by {label_of(metric).lower()} ({'higher' if summary.higher_is_better else 'lower'} is better)"
    )
    if summary.engine_version:
        subtitle.append(f"engine {summary.engine_version}")
    validation = payload["validation"]
    stats = []
    if summary.validation is not None:
        stat_values = dict(summary.validation.statistics)
        if summary.validation.pbo is not None:
            stat_values.setdefault("pbo", summary.validation.pbo)
        stats = [validation_card(k, v) for k, v in stat_values.items() if v is None or isinstance(v, (int, float, str))]
    mc_warning = wf_warning = None
    if validation:
        mc_trades = summary.validation.monte_carlo_trades if summary.validation is not None else None
        if mc_trades is None and validation["fan"]:
            mc_trades = len(validation["fan"]["step"]) - 1  # the fan has a point per trade after the start
        mc_warning = small_sample_warning(mc_trades, "Monte Carlo")
        wf = validation["walk_forward"]
        keys = [col["key"] for col in wf["table"]["columns"]] if wf else []
        if "oos_trades" in keys:
            j = keys.index("oos_trades")
            wf_warning = walk_forward_warning([row[j] for row in wf["table"]["rows"]], wf["window"])
    context = {
        "title": summary.title or f"{summary.strategy} optimization summary",
        "heading": summary.title or f"{summary.strategy}: optimization summary",
        "subtitle": " · ".join(p for p in subtitle if p),
        "cards": cards,
        "top_n": min(summary.top_n, counts["ok"]) or summary.top_n,
        "metric_label": label_of(metric),
        "grid_title": grid_title,
        "ok_count_text": f"{counts['ok']:,} combinations",
        "failed_count_text": f"{counts['failed']:,} of {counts['total']:,} failed",
        "validation": validation if validation and any(validation.values()) else None,
        "validation_stats": stats,
        "mc_warning": mc_warning,
        "wf_warning": wf_warning,
        "engine_version": summary.engine_version,
    }
    assets = _assets(out_html, assets_dir, SUMMARY_SCRIPTS, inline)
    return _page_html("summary.html.j2", context, payload, assets)


def _assets(out_html: Path | None, assets_dir: Path | None, scripts: tuple[str, ...], inline: bool) -> Any:
    if out_html is None and not inline:
        raise ValueError("a page without a file needs its assets inline")
    return page_assets(out_html or Path("index.html"), assets_dir, scripts, inline=inline)


def _page_html(template: str, context: dict[str, Any], payload: Any, assets: Any) -> str:
    return (
        environment()
        .get_template(template)
        .render(
            **context,
            assets=assets,
            data_json=page_json(payload),
            version=__version__,
        )
    )


def _write(out_html: Path, html: str) -> Path:
    atomic_write_text(out_html, html, fsync=False)
    return out_html


__all__ = [
    "metric_card",
    "page_json",
    "render_run_page",
    "render_summary_page",
    "run_page_html",
    "summary_page_html",
]
