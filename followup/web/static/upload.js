// The upload's progress on the Clients import form: htmx reports the bytes sent with
// htmx:xhr:progress; the <progress> named by the form's data-upload-progress shows them.
// A file of our own (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  function bar(form) {
    var id = form && form.getAttribute("data-upload-progress");
    return id ? document.getElementById(id) : null;
  }
  document.addEventListener("htmx:xhr:loadstart", function (event) {
    var progress = bar(event.target.closest && event.target.closest("form"));
    if (progress) {
      progress.value = 0;
      progress.hidden = false;
    }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var progress = bar(event.target.closest && event.target.closest("form"));
    if (progress && event.detail.lengthComputable && event.detail.total > 0) {
      progress.value = Math.round((event.detail.loaded * 100) / event.detail.total);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var progress = bar(event.target.closest && event.target.closest("form"));
    if (progress) {
      progress.value = 100;
    }
  });
})();
