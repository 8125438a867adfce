/* Sign-in and attendance pages: the venue screen's live count and full screen, the report's chart. */
(function () {
  "use strict";

  // 已签到 N / 应到 M on the venue screen, every 10 s
  var counter = document.getElementById("att-counter");
  if (counter && counter.dataset.url) {
    var refresh = function () {
      fetch(counter.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) { return; }
          document.getElementById("att-signed").textContent = d.signed;
          document.getElementById("att-expected").textContent = d.expected;
          var leave = document.getElementById("att-leave");
          if (leave) { leave.textContent = d.leave; }
        })
        .catch(function () { /* the next tick tries again */ });
    };
    window.setInterval(refresh, 10000);
  }

  var full = document.getElementById("att-fullscreen");
  if (full) {
    full.addEventListener("click", function () {
      var el = document.getElementById("att-screen");
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (el && el.requestFullscreen) { el.requestFullscreen(); }
    });
  }

  // the report's bar chart: one bar per unit, stacked by status
  var chartEl = document.getElementById("att-chart");
  var dataEl = document.getElementById("att-chart-data");
  if (chartEl && dataEl && window.echarts) {
    var data = JSON.parse(dataEl.textContent);
    if (!data.units.length) {
      chartEl.textContent = data.empty;
      chartEl.classList.add("d-flex", "align-items-center", "justify-content-center", "text-muted");
      return;
    }
    var colors = { present: "#198754", late: "#ffc107", leave: "#0dcaf0", absent: "#dc3545", waiting: "#adb5bd" };
    var chart = window.echarts.init(chartEl);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.units, inverse: true },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "total", data: s.data, itemStyle: { color: colors[s.key] },
                 label: { show: true, formatter: function (p) { return p.value ? p.value : ""; } } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
})();
