// The upload's progress on the Clients import form: htmx reports the bytes sent with
// htmx:xhr:progress; the <progress> named by the form's data-upload-progress shows them.
// Once the file is sent, the server still reads and imports it, which takes a while for
// a large file: the bar turns indeterminate and the element named by the form's
// data-upload-state says the page's own words for it (its data-importing, translated by
// the template), until the report replaces them.
// A file of our own (the Content-Security-Policy allows no inline script or style).
(function () {
  "use strict";
  function parts(event) {
    var form = event.target.closest && event.target.closest("form");
    var id = form && form.getAttribute("data-upload-progress");
    var bar = id ? document.getElementById(id) : null;
    if (!bar) {
      return null;
    }
    var stateId = form.getAttribute("data-upload-state");
    return { form: form, bar: bar, words: stateId ? document.getElementById(stateId) : null };
  }
  // htmx reports the events of the request and of its upload alike: the bar's
  // data-phase (uploading, importing, done) says which ones still concern it.
  function importing(found) {
    found.bar.setAttribute("data-phase", "importing");
    found.bar.removeAttribute("value"); // indeterminate: no share of the work is known
    found.form.setAttribute("aria-busy", "true");
    if (found.words) {
      found.words.textContent = found.words.getAttribute("data-importing") || "";
    }
  }
  document.addEventListener("htmx:xhr:loadstart", function (event) {
    var found = parts(event);
    if (found && found.bar.getAttribute("data-phase") !== "uploading") {
      found.bar.setAttribute("data-phase", "uploading");
      found.bar.value = 0;
      found.bar.hidden = false;
      if (found.words) {
        found.words.textContent = "";
      }
    }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var found = parts(event);
    if (!found || found.bar.getAttribute("data-phase") !== "uploading") {
      return;
    }
    if (event.detail.lengthComputable && event.detail.total > 0) {
      found.bar.value = Math.round((event.detail.loaded * 100) / event.detail.total);
      if (event.detail.loaded >= event.detail.total) {
        importing(found);
      }
    }
  });
  document.addEventListener("htmx:xhr:loadend", function (event) {
    var found = parts(event);
    if (found && found.bar.getAttribute("data-phase") === "uploading") {
      importing(found); // the upload's end: the answer has not come yet
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var found = parts(event);
    if (found) {
      found.bar.setAttribute("data-phase", "done");
      found.bar.value = 100;
      found.bar.hidden = true;
      found.form.removeAttribute("aria-busy");
      if (found.words) {
        found.words.textContent = "";
      }
    }
  });
})();
