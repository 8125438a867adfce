/* The public hall's applicant pages: the registration form shows the fields of the chosen
   account kind, and "获取验证码" asks the API for a code with a 60-second countdown. Without
   JavaScript both still work (all fields shown; the button posts the form). */
(function () {
  "use strict";
  var form = document.querySelector("[data-kind-toggle]");
  if (form) {
    var apply = function () {
      var checked = form.querySelector("input[name=kind]:checked");
      var kind = checked ? checked.value : "person";
      form.querySelectorAll(".tb-person").forEach(function (el) { el.hidden = kind !== "person"; });
      form.querySelectorAll(".tb-enterprise").forEach(function (el) { el.hidden = kind !== "enterprise"; });
    };
    form.querySelectorAll("input[name=kind]").forEach(function (el) { el.addEventListener("change", apply); });
    apply();
  }

  var button = document.getElementById("ban-send-code");
  if (!button || !window.fetch) { return; }
  var status = document.getElementById("ban-code-status");
  var label = button.textContent;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var countdown = function (n) {
    button.disabled = true;
    button.textContent = n + " s";
    var timer = setInterval(function () {
      n -= 1;
      if (n <= 0) { clearInterval(timer); button.disabled = false; button.textContent = label; }
      else { button.textContent = n + " s"; }
    }, 1000);
  };
  button.addEventListener("click", function (ev) {
    ev.preventDefault();
    var phone = document.getElementById(button.dataset.phoneField).value;
    fetch(button.dataset.codeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ phone: phone })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      status.textContent = res.ok ? (res.body.detail || "") : (res.body.detail || "");
      status.classList.toggle("text-danger", !res.ok);
      if (res.ok) { countdown(60); }
    }).catch(function () { form && form.requestSubmit ? form.requestSubmit(button) : null; });
  });
})();
