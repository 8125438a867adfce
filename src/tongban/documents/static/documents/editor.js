// The body editor: Quill 2 (vendored) writes its HTML into the hidden body_html field on submit.
// The server sanitises the HTML with an allow-list; nothing here is trusted.
(function () {
  "use strict";
  var holder = document.getElementById("doc-editor");
  var form = document.getElementById("doc-form");
  var input = document.getElementById("id_body_html");
  if (!holder || !form || !input || typeof Quill === "undefined") { return; }
  var labels = JSON.parse(holder.getAttribute("data-labels") || "{}");
  var quill = new Quill(holder, {
    theme: "snow",
    modules: {
      toolbar: [[{ header: [1, 2, 3, false] }], ["bold", "italic", "underline"],
        [{ list: "ordered" }, { list: "bullet" }], [{ align: [] }], ["clean"]]
    }
  });
  quill.root.setAttribute("aria-label", holder.getAttribute("aria-label") || "");
  quill.root.setAttribute("role", "textbox");
  quill.root.setAttribute("aria-multiline", "true");
  // Give every toolbar control an accessible name (Quill ships none).
  var toolbar = holder.previousElementSibling;
  if (toolbar && toolbar.classList.contains("ql-toolbar")) {
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", labels.toolbar || "");
    toolbar.querySelectorAll("button").forEach(function (b) {
      var key = (b.className.match(/ql-(\w+)/) || [])[1] + (b.value ? "-" + b.value : "");
      if (labels[key]) { b.setAttribute("aria-label", labels[key]); b.title = labels[key]; }
    });
    toolbar.querySelectorAll(".ql-picker").forEach(function (p) {
      var kind = (p.className.match(/ql-(header|align)/) || [])[1];
      var label = p.querySelector(".ql-picker-label");
      if (label && labels[kind]) { label.setAttribute("aria-label", labels[kind]); }
      p.querySelectorAll(".ql-picker-item").forEach(function (item) {
        var key = kind + "-" + (item.getAttribute("data-value") || "none");
        if (labels[key]) { item.setAttribute("aria-label", labels[key]); }
      });
    });
  }
  form.addEventListener("submit", function () {
    input.value = quill.getLength() > 1 ? quill.getSemanticHTML() : "";
  });
  window.tongbanEditor = quill;
})();
