// The dashboard: refresh each card every 30 s while the tab is visible, and draw the charts.
// Each card polls on the "dashboard:tick" event (hx-trigger); each chart's data is JSON in its
// plot element's data-chart attribute (no inline script; htmx drops scripts from fragments).
(function () {
  "use strict";

  var PERIOD = 30000;
  var PALETTE = ["#3b82f6", "#ef4444", "#10b981", "#f59e0b", "#8b5cf6", "#ec4899", "#14b8a6"];
  var lastTick = Date.now();
  var plots = [];

  function tick() {
    lastTick = Date.now();
    if (window.htmx) window.htmx.trigger(document.body, "dashboard:tick");
  }

  window.setInterval(function () {
    if (document.visibilityState === "visible") tick();
  }, PERIOD);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - lastTick >= PERIOD) tick();
  });

  function textColor(element) {
    return window.getComputedStyle(element).color;
  }

  function gridColor(element) {
    var style = window.getComputedStyle(document.documentElement);
    return style.getPropertyValue("--pico-muted-border-color").trim() || "rgba(128, 128, 128, 0.3)";
  }

  function draw(element) {
    if (plots.some(function (entry) { return entry.element === element; })) return;  // drawn already
    if (!window.uPlot) return;
    var chart;
    try { chart = JSON.parse(element.dataset.chart); } catch (e) { return; }
    if (!chart.x.length) return;
    var ink = textColor(element);
    var grid = gridColor(element);
    var axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    var series = [{}];
    var data = [chart.x];
    chart.series.forEach(function (line, index) {
      series.push({
        label: line.label,
        stroke: PALETTE[index % PALETTE.length],
        width: 2,
        spanGaps: false,
        points: { show: chart.x.length < 3 },
        value: function (u, v) { return v == null ? "–" : v + " " + chart.unit; }
      });
      data.push(line.values);
    });
    var plot = new window.uPlot({
      width: Math.max(element.clientWidth, 240),
      height: 200,
      series: series,
      axes: [Object.assign({}, axis), Object.assign({}, axis, { size: 60, values: function (u, ticks) {
        return ticks.map(function (v) { return v + " " + chart.unit; });
      } })],
      scales: { y: { range: function (u, min, max) { return [0, Math.max(max || 0, chart.unit === "%" ? 5 : 10)]; } } },
      legend: { live: true }
    }, data, element);
    plot.root.classList.add("dash-uplot");
    plots.push({ element: element, plot: plot });
  }

  function drawIn(root) {
    root.querySelectorAll(".dash-plot[data-chart]").forEach(draw);
  }

  function forget(root) {
    plots = plots.filter(function (entry) {
      if (root.contains(entry.element)) { entry.plot.destroy(); return false; }
      return true;
    });
  }

  function redrawAll() {
    forget(document.body);
    drawIn(document);
  }

  document.addEventListener("DOMContentLoaded", function () { drawIn(document); });
  document.addEventListener("htmx:beforeSwap", function (event) { forget(event.detail.target); });
  document.addEventListener("htmx:load", function (event) { drawIn(event.detail.elt); });
  // The theme toggle sets data-theme; the system's scheme can change too: draw again in the new colours.
  new MutationObserver(redrawAll).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  if (window.matchMedia) window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", redrawAll);
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      plots.forEach(function (entry) { entry.plot.setSize({ width: Math.max(entry.element.clientWidth, 240), height: 200 }); });
    }, 150);
  });
})();
