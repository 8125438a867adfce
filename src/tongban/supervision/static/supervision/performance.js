/* Performance page: each department's monthly score over 12 months (ECharts, vendored, offline). */
(function () {
  "use strict";
  var el = document.getElementById("pf-trend");
  var dataEl = document.getElementById("pf-trend-data");
  if (!el || !dataEl || typeof echarts === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);
  if (!data.series.length) {
    el.style.height = "auto";
    el.className += " p-3 text-muted";
    el.textContent = el.getAttribute("data-empty") || "—";
    return;
  }
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", top: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: 30, containLabel: true },
    xAxis: { type: "category", boundaryGap: false, data: data.months },
    yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10); }, max: 100 },
    series: data.series.map(function (s) {
      return { name: s.name, type: "line", connectNulls: false, data: s.scores, symbolSize: 6 };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
