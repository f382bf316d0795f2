// The print view's "Print" button (no inline script: the Content-Security-Policy forbids it).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-now");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
});
