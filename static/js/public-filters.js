/* Public filters: choosing another province (or prefecture) empties the narrower choices, which lie inside the old one. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-clears]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.getAttribute("data-clears").split(" ").forEach(function (id) {
        var narrower = document.getElementById(id);
        if (narrower) { narrower.value = ""; }
      });
    });
  });
})();
