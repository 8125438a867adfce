// 意见建议: the footer link carries the page it was pressed on (path and title) to the feedback form.
(function () {
  var a = document.getElementById("tb-feedback-link");
  if (!a) return;
  a.addEventListener("click", function () {
    var t = document.title.split(" · ")[0];
    a.href = a.href.split("?")[0] + "?page=" + encodeURIComponent(location.pathname + location.search) +
      "&title=" + encodeURIComponent(t);
  });
})();
