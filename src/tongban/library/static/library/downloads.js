// The download log's monthly chart (the same figures are in the table below it).
(function () {
  "use strict";
  var el = document.getElementById("lib-chart");
  var data = document.getElementById("lib-chart-data");
  if (!el || !data || typeof echarts === "undefined") return;
  var d = JSON.parse(data.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: d.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: d.counts }],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
