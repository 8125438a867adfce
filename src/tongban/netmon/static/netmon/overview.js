/* 网络监测总览: a schematic of the county (ECharts graph, fixed positions: the county machine room
   in the centre, the county units on the inner rings, the townships on the outer ring), coloured by
   status, refreshed from the JSON API every 30 s. No map tiles: the government network is offline. */
(function () {
  "use strict";
  var dataEl = document.getElementById("nm-data");
  var cfg = document.getElementById("nm-config");
  var el = document.getElementById("nm-map");
  if (!dataEl || !el || typeof echarts === "undefined") return;
  var chart = echarts.init(el);
  var base = JSON.parse(dataEl.textContent);

  function layout(sites) {
    var halls = sites.filter(function (s) { return s.kind === "hall"; });
    var units = sites.filter(function (s) { return s.kind === "unit"; });
    var towns = sites.filter(function (s) { return s.kind === "township"; });
    var nodes = [];
    var links = [];
    var centre = halls.length ? halls[0] : null;
    var centreId = centre ? String(centre.id) : "centre";
    nodes.push({
      id: centreId, name: centre ? centre.name : base.hall, x: 0, y: 0, symbolSize: 46,
      site: centre, itemStyle: { color: centre ? base.colors[centre.status] : "#0d6efd" },
      label: { show: true, position: "bottom", fontWeight: "bold" }
    });
    halls.slice(1).forEach(function (s, i) {
      nodes.push({ id: String(s.id), name: s.name, x: 40 * (i + 1), y: -40, symbolSize: 20, site: s,
        itemStyle: { color: base.colors[s.status] } });
      links.push({ source: centreId, target: String(s.id) });
    });
    units.forEach(function (s, i) {
      var a = (2 * Math.PI * i) / Math.max(units.length, 1);
      var r = 150 + (i % 3) * 35;
      nodes.push({ id: String(s.id), name: s.name, x: r * Math.cos(a), y: r * Math.sin(a), symbolSize: 11,
        site: s, itemStyle: { color: base.colors[s.status] }, label: { show: false } });
      links.push({ source: centreId, target: String(s.id), lineStyle: { opacity: 0.12 } });
    });
    towns.forEach(function (s, i) {
      var a = (2 * Math.PI * i) / Math.max(towns.length, 1) - Math.PI / 2;
      nodes.push({ id: String(s.id), name: s.name, x: 330 * Math.cos(a), y: 330 * Math.sin(a), symbolSize: 30,
        symbol: "roundRect", site: s, itemStyle: { color: base.colors[s.status] },
        label: { show: true, position: "bottom" } });
      links.push({ source: centreId, target: String(s.id),
        lineStyle: { width: 2, opacity: 0.6, color: base.colors[s.status] } });
    });
    return { nodes: nodes, links: links };
  }

  function draw(sites) {
    var g = layout(sites);
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          var s = p.data && p.data.site;
          if (!s) return p.name || "";
          var esc = function (t) { return String(t).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); };
          return esc(s.name) + "<br>" + esc(s.status_label) +
            (s.latency_ms !== null ? " · " + s.latency_ms + " ms" : "") +
            (s.uptime_24h !== null ? "<br>24h " + s.uptime_24h + "%" : "");
        }
      },
      legend: [{ bottom: 0, data: Object.keys(base.labels).map(function (k) { return base.labels[k]; }) }],
      animation: false,
      series: [{
        type: "graph", layout: "none", roam: true, data: g.nodes, links: g.links,
        label: { fontSize: 11 }, lineStyle: { color: "#adb5bd", curveness: 0 },
        emphasis: { focus: "adjacency", label: { show: true } }
      }].concat(Object.keys(base.labels).map(function (k) {
        // empty series so the legend shows the colour of each status
        return { type: "graph", name: base.labels[k], data: [], itemStyle: { color: base.colors[k] } };
      }))
    }, true);
    el.dataset.nmNodes = String(g.nodes.length);
  }

  chart.on("click", function (p) {
    if (p.data && p.data.site && p.data.site.url) window.location.href = p.data.site.url;
  });
  draw(base.sites);
  window.addEventListener("resize", function () { chart.resize(); });

  function refresh(d) {
    base.sites = d.sites;
    draw(d.sites);
    Object.keys(d.counts || {}).forEach(function (k) {
      var c = document.querySelector('[data-nm-count="' + k + '"]');
      if (c) c.textContent = d.counts[k];
    });
    d.sites.forEach(function (s) {
      var badge = document.querySelector('tr[data-site="' + s.id + '"] [data-status]');
      if (badge) {
        badge.textContent = s.status_label;
        badge.className = "badge " + s.badge;
        badge.dataset.status = s.status;
      }
    });
    var last = document.getElementById("nm-last");
    if (last && d.last_checked_at) last.textContent = new Date(d.last_checked_at).toLocaleString();
  }
  if (cfg && cfg.dataset.api && window.fetch) {
    setInterval(function () {
      if (document.hidden) return;
      fetch(cfg.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) { if (d) refresh(d); })
        .catch(function () { /* keep the last picture */ });
    }, 30000);
  }
})();
