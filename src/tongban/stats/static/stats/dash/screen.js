/* 大屏: a clock, and the figures fetched again from the JSON API every 60 s without reloading the
   page (the charts are redrawn by charts.js's SD.draw). A failed fetch keeps the last figures. */
(function () {
  "use strict";
  var clock = document.getElementById("sd-clock");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var d = new Date();
    if (clock) clock.textContent = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  /* the snapshot's time in the wall display's own time zone, like the clock */
  function hm(iso) {
    if (!iso) return "—";
    var t = new Date(iso);
    return isNaN(t.getTime()) ? "—" : pad(t.getHours()) + ":" + pad(t.getMinutes());
  }
  tick();
  setInterval(tick, 1000);
  var cfg = document.getElementById("sd-config");
  if (!cfg || !window.fetch || !window.SD) return;
  var seconds = parseInt(cfg.dataset.refresh, 10) || 60;
  window.sdRefreshes = 0;
  function refresh() {
    return fetch(cfg.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        window.SD.draw(d);
        var up = document.getElementById("sd-updated");
        if (up) up.textContent = hm(d.snapshot_at);
        window.sdRefreshes += 1;
      })
      .catch(function () { /* keep the last figures */ });
  }
  window.sdRefresh = refresh;
  refresh();
  setInterval(function () { if (!document.hidden) refresh(); }, seconds * 1000);
})();
