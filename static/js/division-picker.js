/* Cascading province → county → township selects, and a township search, fed by /divisions.json. */
(function () {
  "use strict";
  function fill(select, results, emptyLabel) {
    var keep = select.value;
    select.innerHTML = "";
    var empty = document.createElement("option");
    empty.value = "";
    empty.textContent = emptyLabel;
    select.appendChild(empty);
    results.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code;
      option.textContent = item.name;
      if (item.code === keep) { option.selected = true; }
      select.appendChild(option);
    });
  }
  function load(endpoint, params) {
    return fetch(endpoint + "?" + new URLSearchParams(params).toString(), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) { return body.results || []; });
  }
  document.querySelectorAll("[data-division-picker]").forEach(function (picker) {
    var endpoint = picker.dataset.endpoint;
    var province = picker.querySelector("[data-level=province]");
    var county = picker.querySelector("[data-level=county]");
    var township = picker.querySelector("[data-level=township]");
    var target = picker.dataset.target ? document.getElementById(picker.dataset.target) : null;
    var emptyLabel = province.options[0].textContent;
    province.addEventListener("change", function () {
      fill(township, [], emptyLabel);
      if (!province.value) { fill(county, [], emptyLabel); return; }
      load(endpoint, { level: "county", within: province.value }).then(function (results) { fill(county, results, emptyLabel); });
    });
    county.addEventListener("change", function () {
      if (!county.value) { fill(township, [], emptyLabel); return; }
      load(endpoint, { level: "township", within: county.value }).then(function (results) { fill(township, results, emptyLabel); });
    });
    township.addEventListener("change", function () {
      if (target && township.value) { target.value = township.value; target.dispatchEvent(new Event("change")); }
    });
  });
  document.querySelectorAll("[data-township-search]").forEach(function (box) {
    var input = box.querySelector("input");
    var list = box.querySelector("ul");
    var target = document.getElementById(box.dataset.target);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (input.value.trim().length < 1) { list.innerHTML = ""; return; }
        load(box.dataset.endpoint, { search: input.value.trim() }).then(function (results) {
          list.innerHTML = "";
          results.forEach(function (item) {
            var entry = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "button button-secondary";
            button.textContent = item.name + " · " + item.county + " · " + item.code;
            button.addEventListener("click", function () {
              target.value = item.code;
              target.dispatchEvent(new Event("change"));
              list.innerHTML = "";
              input.value = item.name;
            });
            entry.appendChild(button);
            list.appendChild(entry);
          });
        });
      }, 250);
    });
  });
  document.querySelectorAll("[data-code-from-township]").forEach(function (code) {
    var township = document.getElementById(code.dataset.codeFromTownship);
    township.addEventListener("change", function () {
      if (!code.value || code.value.slice(0, 9) !== township.value) {
        code.value = township.value;
        code.focus();
      }
    });
  });
})();
