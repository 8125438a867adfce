// The body editor: Quill 2 (vendored) writes its HTML into the hidden body_html field on submit.
// The server sanitises the HTML with an allow-list; nothing here is trusted.
(function () {
  "use strict";
  var holder = document.getElementById("doc-editor");
  var form = document.getElementById("doc-form");
  var input = document.getElementById("id_body_html");
  if (!holder || !form || !input || typeof Quill === "undefined") { return; }
  var quill = new Quill(holder, {
    theme: "snow",
    modules: {
      toolbar: [[{ header: [1, 2, 3, false] }], ["bold", "italic", "underline"],
        [{ list: "ordered" }, { list: "bullet" }], [{ align: [] }], ["clean"]]
    }
  });
  quill.root.setAttribute("aria-label", holder.getAttribute("aria-label") || "");
  form.addEventListener("submit", function () {
    input.value = quill.getLength() > 1 ? quill.getSemanticHTML() : "";
  });
  window.tongbanEditor = quill;
})();
