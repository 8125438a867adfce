/* The public site's small behaviours; every page works without them.
   - Large-text switch: sets the tb_large_text cookie (part of the page cache key) and toggles the
     class at once instead of following the link (the link is the no-JavaScript fallback).
   - Article tools (字号 大/中/小, 打印) are shown only when JavaScript runs.
   - Headline carousel: previous/next buttons over the scroll-snap strip. */
(function () {
  "use strict";
  var html = document.documentElement;
  function setLarge(on) {
    document.cookie = "tb_large_text=" + (on ? "1" : "0") + "; path=/; max-age=31536000; samesite=lax";
    html.classList.toggle("tb-large", on);
    document.querySelectorAll("[data-pt-large][aria-pressed]").forEach(function (el) {
      el.setAttribute("aria-pressed", on ? "true" : "false");
      var label = el.querySelector("span");
      if (label) { label.textContent = on ? el.dataset.labelOn : el.dataset.labelOff; }
    });
  }
  document.querySelectorAll("[data-pt-large]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      e.preventDefault();
      setLarge(!html.classList.contains("tb-large"));
    });
  });
  document.querySelectorAll("[data-pt-tools]").forEach(function (tools) {
    tools.hidden = false;
    var body = document.getElementById(tools.dataset.ptTools);
    tools.querySelectorAll("[data-pt-fs]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        if (!body) { return; }
        body.classList.remove("pt-fs-s", "pt-fs-l");
        if (btn.dataset.ptFs !== "m") { body.classList.add("pt-fs-" + btn.dataset.ptFs); }
        tools.querySelectorAll("[data-pt-fs]").forEach(function (b) { b.setAttribute("aria-pressed", b === btn ? "true" : "false"); });
      });
    });
    var print = tools.querySelector("[data-pt-print]");
    if (print) { print.addEventListener("click", function () { window.print(); }); }
  });
  document.querySelectorAll("[data-pt-carousel]").forEach(function (box) {
    var strip = box.querySelector(".pt-slides");
    box.querySelectorAll(".pt-carousel-btn").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var step = strip.clientWidth * (btn.classList.contains("pt-carousel-prev") ? -1 : 1);
        var end = strip.scrollWidth - strip.clientWidth;
        var to = strip.scrollLeft + step;
        if (to > end + 1) { to = 0; } else if (to < -1) { to = end; }
        strip.scrollTo({ left: to });
      });
    });
  });
})();
