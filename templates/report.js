/* pystocksharp reports: shared page code (theme, plotly helpers, sortable paginated tables).
   Vanilla JS; data comes from <script id="report-data" type="application/json">. */
(function () {
  "use strict";
  const PS = (window.PSReport = {});
  const THEME_KEY = "pystocksharp-theme";
  const themeListeners = [];

  PS.data = function () {
    return JSON.parse(document.getElementById("report-data").textContent);
  };

  PS.css = function (name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  };

  PS.colors = function () {
    return {
      bg: PS.css("--panel"), text: PS.css("--text"), muted: PS.css("--muted"), grid: PS.css("--grid"),
      border: PS.css("--border"), accent: PS.css("--accent"), pos: PS.css("--pos"), neg: PS.css("--neg"),
      warn: PS.css("--warn"), focus: PS.css("--row-focus"),
    };
  };

  PS.theme = function () {
    return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
  };

  PS.setTheme = function (theme) {
    document.documentElement.dataset.theme = theme;
    try { localStorage.setItem(THEME_KEY, theme); } catch (e) { /* file:// without storage */ }
    themeListeners.forEach(function (fn) { fn(theme); });
  };

  PS.onTheme = function (fn) { themeListeners.push(fn); };

  /* ---------------------------------------------------------------- plotly */
  const plots = [];

  PS.layout = function (extra) {
    const c = PS.colors();
    const axis = { gridcolor: c.grid, zerolinecolor: c.border, linecolor: c.border, automargin: true };
    const base = {
      paper_bgcolor: c.bg, plot_bgcolor: c.bg, font: { color: c.text, size: 12 },
      margin: { l: 56, r: 16, t: 10, b: 40 }, xaxis: Object.assign({}, axis), yaxis: Object.assign({}, axis),
      hovermode: "closest", showlegend: false,
      legend: { orientation: "h", y: 1.08, x: 0 },
    };
    Object.keys(extra || {}).forEach(function (k) {
      if (/^[xy]axis\d*$/.test(k)) base[k] = Object.assign({}, axis, extra[k]);
      else base[k] = extra[k];
    });
    return base;
  };

  PS.plot = function (id, traces, layoutExtra) {
    const el = typeof id === "string" ? document.getElementById(id) : id;
    if (!el) return null;
    const entry = { el: el, extra: layoutExtra || {} };
    plots.push(entry);
    Plotly.newPlot(el, traces, PS.layout(entry.extra), { responsive: true, displaylogo: false });
    return el;
  };

  PS.onTheme(function () {
    plots.forEach(function (p) { Plotly.relayout(p.el, PS.layout(p.extra)); });
  });

  PS.hasWebGL = function () {
    try {
      const canvas = document.createElement("canvas");
      return !!(canvas.getContext("webgl") || canvas.getContext("experimental-webgl"));
    } catch (e) { return false; }
  };

  PS.empty = function (id, text) {
    const el = document.getElementById(id);
    if (el) { el.classList.add("empty"); el.style.height = "auto"; el.textContent = text; }
  };

  /* ---------------------------------------------------------------- tables */
  function compare(a, b) {
    if (a === null || a === undefined || a === "") return (b === null || b === undefined || b === "") ? 0 : 1;
    if (b === null || b === undefined || b === "") return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  /* A sortable, paginated table. spec: {columns:[{key,label,unit}], rows:[[raw]], text:[[shown]]}.
     opts: pageSize (0 = all), links (href per row or null), onRowClick(i), cellClass(i, col, raw). */
  PS.Table = function (root, spec, opts) {
    opts = opts || {};
    const n = spec.rows.length;
    const self = this;
    let order = Array.from({ length: n }, function (_, i) { return i; });
    let sortCol = -1, sortDir = 1, page = 0;
    let pageSize = opts.pageSize === undefined ? 25 : opts.pageSize;
    let focused = -1;
    root.dataset.totalRows = String(n);
    root.innerHTML = "";
    if (n === 0) {
      const p = document.createElement("div");
      p.className = "empty";
      p.textContent = opts.emptyText || "Nothing to show.";
      root.appendChild(p);
      return;
    }
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    const table = document.createElement("table");
    const thead = table.createTHead();
    const htr = thead.insertRow();
    spec.columns.forEach(function (col, j) {
      const th = document.createElement("th");
      th.scope = "col";
      if (col.unit === "text") th.className = "text";
      const btn = document.createElement("button");
      btn.className = "sort";
      btn.type = "button";
      btn.textContent = col.label;
      btn.addEventListener("click", function () { self.sort(j); });
      th.appendChild(btn);
      htr.appendChild(th);
    });
    const tbody = table.createTBody();
    wrap.appendChild(table);
    root.appendChild(wrap);

    const pager = document.createElement("div");
    pager.className = "pager";
    const info = document.createElement("span");
    const prev = document.createElement("button");
    prev.type = "button"; prev.textContent = "‹ Prev"; prev.className = "prev";
    const next = document.createElement("button");
    next.type = "button"; next.textContent = "Next ›"; next.className = "next";
    const sizeSel = document.createElement("select");
    sizeSel.className = "page-size";
    sizeSel.setAttribute("aria-label", "Rows per page");
    [25, 100, 500, 0].forEach(function (s) {
      const o = document.createElement("option");
      o.value = String(s); o.textContent = s ? s + " rows" : "All rows";
      if (s === pageSize) o.selected = true;
      sizeSel.appendChild(o);
    });
    prev.addEventListener("click", function () { page = Math.max(0, page - 1); render(); });
    next.addEventListener("click", function () { page = Math.min(pages() - 1, page + 1); render(); });
    sizeSel.addEventListener("change", function () { pageSize = Number(sizeSel.value); page = 0; render(); });
    pager.append(info, prev, next, sizeSel);
    if (opts.pager !== false) root.appendChild(pager);

    function pages() { return pageSize ? Math.max(1, Math.ceil(n / pageSize)) : 1; }

    function render() {
      const start = pageSize ? page * pageSize : 0;
      const end = pageSize ? Math.min(n, start + pageSize) : n;
      const frag = document.createDocumentFragment();
      for (let k = start; k < end; k++) {
        const i = order[k];
        const tr = document.createElement("tr");
        tr.dataset.row = String(i);
        if (i === focused) tr.className = "focused";
        if (opts.onRowClick || (opts.links && opts.links[i])) {
          tr.classList.add("clickable");
          tr.addEventListener("click", function (ev) {
            if (ev.target.tagName === "A") return;
            if (opts.onRowClick) opts.onRowClick(i, tr);
            else window.location.href = opts.links[i];
          });
        }
        spec.text[i].forEach(function (text, j) {
          const td = document.createElement("td");
          const col = spec.columns[j];
          if (col.unit === "text") td.className = "text";
          if (opts.wrapColumns && opts.wrapColumns.indexOf(col.key) >= 0) td.classList.add("wrap-text");
          const extra = opts.cellClass ? opts.cellClass(i, col, spec.rows[i][j]) : "";
          if (extra) td.classList.add(extra);
          if (j === 0 && opts.links && opts.links[i]) {
            const a = document.createElement("a");
            a.href = opts.links[i]; a.textContent = text;
            td.appendChild(a);
          } else {
            td.textContent = text;
          }
          tr.appendChild(td);
        });
        frag.appendChild(tr);
      }
      tbody.replaceChildren(frag);
      info.textContent = n ? (start + 1) + "–" + end + " of " + n : "0 rows";
      prev.disabled = page === 0;
      next.disabled = page >= pages() - 1;
      Array.from(htr.children).forEach(function (th, j) {
        th.setAttribute("aria-sort", j === sortCol ? (sortDir > 0 ? "ascending" : "descending") : "none");
      });
    }

    this.sort = function (j, dir) {
      sortDir = dir !== undefined ? dir : (j === sortCol ? -sortDir : 1);
      sortCol = j;
      order.sort(function (a, b) {
        const va = spec.rows[a][j], vb = spec.rows[b][j];
        const nullA = va === null || va === "", nullB = vb === null || vb === "";
        if (nullA || nullB) return compare(va, vb) || a - b; /* missing values last either way */
        return sortDir * compare(va, vb) || a - b;
      });
      page = 0;
      render();
    };

    /* Show row i (original index): switch to its page, mark it, scroll it into view. */
    this.showRow = function (i) {
      focused = i;
      const k = order.indexOf(i);
      if (pageSize) page = Math.floor(k / pageSize);
      render();
      const tr = tbody.querySelector('tr[data-row="' + i + '"]');
      if (tr) tr.scrollIntoView({ block: "nearest" });
    };

    this.focus = function (i) { focused = i; render(); };
    render();
  };

  /* Mark the page drawn: body[data-ready="1"], and data-ready-ms = ms since navigation start. */
  PS.ready = function () {
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = "1";
  };

  document.addEventListener("DOMContentLoaded", function () {
    const btn = document.getElementById("theme-toggle");
    if (btn) btn.addEventListener("click", function () { PS.setTheme(PS.theme() === "dark" ? "light" : "dark"); });
  });
})();
