/* Form helpers: the 万元 equivalent of an amount as it is typed, and the error summary taking the focus. */
(function () {
  "use strict";
  var FULL_WIDTH = "０１２３４５６７８９，．－＋　";
  var ASCII = "0123456789,.-+ ";

  /* The same rules as villages/money.py parse_yuan: whole yuan, separators, full-width digits, a trailing 元. */
  function parseYuan(text) {
    var cleaned = "";
    for (var i = 0; i < text.length; i += 1) {
      var at = FULL_WIDTH.indexOf(text.charAt(i));
      cleaned += at >= 0 ? ASCII.charAt(at) : text.charAt(i);
    }
    cleaned = cleaned.replace(/\s+/g, " ").trim().replace(/元$/, "").trim();
    if (!cleaned) { return null; }
    var sign = 1;
    if (cleaned.charAt(0) === "-" || cleaned.charAt(0) === "+") {
      sign = cleaned.charAt(0) === "-" ? -1 : 1;
      cleaned = cleaned.slice(1).trim();
    }
    var parts = cleaned.split(".");
    if (parts.length > 2) { return NaN; }
    var whole = parts[0];
    if (!(/^[0-9]+$/.test(whole) || /^[0-9]{1,3}(,[0-9]{3})+$/.test(whole) || /^[0-9]{1,3}( [0-9]{3})+$/.test(whole))) {
      return NaN;
    }
    if (parts.length === 2 && !/^0*$/.test(parts[1])) { return NaN; }
    return sign * Number(whole.replace(/[, ]/g, ""));
  }

  function grouped(number, decimals) {
    return number.toLocaleString("en-US", { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
  }

  document.querySelectorAll("[data-money-hint]").forEach(function (input) {
    var hint = document.createElement("span");
    hint.className = "money-hint";
    hint.id = input.id + "-money-hint";
    hint.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", hint);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);
    function show() {
      var amount = parseYuan(input.value);
      if (amount === null) { hint.textContent = ""; hint.classList.remove("money-hint-invalid"); return; }
      if (isNaN(amount)) {
        hint.textContent = input.dataset.moneyInvalid || "";
        hint.classList.add("money-hint-invalid");
        return;
      }
      hint.classList.remove("money-hint-invalid");
      var template = Math.abs(amount) < 10000 ? input.dataset.moneyHintSmall : input.dataset.moneyHint;
      hint.textContent = (template || "")
        .replace("{wan}", grouped(amount / 10000, 2))
        .replace("{yuan}", grouped(amount, 0));
    }
    input.addEventListener("input", show);
    show();
  });

  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
