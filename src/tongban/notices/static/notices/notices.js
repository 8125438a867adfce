// Notice form: filter the unit checklist by name; hide it when the audience is the whole county.
(function () {
  "use strict";
  var form = document.getElementById("nt-form");
  if (!form) return;
  var box = document.getElementById("nt-units");
  var filter = document.getElementById("nt-unit-filter");
  var count = document.getElementById("nt-unit-count");
  function audience() {
    var checked = form.querySelector('input[name="audience"]:checked');
    box.hidden = !!checked && checked.value === "county";
  }
  function recount() {
    count.textContent = String(form.querySelectorAll('input[name="units"]:checked').length);
  }
  form.querySelectorAll('input[name="audience"]').forEach(function (el) { el.addEventListener("change", audience); });
  form.addEventListener("change", function (e) { if (e.target.name === "units") recount(); });
  filter.addEventListener("input", function () {
    var q = filter.value.trim();
    form.querySelectorAll("li.nt-unit").forEach(function (li) {
      var own = (li.getAttribute("data-name") || "").indexOf(q) !== -1;
      li.dataset.match = own ? "1" : "";
    });
    form.querySelectorAll("li.nt-unit").forEach(function (li) {
      var any = !q || li.dataset.match === "1" || li.querySelector('li.nt-unit[data-match="1"]') !== null;
      li.hidden = !any;
    });
    form.querySelectorAll("details.nt-group").forEach(function (d) {
      d.hidden = q && d.querySelector("li.nt-unit:not([hidden])") === null;
      if (q) d.open = true;
    });
  });
  audience();
})();
