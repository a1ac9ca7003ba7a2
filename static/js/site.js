/* Behaviour every page shares, kept out of the markup for the Content-Security-Policy: no inline handlers. */
(function () {
  "use strict";
  document.querySelectorAll("[data-submit-on-change]").forEach(function (control) {
    control.addEventListener("change", function () { control.form.submit(); });
  });
})();
