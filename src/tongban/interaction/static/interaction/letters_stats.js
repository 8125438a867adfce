// Letters statistics charts (the table below the charts carries the same figures).
(function () {
  var el = document.getElementById("letters-chart");
  if (!el || typeof echarts === "undefined") return;
  var d = JSON.parse(el.textContent);
  var m = document.getElementById("chart-months");
  if (m) {
    echarts.init(m).setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [d.labels.received, d.labels.answered] },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: d.labels.received, type: "bar", data: d.received },
        { name: d.labels.answered, type: "line", data: d.answered }
      ]
    });
  }
  var k = document.getElementById("chart-kinds");
  if (k) {
    echarts.init(k).setOption({
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "65%"], data: d.kinds }]
    });
  }
})();
