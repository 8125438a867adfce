/* 站点详情: latency per probe (24 h: raw results) or average/max latency and uptime per hour/day
   (7 d / 30 d: roll-ups). Data from the page (json_script); ECharts vendored. */
(function () {
  "use strict";
  var dataEl = document.getElementById("nm-hist-data");
  var el = document.getElementById("nm-history");
  if (!dataEl || !el || typeof echarts === "undefined") return;
  var d = JSON.parse(dataEl.textContent);
  var chart = echarts.init(el);
  var series = [];
  if (d.range === "24h" && d.results.length) {
    var byProbe = {};
    d.results.forEach(function (r) {
      (byProbe[r.probe_id] = byProbe[r.probe_id] || []).push([r.at, r.ok ? r.latency_ms : null]);
    });
    Object.keys(byProbe).forEach(function (pid) {
      series.push({ type: "line", name: d.probes[pid] || ("#" + pid), data: byProbe[pid], showSymbol: false, connectNulls: false });
    });
  } else {
    series.push({ type: "line", name: "avg ms", data: d.buckets.map(function (b) { return [b.start, b.latency_avg]; }), showSymbol: false });
    series.push({ type: "line", name: "max ms", data: d.buckets.map(function (b) { return [b.start, b.latency_max]; }), showSymbol: false, lineStyle: { type: "dashed" } });
    series.push({ type: "bar", name: "%", yAxisIndex: 1, data: d.buckets.map(function (b) { return [b.start, b.uptime]; }), itemStyle: { opacity: 0.3 } });
  }
  var points = series.reduce(function (n, s) { return n + s.data.length; }, 0);
  chart.setOption({
    title: points ? undefined : { text: el.dataset.empty || "", left: "center", top: "middle", textStyle: { color: "#6c757d", fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 10, right: 10, top: 20, bottom: 40, containLabel: true },
    xAxis: { type: "time" },
    yAxis: [{ type: "value", name: "ms" }, { type: "value", name: "%", min: 0, max: 100, show: d.range !== "24h" }],
    series: series
  });
  el.dataset.nmPoints = String(points);
  window.addEventListener("resize", function () { chart.resize(); });
})();
