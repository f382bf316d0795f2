// Today's htmx answers: a refused action (409) or a field to fix (422) comes back as the
// letter's card with the message in it, so htmx swaps it in like a success (by default
// htmx 2 swaps no 4xx answer). No inline script: the Content-Security-Policy forbids it.
document.addEventListener("DOMContentLoaded", function () {
  if (window.htmx && htmx.config && htmx.config.responseHandling) {
    htmx.config.responseHandling.unshift({ code: "409", swap: true }, { code: "422", swap: true });
  }
});
