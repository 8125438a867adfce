/* Tongban electronic keys: registration and login ceremonies with SimpleWebAuthnBrowser. */
(function () {
  "use strict";
  var form = document.getElementById("tb-webauthn");
  if (!form) { return; }
  var statusBox = document.getElementById("tb-webauthn-status");
  var button = document.getElementById("tb-webauthn-go");
  var lib = window.SimpleWebAuthnBrowser;

  function show(message, kind) {
    statusBox.textContent = message;
    statusBox.className = "alert alert-" + (kind || "info");
  }

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: form.dataset.msgNetwork }; });
    }, function () { return { ok: false, error: form.dataset.msgNetwork }; });
  }

  function run() {
    if (!lib || !lib.browserSupportsWebAuthn()) {
      show(form.dataset.msgUnsupported, "danger");
      return;
    }
    button.disabled = true;
    var register = form.dataset.mode === "register";
    postJSON(form.dataset.optionsUrl).then(function (data) {
      if (!data.ok) { throw { tbMessage: data.error, restart: data.restart }; }
      show(form.dataset.msgWorking, "info");
      var ceremony = register
        ? lib.startRegistration({ optionsJSON: data.options })
        : lib.startAuthentication({ optionsJSON: data.options });
      return ceremony.catch(function () { throw { tbMessage: form.dataset.msgCancelled }; });
    }).then(function (credential) {
      var body = { credential: credential };
      var nameInput = form.querySelector("input[name=name]");
      if (nameInput) { body.name = nameInput.value; }
      return postJSON(form.dataset.verifyUrl, body);
    }).then(function (result) {
      if (!result.ok) { throw { tbMessage: result.error, restart: result.restart }; }
      window.location.assign(result.redirect);
    }).catch(function (err) {
      show((err && err.tbMessage) || form.dataset.msgNetwork, "danger");
      button.disabled = false;
      if (err && err.restart) { window.setTimeout(function () { window.location.assign(form.dataset.loginUrl); }, 2000); }
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  if (form.dataset.autostart === "1") { run(); }
})();
