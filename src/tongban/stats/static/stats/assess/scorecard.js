/* A unit's scorecard: the score and rank of the last periods as an ECharts line (the same figures
   are in the table under the chart), and the period picker. Offline: ECharts is the vendored
   static/vendor/echarts-6.1.0 build. */
(function () {
  "use strict";
  var picker = document.querySelector("select[data-nav]");
  if (picker) {
    picker.addEventListener("change", function () { if (picker.value) window.location = picker.value; });
  }
  var dataEl = document.getElementById("card-data");
  var el = document.getElementById("card-trend");
  if (!dataEl || !el || typeof echarts === "undefined") return;
  var d = JSON.parse(dataEl.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 40, right: 40, top: 20, bottom: 50, containLabel: true },
    xAxis: { type: "category", data: d.labels },
    yAxis: [
      { type: "value", name: d.score_label, min: 0, max: 100 },
      { type: "value", name: d.rank_label, inverse: true, minInterval: 1, min: 1 }
    ],
    series: [
      { name: d.score_label, type: "line", data: d.scores, connectNulls: true, label: { show: true } },
      { name: d.rank_label, type: "line", yAxisIndex: 1, data: d.ranks, connectNulls: true, lineStyle: { type: "dashed" } }
    ]
  });
  el.setAttribute("data-loaded", d.scores.filter(function (x) { return x !== null; }).length);
  window.addEventListener("resize", function () { chart.resize(); });
})();
