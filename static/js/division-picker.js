/* Cascading province → prefecture → county → township selects, a township search, and the village code's
   fixed township prefix with the township's free codes, fed by /divisions.json and /village-codes.json. */
(function () {
  "use strict";
  var LEVELS = ["province", "prefecture", "county", "township"];

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
    return fetch(endpoint + "?" + new URLSearchParams(params).toString(), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    }).then(function (response) { return response.ok ? response.json() : { results: [] }; });
  }
  function loadResults(endpoint, params) {
    return load(endpoint, params).then(function (body) { return body.results || []; });
  }

  document.querySelectorAll("[data-division-picker]").forEach(function (picker) {
    var endpoint = picker.dataset.endpoint;
    var scope = picker.dataset.scope || "";
    var selects = {};
    LEVELS.forEach(function (level) { selects[level] = picker.querySelector("[data-level=" + level + "]"); });
    var target = picker.dataset.target ? document.getElementById(picker.dataset.target) : null;
    var emptyLabel = selects.province.options[0].textContent;

    /* The deepest division chosen above `index`: a level may be skipped (Beijing has no prefectures). */
    function parentOf(index) {
      for (var above = index - 1; above >= 0; above -= 1) {
        if (selects[LEVELS[above]].value) { return selects[LEVELS[above]].value; }
      }
      return "";
    }
    /* Each level's latest refill: an answer that arrives after a newer choice was made is dropped, so a slow
       answer for an earlier choice can never empty the list the newer choice filled. */
    var latest = {};
    /* Refill every level below `index` from the choices above it; a level with one option is chosen. */
    function refillBelow(index) {
      if (index + 1 >= LEVELS.length) { return Promise.resolve(); }
      var level = LEVELS[index + 1];
      var parent = parentOf(index + 1);
      for (var later = index + 1; later < LEVELS.length; later += 1) {
        latest[LEVELS[later]] = (latest[LEVELS[later]] || 0) + 1;
      }
      var ticket = latest[level];
      if (!parent) {
        for (var below = index + 1; below < LEVELS.length; below += 1) { fill(selects[LEVELS[below]], [], emptyLabel); }
        return Promise.resolve();
      }
      var params = { level: level, parent: parent };
      if (scope) { params.scope = scope; }
      return loadResults(endpoint, params).then(function (results) {
        if (ticket !== latest[level]) { return; }
        fill(selects[level], results, emptyLabel);
        if (scope && results.length === 1 && level !== "township") { selects[level].value = results[0].code; }
        return refillBelow(index + 1);
      });
    }
    LEVELS.forEach(function (level, index) {
      if (level === "township") { return; }
      selects[level].addEventListener("change", function () {
        refillBelow(index).then(function () { picker.dispatchEvent(new Event("picker-filled")); });
      });
    });
    selects.township.addEventListener("change", function () {
      if (target && selects.township.value) {
        target.value = selects.township.value;
        target.dispatchEvent(new Event("change"));
      }
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
        var params = { search: input.value.trim() };
        if (box.dataset.scope) { params.scope = box.dataset.scope; }
        loadResults(box.dataset.endpoint, params).then(function (results) {
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

  /* The village code: the township's 9 digits are a fixed prefix; the clerk types the last 3 (or a whole code,
     which the form accepts as typed or refuses with the reason). Nothing here ever rewrites what was typed. */
  var labels = document.getElementById("code-options-template");
  document.querySelectorAll("[data-code-prefix-from]").forEach(function (code) {
    var township = document.getElementById(code.dataset.codePrefixFrom);
    var prefix = code.parentNode.querySelector("[data-code-prefix]");
    var placeholder = prefix ? prefix.textContent : "";
    var options = null;
    var datalist = null;
    if (labels) {
      datalist = document.createElement("datalist");
      datalist.id = code.id + "-free";
      code.setAttribute("list", datalist.id);
      options = document.createElement("div");
      options.className = "code-options helptext";
      options.setAttribute("aria-live", "polite");
      code.parentNode.insertAdjacentElement("afterend", options);
      options.insertAdjacentElement("afterend", datalist);
    }
    function showOptions(body) {
      datalist.innerHTML = "";
      options.innerHTML = "";
      [["village_committee", labels.dataset.labelVillageCommittee],
       ["neighbourhood_committee", labels.dataset.labelNeighbourhoodCommittee]].forEach(function (kind) {
        (body.free[kind[0]] || []).forEach(function (suffix) {
          var option = document.createElement("option");
          option.value = suffix;
          option.label = suffix + " · " + kind[1];
          datalist.appendChild(option);
        });
      });
      var registered = document.createElement("p");
      if (body.registered.length) {
        registered.textContent = labels.dataset.labelRegistered + " " + body.registered.map(function (village) {
          return village.suffix + " " + village.name;
        }).join("、");
      } else {
        registered.textContent = labels.dataset.labelNone;
      }
      options.appendChild(registered);
    }
    function update() {
      var value = /^[0-9]{9}$/.test(township.value) ? township.value : "";
      if (prefix) { prefix.textContent = value || placeholder; }
      if (!options) { return; }
      if (!value) { options.innerHTML = ""; datalist.innerHTML = ""; return; }
      load(labels.dataset.endpoint, { township: value }).then(function (body) {
        if (body.free && township.value === value) { showOptions(body); }
      });
    }
    /* A whole code typed over the prefix replaces it: the prefix is shown struck through, not added. */
    function markPrefix() {
      if (prefix) { prefix.classList.toggle("code-prefix-unused", /^[0-9０-９]{12}$/.test(code.value.trim())); }
    }
    code.addEventListener("input", markPrefix);
    markPrefix();
    township.addEventListener("change", function () { update(); code.focus(); });
    township.addEventListener("input", update);
    if (township.value) { update(); }
  });
})();
