/* Summary page: ranking table linked to combination pages, parameter grid, distribution,
   failures and validation (walk-forward, Monte Carlo, PBO, verdicts). */
(function () {
  "use strict";
  const PS = window.PSReport;
  const D = PS.data();
  const c = PS.colors();
  const M = D.metric;
  const pct = M.unit === "percent";
  const metricFmt = pct ? ".2%" : ",.3f";

  new PS.Table(document.getElementById("ranking-table"), D.ranking, {
    pageSize: 25, links: D.ranking.links, emptyText: "No successful combination.",
  });

  /* parameter grid */
  const G = D.grid;
  if (!D.counts.ok) {
    PS.empty("grid-chart", "No successful combination to plot.");
  } else if (G.kind === "heatmap") {
    PS.plot("grid-chart", [{
      type: "heatmap", x: G.x.map(String), y: G.y.map(String), z: G.z, colorscale: "Viridis",
      colorbar: { title: { text: M.label }, tickformat: pct ? ".0%" : "", thickness: 12 },
      hovertemplate: G.x_name + " %{x}<br>" + G.y_name + " %{y}<br>" + M.label + " %{z:" + metricFmt + "}<extra></extra>",
    }], {
      xaxis: { title: { text: G.x_name }, type: "category" }, yaxis: { title: { text: G.y_name }, type: "category" },
    });
  } else if (G.kind === "line") {
    PS.plot("grid-chart", [{
      type: "scatter", mode: "lines+markers", x: G.x, y: G.y, line: { color: c.accent },
      hovertemplate: G.x_name + " %{x}<br>" + M.label + " %{y:" + metricFmt + "}<extra></extra>",
    }], { xaxis: { title: { text: G.x_name } }, yaxis: { title: { text: M.label }, tickformat: pct ? ".0%" : "" } });
  } else if (PS.hasWebGL()) {
    const dims = G.dimensions.map(function (d) { return Object.assign({}, d); });
    dims.push({ label: G.metric_label, values: G.metric, tickformat: pct ? ".0%" : "" });
    PS.plot("grid-chart", [{
      type: "parcoords", dimensions: dims,
      line: { color: G.metric, colorscale: "Viridis", showscale: true, colorbar: { tickformat: pct ? ".0%" : "", thickness: 12 } },
    }], { margin: { l: 60, r: 60, t: 40, b: 20 } });
  } else {
    /* no WebGL (parallel coordinates need it): metric against each parameter */
    const traces = [], extra = { grid: { rows: 1, columns: G.dimensions.length, pattern: "independent" } };
    G.dimensions.forEach(function (d, k) {
      const ax = k ? String(k + 1) : "";
      traces.push({ type: "scatter", mode: "markers", x: d.values, y: G.metric, xaxis: "x" + ax, yaxis: "y" + ax,
        marker: { size: 4, color: c.accent, opacity: 0.5 } });
      extra["xaxis" + ax] = { title: { text: d.label } };
      extra["yaxis" + ax] = { tickformat: pct ? ".0%" : "" };
    });
    PS.plot("grid-chart", traces, extra);
  }

  if (D.distribution.length) {
    PS.plot("distribution-chart", [{
      type: "histogram", x: D.distribution, nbinsx: Math.min(50, Math.max(5, Math.round(Math.sqrt(D.distribution.length) * 2))), marker: { color: c.accent, line: { color: c.bg, width: 1 } },
      hovertemplate: "%{x}<br>%{y} combinations<extra></extra>",
    }], { xaxis: { title: { text: M.label }, tickformat: pct ? ".1%" : "" }, yaxis: { title: { text: "Combinations" } }, bargap: 0.02 });
  } else {
    PS.empty("distribution-chart", "No successful combination.");
  }

  new PS.Table(document.getElementById("failed-table"), D.failed, {
    pageSize: 25, wrapColumns: ["error"], emptyText: "Every combination ran successfully.",
  });

  /* validation */
  const V = D.validation;
  if (V) {
    if (V.walk_forward) {
      const W = V.walk_forward, fmt = W.unit === "percent" ? ".2%" : ",.3f";
      PS.plot("wf-chart", [
        { type: "bar", name: "In sample", x: W.window, y: W.is_value, marker: { color: c.muted },
          hovertemplate: "%{x}: %{y:" + fmt + "}<extra>IS</extra>" },
        { type: "bar", name: "Out of sample", x: W.window, y: W.oos_value, marker: { color: c.accent },
          hovertemplate: "%{x}: %{y:" + fmt + "}<extra>OOS</extra>" },
      ], { barmode: "group", showlegend: true, xaxis: { type: "category", title: { text: "Window" } },
           yaxis: { title: { text: W.metric }, tickformat: W.unit === "percent" ? ".0%" : "" } });
      const timeline = [];
      W.window.forEach(function (w, i) {
        timeline.push({ type: "scatter", mode: "lines", x: [W.train_start_ms[i], W.train_end_ms[i]], y: [w, w],
          line: { color: c.muted, width: 10 }, name: "train", showlegend: i === 0, hovertemplate: "train %{x|%Y-%m-%d}<extra>" + w + "</extra>" });
        timeline.push({ type: "scatter", mode: "lines", x: [W.test_start_ms[i], W.test_end_ms[i]], y: [w, w],
          line: { color: c.accent, width: 10 }, name: "test", showlegend: i === 0, hovertemplate: "test %{x|%Y-%m-%d}<extra>" + w + "</extra>" });
      });
      PS.plot("wf-timeline", timeline, { showlegend: true, xaxis: { type: "date" }, yaxis: { type: "category", autorange: "reversed" } });
      new PS.Table(document.getElementById("wf-table"), W.table, { pageSize: 0, pager: false });
    }
    if (V.oos_curve) {
      /* one trace per window (meta "oos-segment"), alternating colours, a dashed line where each window starts */
      const S = V.oos_curve.segments, shapes = [], notes = [];
      const traces = S.map(function (seg, i) {
        if (i > 0) {
          shapes.push({ type: "line", x0: seg.start_ms, x1: seg.start_ms, yref: "paper", y0: 0, y1: 1,
            line: { color: c.muted, width: 1, dash: "dot" } });
        }
        notes.push({ x: seg.start_ms, xanchor: "left", yref: "paper", y: 1, yanchor: "bottom", showarrow: false,
          text: "W" + seg.window, font: { size: 10, color: c.muted } });
        return {
          type: "scatter", mode: "lines", x: seg.time_ms, y: seg.equity, meta: "oos-segment",
          name: "Window " + seg.window, line: { color: i % 2 ? c.warn : c.accent, width: 1.6 },
          /* the label as hover text, not in the template: a value holding "%{" stays text */
          text: "Window " + seg.window + (seg.parameters ? ": " + seg.parameters : ""),
          hovertemplate: "%{x|%Y-%m-%d}<br>Equity %{y:,.2f}<br>%{text}<extra></extra>",
        };
      });
      PS.plot("wf-oos", traces, { shapes: shapes, annotations: notes, margin: { l: 56, r: 16, t: 24, b: 40 },
        xaxis: { type: "date" }, yaxis: { title: { text: "OOS equity" }, tickformat: ",.0f" } });
    }
    if (V.fan) {
      const F = V.fan;
      PS.plot("mc-fan", [
        { x: F.step, y: F.p05, type: "scatter", mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false },
        { x: F.step, y: F.p95, type: "scatter", mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: c.accent + "26", name: "5–95%" },
        { x: F.step, y: F.p25, type: "scatter", mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false },
        { x: F.step, y: F.p75, type: "scatter", mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: c.accent + "55", name: "25–75%" },
        { x: F.step, y: F.p50, type: "scatter", mode: "lines", line: { color: c.accent, width: 2 }, name: "median" },
      ], { showlegend: true, xaxis: { title: { text: "Trade" } }, yaxis: { title: { text: "Equity (× start)" } } });
    }
    const hist = function (id, values, label, color) {
      if (!values) return;
      PS.plot(id, [{ type: "histogram", x: values, nbinsx: 40, marker: { color: color, line: { color: c.bg, width: 1 } } }],
        { xaxis: { title: { text: label }, tickformat: ".0%" }, yaxis: { title: { text: "Simulations" } }, bargap: 0.02 });
    };
    hist("mc-returns", V.mc_final_returns, "Final return", c.accent);
    hist("mc-drawdowns", V.mc_max_drawdowns, "Max drawdown", c.neg);
    if (V.pbo_logits) {
      PS.plot("pbo-chart", [{ type: "histogram", x: V.pbo_logits, nbinsx: 30, marker: { color: c.warn, line: { color: c.bg, width: 1 } } }], {
        xaxis: { title: { text: "Logit of the OOS rank of the IS-best combination" } }, yaxis: { title: { text: "Splits" } },
        shapes: [{ type: "line", x0: 0, x1: 0, yref: "paper", y0: 0, y1: 1, line: { color: c.neg, dash: "dash" } }], bargap: 0.02,
      });
    }
    if (V.verdicts) {
      const statusCol = V.verdicts.columns.findIndex(function (col) { return col.key === "status"; });
      new PS.Table(document.getElementById("verdict-table"), V.verdicts, {
        pageSize: 0, pager: false, wrapColumns: ["reason"],
        cellClass: function (i, col, raw) {
          if (col.key !== "status") return "";
          const s = String(V.verdicts.rows[i][statusCol]).toLowerCase();
          return s === "pass" ? "pos" : s === "fail" ? "neg" : "muted";
        },
      });
    }
  }
  PS.ready();
})();
