/* Run page: price chart (Lightweight Charts) linked to the trade list, plotly analytics. */
(function () {
  "use strict";
  const PS = window.PSReport;
  const D = PS.data();
  const LW = window.LightweightCharts;
  const INDICATOR_COLORS = ["#f59f00", "#7048e8", "#1098ad", "#d6336c", "#5c940d", "#495057"];

  /* ------------------------------------------------------------ price chart */
  const priceEl = document.getElementById("price-chart");
  const legendEl = document.getElementById("price-legend");
  const P = D.price;
  const T = D.trades;
  const fmtPrice = function (v) { return v === null || v === undefined ? "—" : v.toFixed(P.decimals); };

  function chartTheme() {
    const c = PS.colors();
    return {
      layout: { background: { type: "solid", color: c.bg }, textColor: c.text },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      rightPriceScale: { borderColor: c.border },
      timeScale: { borderColor: c.border, timeVisible: P.intraday, secondsVisible: false },
    };
  }

  /* indicators: overlays ("price") on the candles' scale, the others ("pane") each in a pane of its own below the
     volume pane, on its own scale; the page grows by PANE_HEIGHT per such pane */
  const PANE_HEIGHT = 120;
  const ownPanes = D.indicators.filter(function (ind) { return ind.kind === "pane"; }).length;
  if (ownPanes) priceEl.style.height = (priceEl.clientHeight + ownPanes * PANE_HEIGHT) + "px";

  const chart = LW.createChart(priceEl, Object.assign({ autoSize: true, crosshair: { mode: 0 } }, chartTheme()));
  PS.priceChart = chart;
  const c0 = PS.colors();
  const candles = chart.addSeries(LW.CandlestickSeries, {
    upColor: c0.pos, downColor: c0.neg, borderVisible: false, wickUpColor: c0.pos, wickDownColor: c0.neg,
    priceFormat: { type: "price", precision: P.decimals, minMove: Math.pow(10, -P.decimals) },
  });
  const candleData = P.time_s.map(function (t, i) {
    return { time: t, open: P.open[i], high: P.high[i], low: P.low[i], close: P.close[i] };
  });
  candles.setData(candleData);
  const volume = chart.addSeries(LW.HistogramSeries, {
    priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false,
  }, 1);
  chart.panes()[1].setHeight(90);
  function volumeData() {
    const c = PS.colors();
    const up = c.pos + "66", down = c.neg + "66";
    return P.time_s.map(function (t, i) {
      return { time: t, value: P.volume[i] || 0, color: P.close[i] >= P.open[i] ? up : down };
    });
  }
  volume.setData(volumeData());

  PS.indicatorSeries = [];
  let nextPane = 2;
  D.indicators.forEach(function (ind, k) {
    const own = ind.kind === "pane";
    const pane = own ? nextPane++ : 0;
    const s = chart.addSeries(LW.LineSeries, {
      color: INDICATOR_COLORS[k % INDICATOR_COLORS.length], lineWidth: own ? 1.5 : 2, title: ind.name,
      priceLineVisible: false, lastValueVisible: own, crosshairMarkerVisible: false,
    }, pane);
    s.setData(ind.time_s.map(function (t, i) { return ind.value[i] === null ? { time: t } : { time: t, value: ind.value[i] }; }));
    PS.indicatorSeries.push({ name: ind.name, kind: ind.kind, pane: pane, series: s });
  });
  /* pane heights as stretch factors (kept through resizes): the candles take what the volume and
     oscillator panes leave of the chart's height */
  if (ownPanes) {
    const panes = chart.panes();
    const total = priceEl.clientHeight;
    panes[0].setStretchFactor(total - 90 - ownPanes * PANE_HEIGHT);
    panes[1].setStretchFactor(90);
    for (let k = 2; k < panes.length; k++) panes[k].setStretchFactor(PANE_HEIGHT);
  }

  const nTrades = T.rows.length;
  /* entry labels ("#12") only while the visible trades have room: at most one per LABEL_PX of chart width */
  const LABEL_PX = 45;
  let withText = false;
  function labelsFit() {
    const range = chart.timeScale().getVisibleRange();
    let shown = nTrades;
    if (range) {
      shown = 0;
      for (let i = 0; i < nTrades; i++) if (T.entry_bar_s[i] >= range.from && T.entry_bar_s[i] <= range.to) shown++;
    }
    return shown <= Math.max(6, Math.floor(priceEl.clientWidth / LABEL_PX));
  }
  function markers(selected) {
    const c = PS.colors();
    const out = [];
    for (let i = 0; i < nTrades; i++) {
      const long = T.sign[i] > 0, sel = i === selected;
      out.push({
        time: T.entry_bar_s[i], position: long ? "belowBar" : "aboveBar", shape: long ? "arrowUp" : "arrowDown",
        color: sel ? c.accent : (long ? c.pos : c.neg), size: sel ? 2 : 1, text: withText || sel ? "#" + (i + 1) : "",
        id: "e" + i,
      });
      out.push({
        time: T.exit_bar_s[i], position: long ? "aboveBar" : "belowBar", shape: "circle",
        color: sel ? c.accent : (T.win[i] ? c.pos : c.neg), size: sel ? 2 : 1, text: sel ? "exit #" + (i + 1) : "",
        id: "x" + i,
      });
    }
    if (!nTrades) {
      /* no round trips: the engine's fills, B below the bar for buys, S above for sells */
      const F = D.fills;
      for (let k = 0; k < F.bar_s.length; k++) {
        const buy = F.side[k] > 0;
        out.push({
          time: F.bar_s[k], position: buy ? "belowBar" : "aboveBar", shape: buy ? "arrowUp" : "arrowDown",
          color: buy ? c.pos : c.neg, text: F.bar_s.length <= 150 ? (buy ? "B" : "S") : "", id: "f" + k,
        });
      }
    }
    out.sort(function (a, b) { return a.time - b.time; });
    return out;
  }
  let selectedTrade = -1;
  chart.timeScale().fitContent();
  withText = labelsFit();
  const markerApi = LW.createSeriesMarkers(candles, markers(-1));
  PS.priceMarkers = markerApi;
  PS.tradeLabels = function () { return withText; };
  chart.timeScale().subscribeVisibleTimeRangeChange(function () {
    const fit = labelsFit();
    if (fit !== withText) { withText = fit; markerApi.setMarkers(markers(selectedTrade)); }
  });

  /* legend: OHLC under the crosshair */
  function legend(i) {
    if (i < 0 || i >= P.time_s.length) i = P.time_s.length - 1;
    const up = P.close[i] >= P.open[i];
    legendEl.innerHTML = "";
    const span = document.createElement("span");
    span.className = up ? "pos" : "neg";
    span.textContent = "O " + fmtPrice(P.open[i]) + "  H " + fmtPrice(P.high[i]) + "  L " + fmtPrice(P.low[i]) +
      "  C " + fmtPrice(P.close[i]);
    legendEl.appendChild(span);
  }
  const indexOfTime = new Map(P.time_s.map(function (t, i) { return [t, i]; }));
  chart.subscribeCrosshairMove(function (param) { legend(param.time !== undefined ? indexOfTime.get(param.time) : -1); });
  legend(-1);

  /* trade list <-> chart */
  let tradeTable = null;
  function focusTrade(i, fromChart) {
    selectedTrade = i;
    markerApi.setMarkers(markers(i));
    const entryIdx = indexOfTime.get(T.entry_bar_s[i]), exitIdx = indexOfTime.get(T.exit_bar_s[i]);
    const span = Math.max(exitIdx - entryIdx, 1);
    const pad = Math.max(span * 2, 30);
    chart.timeScale().setVisibleLogicalRange({ from: entryIdx - pad, to: exitIdx + pad });
    priceEl.dataset.focusedTrade = String(i);
    if (!fromChart) priceEl.scrollIntoView({ behavior: "instant", block: "center" });
    else if (tradeTable) tradeTable.showRow(i);
  }
  const tradeAt = new Map();
  for (let i = nTrades - 1; i >= 0; i--) { tradeAt.set(T.entry_bar_s[i], i); }
  chart.subscribeClick(function (param) {
    if (param.time === undefined) return;
    const i = tradeAt.get(param.time);
    if (i !== undefined) focusTrade(i, true);
  });

  const colIndex = {};
  T.columns.forEach(function (c, j) { colIndex[c.key] = j; });
  tradeTable = new PS.Table(document.getElementById("trade-table"), T, {
    pageSize: 25,
    onRowClick: function (i) { tradeTable.focus(i); focusTrade(i, false); },
    cellClass: function (i, col, raw) {
      if ((col.key === "pnl" || col.key === "return") && raw !== null) return raw > 0 ? "pos" : raw < 0 ? "neg" : "";
      return "";
    },
    emptyText: "No round trips in this run.",
  });

  /* ------------------------------------------------------------ plotly analytics */
  const E = D.equity;
  const c = PS.colors();
  const equityTraces = [
    { x: E.time_ms, y: E.equity, type: "scatter", mode: "lines", name: "Equity", line: { color: c.accent, width: 1.6 },
      hovertemplate: "%{x|%Y-%m-%d}<br>Equity %{y:,.2f}<extra></extra>" },
    { x: E.time_ms, y: E.drawdown, type: "scatter", mode: "lines", name: "Drawdown", yaxis: "y2", fill: "tozeroy",
      line: { color: c.neg, width: 1 }, hovertemplate: "%{x|%Y-%m-%d}<br>Drawdown %{y:.2%}<extra></extra>" },
  ];
  if (E.benchmark) {
    equityTraces.push({ x: E.time_ms, y: E.benchmark, type: "scatter", mode: "lines", name: E.benchmark_label,
      line: { color: c.muted, width: 1.2, dash: "dot" },
      hovertemplate: "%{x|%Y-%m-%d}<br>%{fullData.name} %{y:,.2f}<extra></extra>" });
  }
  PS.plot("equity-chart", equityTraces, {
    xaxis: { type: "date", anchor: "y2" },
    yaxis: { domain: [0.34, 1], title: { text: "Equity" }, tickformat: ",.0f" },
    yaxis2: { domain: [0, 0.27], title: { text: "Drawdown" }, tickformat: ".0%", rangemode: "tozero" },
    showlegend: !!E.benchmark, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    margin: { l: 56, r: 16, t: E.benchmark ? 34 : 10, b: 40 },
  });

  if (D.trade_returns.length) {
    PS.plot("returns-chart", [{
      x: D.trade_returns, type: "histogram", nbinsx: Math.min(60, Math.max(10, Math.round(Math.sqrt(D.trade_returns.length) * 2))),
      marker: { color: c.accent, line: { color: c.bg, width: 1 } },
      hovertemplate: "%{x}<br>%{y} round trips<extra></extra>",
    }], {
      xaxis: { tickformat: ".1%", title: { text: "Return per round trip" } },
      yaxis: { title: { text: "Round trips" } }, bargap: 0.02,
    });
  } else {
    PS.empty("returns-chart", "No round trips in this run.");
  }

  const M = D.monthly;
  function monthlyTicks(z) {
    let most = 0;
    z.forEach(function (row) { row.forEach(function (v) { if (v !== null) most = Math.max(most, Math.abs(v)); }); });
    return most < 0.05 ? ".1%" : ".0%";
  }
  if (M.years.length) {
    PS.plot("monthly-chart", [{
      z: M.z, x: M.months, y: M.years, text: M.text, type: "heatmap", texttemplate: "%{text}",
      colorscale: [[0, "#d73027"], [0.5, "#f7f7f7"], [1, "#1a9850"]], zmid: 0, xgap: 2, ygap: 2,
      hovertemplate: "%{x} %{y}: %{z:.2%}<extra></extra>", colorbar: { tickformat: monthlyTicks(M.z), thickness: 10 },
    }], { yaxis: { type: "category", autorange: "reversed" }, xaxis: { side: "top" }, margin: { l: 50, r: 10, t: 30, b: 10 } });
  } else {
    PS.empty("monthly-chart", "Not enough equity data for monthly returns.");
  }

  const Y = D.yearly;
  if (Y.years.length) {
    const yearly = [{ x: Y.years, y: Y.strategy, type: "bar", name: "Strategy", marker: { color: c.accent },
      hovertemplate: "%{x}: %{y:.2%}<extra>Strategy</extra>" }];
    if (Y.comparison) {
      yearly.push({ x: Y.years, y: Y.comparison, type: "bar", name: Y.comparison_label, marker: { color: c.muted },
        hovertemplate: "%{x}: %{y:.2%}<extra>%{fullData.name}</extra>" });
    }
    PS.plot("yearly-chart", yearly, {
      barmode: "group", xaxis: { type: "category" }, yaxis: { tickformat: ".0%", title: { text: "Return" } },
      showlegend: yearly.length > 1, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      margin: { l: 56, r: 16, t: 34, b: 40 },
    });
  } else {
    PS.empty("yearly-chart", "Not enough equity data for yearly returns.");
  }

  const R = D.rolling_sharpe;
  if (R.time_ms.length) {
    const rolling = [{ x: R.time_ms, y: R.strategy, type: "scatter", mode: "lines", name: "Strategy",
      line: { color: c.accent, width: 1.4 }, hovertemplate: "%{x|%Y-%m-%d}<br>Sharpe %{y:.2f}<extra>Strategy</extra>" }];
    if (R.comparison) {
      rolling.push({ x: R.time_ms, y: R.comparison, type: "scatter", mode: "lines", name: R.comparison_label,
        line: { color: c.muted, width: 1.1, dash: "dot" },
        hovertemplate: "%{x|%Y-%m-%d}<br>Sharpe %{y:.2f}<extra>%{fullData.name}</extra>" });
    }
    PS.plot("rolling-chart", rolling, {
      xaxis: { type: "date" }, yaxis: { title: { text: "Sharpe ratio" }, zeroline: true },
      showlegend: rolling.length > 1, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      margin: { l: 56, r: 16, t: 34, b: 40 },
    });
  } else {
    PS.empty("rolling-chart", "The run is shorter than one rolling window (" + R.window + " rows).");
  }

  new PS.Table(document.getElementById("drawdown-table"), D.drawdowns, {
    pageSize: 0, pager: false, emptyText: "No drawdown in this run.",
  });

  /* ------------------------------------------------------------ portfolio analytics */
  if (D.attribution) {
    new PS.Table(document.getElementById("attribution-table"), D.attribution, {
      pageSize: 0, pager: false,
      cellClass: function (i, col, raw) {
        if (col.unit === "money" && col.key !== "commission" && col.key !== "slippage" && raw !== null) {
          return raw > 0 ? "pos" : raw < 0 ? "neg" : "";
        }
        return "";
      },
    });
  }
  const C = D.correlation;
  if (C) {
    PS.plot("correlation-chart", [{
      z: C.z, x: C.symbols, y: C.symbols, text: C.text, type: "heatmap", texttemplate: "%{text}",
      colorscale: [[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]], zmin: -1, zmax: 1, xgap: 2, ygap: 2,
      hovertemplate: "%{y} / %{x}: %{z:.2f}<extra></extra>", colorbar: { thickness: 10 },
    }], { yaxis: { type: "category", autorange: "reversed" }, xaxis: { type: "category", side: "top" },
          margin: { l: 70, r: 10, t: 30, b: 10 } });
  }
  const K = D.capacity;
  if (K) {
    PS.plot("capacity-chart", [
      { x: K.multiplier, y: K.sharpe_ratio, type: "scatter", mode: "lines+markers", name: "Sharpe ratio",
        line: { color: c.accent, width: 2 }, hovertemplate: "costs ×%{x}<br>Sharpe %{y:.2f}<extra></extra>" },
      { x: K.multiplier, y: K.net_profit, type: "scatter", mode: "lines+markers", name: "Net profit", yaxis: "y2",
        line: { color: c.pos, width: 1.5, dash: "dot" }, marker: { symbol: "square", size: 8 }, hovertemplate: "costs ×%{x}<br>Net profit %{y:,.2f}<extra></extra>" },
    ], {
      xaxis: { title: { text: "Costs × (commission and slippage)" } },
      yaxis: { title: { text: "Sharpe ratio" }, tickformat: ".2f" },
      yaxis2: { title: { text: "Net profit" }, overlaying: "y", side: "right", tickformat: ",.0f", showgrid: false },
    });
    new PS.Table(document.getElementById("capacity-table"), K.table, { pageSize: 0, pager: false });
  }

  /* ------------------------------------------------------------ theme */
  PS.onTheme(function () {
    chart.applyOptions(chartTheme());
    const k = PS.colors();
    candles.applyOptions({ upColor: k.pos, downColor: k.neg, wickUpColor: k.pos, wickDownColor: k.neg });
    volume.setData(volumeData());
    markerApi.setMarkers(markers(selectedTrade));
  });
  PS.ready();
})();
