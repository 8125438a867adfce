/* 电子监察总览: ECharts pie (open cases by light) and stacked bar (by department); the figures
   come from the page (json_script) and are refreshed from the API every minute. Offline: ECharts
   is the vendored static/vendor/echarts-6.1.0 build. */
(function () {
  "use strict";
  var dataEl = document.getElementById("sv-data");
  var cfg = document.getElementById("sv-config");
  if (!dataEl || typeof echarts === "undefined") return;
  var pieEl = document.getElementById("sv-pie");
  var barEl = document.getElementById("sv-bar");
  var pie = echarts.init(pieEl);
  var bar = echarts.init(barEl);
  var ORDER = ["red", "yellow", "warning", "green", "none"];

  function draw(d) {
    pie.setOption({
      tooltip: { trigger: "item" },
      legend: { bottom: 0 },
      series: [{
        type: "pie",
        radius: ["40%", "70%"],
        data: d.by_light.map(function (x) {
          return { name: x.label, value: x.count, itemStyle: { color: x.color } };
        })
      }]
    }, true);
    var units = d.departments.map(function (r) { return r.unit; });
    bar.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 },
      grid: { left: 40, right: 10, top: 10, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: units, axisLabel: { interval: 0, rotate: units.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: ORDER.map(function (k) {
        return {
          name: d.labels[k], type: "bar", stack: "open", itemStyle: { color: d.colors[k] },
          data: d.departments.map(function (r) { return r[k]; })
        };
      })
    }, true);
    var set = function (key, value) {
      var el = document.querySelector('[data-sv="' + key + '"]');
      if (el) el.textContent = value;
    };
    set("total_open", d.total_open);
    d.by_light.forEach(function (x) { set(x.light, x.count); });
    set("anomalies_open", d.anomalies_open);
    set("rectifications_open", d.rectifications_open);
    set("rectifications_overdue", d.rectifications_overdue);
  }

  draw(JSON.parse(dataEl.textContent));
  window.addEventListener("resize", function () { pie.resize(); bar.resize(); });
  if (cfg && cfg.dataset.api && window.fetch) {
    setInterval(function () {
      if (document.hidden) return;
      fetch(cfg.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) { if (d) draw(d); })
        .catch(function () { /* keep the last figures */ });
    }, 60000);
  }
})();
