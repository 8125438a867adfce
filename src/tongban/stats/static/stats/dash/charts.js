/* Statistics dashboards: ECharts drawings of the overview, the trends, the unit comparison, the
   effect report and the big screen. The figures come from the page ({{ data|json_script }}) and,
   on the big screen, from the JSON API (screen.js calls SD.draw again). Each chart has its table on
   the page. Large-text mode (html.tb-large) draws bigger labels. Offline: the vendored ECharts. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var html = document.documentElement;
  var dark = document.body.classList.contains("sd-screen");
  var big = html.classList.contains("tb-large");
  var FS = dark ? (big ? 18 : 15) : (big ? 16 : 12);
  var TXT = dark ? "#cfe0ff" : "#333";
  var AXIS = dark ? "#3b5a94" : "#ccc";
  var PALETTE = ["#2f7ed8", "#20c997", "#fd7e14", "#6f42c1", "#0dcaf0", "#d63384"];
  var charts = {};

  function chart(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    if (!charts[id]) charts[id] = echarts.init(el, null, { renderer: "canvas" });
    return charts[id];
  }
  function base(extra) {
    var o = {
      color: PALETTE,
      textStyle: { fontSize: FS, color: TXT },
      tooltip: { trigger: "axis", textStyle: { fontSize: FS } },
      legend: { bottom: 0, textStyle: { fontSize: FS, color: TXT } },
      grid: { left: 10, right: 16, top: 20, bottom: 40, containLabel: true },
      animation: !dark
    };
    for (var k in extra) o[k] = extra[k];
    return o;
  }
  function axisStyle(a) {
    a.axisLabel = a.axisLabel || {};
    a.axisLabel.fontSize = FS; a.axisLabel.color = TXT;
    a.axisLine = { lineStyle: { color: AXIS } };
    a.splitLine = { lineStyle: { color: dark ? "#152c57" : "#eee" } };
    return a;
  }
  function short(d) { return d.length > 5 ? d.slice(5) : d; }

  function pie(id, lights) {
    var c = chart(id); if (!c) return;
    c.setOption(base({
      tooltip: { trigger: "item", textStyle: { fontSize: FS } },
      series: [{ type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"],
        label: { fontSize: FS, color: TXT, formatter: "{b} {c}" },
        data: lights.map(function (x) { return { name: x.label, value: x.count, itemStyle: { color: x.color } }; }) }]
    }), true);
  }
  function letters(id, rows) {
    var c = chart(id); if (!c) return;
    c.setOption(base({
      legend: { show: false },
      xAxis: axisStyle({ type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { interval: 0, rotate: rows.length > 4 ? 25 : 0 } }),
      yAxis: axisStyle({ type: "value", minInterval: 1 }),
      series: [{ type: "bar", name: "", data: rows.map(function (r) { return r.count; }), label: { show: true, position: "top", fontSize: FS, color: TXT } }]
    }), true);
  }
  function line(id, days, series) {
    var c = chart(id); if (!c) return;
    c.setOption(base({
      xAxis: axisStyle({ type: "category", data: days.map(short), boundaryGap: false }),
      yAxis: axisStyle({ type: "value", minInterval: 1 }),
      series: series.map(function (s) { return { type: "line", name: s.label, data: s.data, smooth: true, showSymbol: days.length <= 31 }; })
    }), true);
  }
  function hbar(id, names, values, name, color) {
    var c = chart(id); if (!c) return;
    c.setOption(base({
      legend: { show: false },
      grid: { left: 10, right: 40, top: 10, bottom: 10, containLabel: true },
      xAxis: axisStyle({ type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max)); } }),
      yAxis: axisStyle({ type: "category", data: names, inverse: true, axisLabel: { interval: 0 } }),
      series: [{ type: "bar", name: name, data: values, itemStyle: { color: color || PALETTE[0] },
        label: { show: true, position: "right", fontSize: FS, color: TXT } }]
    }), true);
  }
  function topBottom(id, top, bottom) {
    var rows = top.concat(bottom.filter(function (b) {
      return !top.some(function (t) { return t.unit_id === b.unit_id; });
    }));
    var c = chart(id); if (!c) return;
    c.setOption(base({
      legend: { show: false },
      grid: { left: 10, right: 40, top: 10, bottom: 10, containLabel: true },
      xAxis: axisStyle({ type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max)); } }),
      yAxis: axisStyle({ type: "category", data: rows.map(function (r) { return r.name; }), inverse: true, axisLabel: { interval: 0 } }),
      series: [{ type: "bar", name: "%", label: { show: true, position: "right", fontSize: FS, color: TXT },
        data: rows.map(function (r, i) { return { value: r.active_rate, itemStyle: { color: i < top.length ? "#20c997" : "#fd7e14" } }; }) }]
    }), true);
  }
  function effect(id, months, pages, cost) {
    var c = chart(id); if (!c) return;
    var yAxis = [axisStyle({ type: "value", name: "页", nameTextStyle: { color: TXT } })];
    var series = [{ type: "bar", name: "节约纸张（页）", data: pages }];
    if (cost) {
      yAxis.push(axisStyle({ type: "value", name: "元", nameTextStyle: { color: TXT } }));
      series.push({ type: "line", name: "节约费用（元）", yAxisIndex: 1, data: cost });
    }
    c.setOption(base({ xAxis: axisStyle({ type: "category", data: months }), yAxis: yAxis, series: series }), true);
  }

  function set(key, value) {
    var els = document.querySelectorAll('[data-sd="' + key + '"]');
    for (var i = 0; i < els.length; i++) els[i].textContent = value;
  }

  /* The overview payload (page or API): cards and charts. */
  function draw(d) {
    if (d.figures) {
      ["active_users_today", "staff_total", "logins_today", "docs_in_motion", "docs_today", "cases_open", "meetings_today", "feedback_open"].forEach(function (k) {
        if (d.figures[k] !== undefined) set(k, d.figures[k]);
      });
      if (d.figures.cases_by_light) set("red", d.figures.cases_by_light.red);
    }
    if (d.lights) pie("sd-pie", d.lights);
    if (d.letters) letters("sd-letters", d.letters);
    if (d.trend) line("sd-trend", d.trend.days, d.trend.series);
    if (d.top) topBottom("sd-top", d.top, d.bottom || []);
    if (d.effect) {
      set("effect_cost", d.effect.total.cost.toLocaleString("zh-CN", { maximumFractionDigits: 0 }));
      set("effect_pages", d.effect.total.pages.toLocaleString("zh-CN"));
      effect("sd-effect", d.effect.by_month.map(function (r) { return r.label; }), d.effect.by_month.map(function (r) { return r.pages; }), null);
    }
    /* the comparison, trends and effect pages */
    if (d.names) hbar("sd-units", d.names, d.active_rate, "%");
    if (d.days && d.series && !d.trend) line("sd-trend", d.days, d.series);
    if (d.months) effect("sd-effect", d.months, d.pages, d.cost);
  }

  window.SD = { draw: draw, charts: charts };
  var dataEl = document.getElementById("sd-data");
  if (dataEl) draw(JSON.parse(dataEl.textContent));
  window.addEventListener("resize", function () {
    for (var k in charts) charts[k].resize();
  });
})();
