/* Narrow screens show each table row as a card: every cell is labelled with its column's header here, once.
   A table too wide for its frame scrolls inside it: that frame is made reachable by keyboard (a focusable region
   named after its table's heading), so that nobody needs a mouse to read the columns beyond the edge. */
(function () {
  "use strict";
  function reachableWhenScrolling(wrap) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      if (!wrap.hasAttribute("tabindex")) { wrap.setAttribute("tabindex", "0"); }
      if (!wrap.hasAttribute("role")) { wrap.setAttribute("role", "region"); }
      if (!wrap.hasAttribute("aria-label")) {
        var section = wrap.closest("section");
        var heading = section && section.querySelector("h2, h3");
        var caption = wrap.querySelector("caption");
        var name = (caption || heading || {}).textContent;
        if (name) { wrap.setAttribute("aria-label", name.trim()); }
      }
    } else if (wrap.getAttribute("tabindex") === "0" && wrap.dataset.scrollFocus !== "static") {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
    }
  }
  function markScrollingFrames() {
    document.querySelectorAll(".table-wrap").forEach(reachableWhenScrolling);
  }
  markScrollingFrames();
  window.addEventListener("resize", markScrollingFrames);
  document.querySelectorAll(".table-wrap table").forEach(function (table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (header) {
      return header.textContent.trim();
    });
    if (!headers.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var label = headers[column];
        if (label && !cell.hasAttribute("data-label") && !cell.hasAttribute("colspan")) {
          cell.setAttribute("data-label", label);
        }
        column += cell.colSpan || 1;
      });
    });
  });
})();
