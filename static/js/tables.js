/* Narrow screens show each table row as a card: every cell is labelled with its column's header here, once. */
(function () {
  "use strict";
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
