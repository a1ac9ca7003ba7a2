/* The public map: certified Taobao villages and open service points from the app's GeoJSON, tiles if configured. */
(function () {
  "use strict";
  // Leaflet shows the attribution as HTML; the setting is plain text.
  function asText(value) {
    var holder = document.createElement("span");
    holder.textContent = value;
    return holder.innerHTML;
  }
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") { return; }
  var map = L.map(element, { preferCanvas: true }).setView([32, 108], 4);
  if (element.dataset.tiles) {
    var tileOptions = { maxZoom: 18, attribution: asText(element.dataset.tileAttribution || "") };
    if (element.dataset.tileSubdomains) { tileOptions.subdomains = element.dataset.tileSubdomains; }
    L.tileLayer(element.dataset.tiles, tileOptions).addTo(map);
    if (element.dataset.tileLabels) {
      L.tileLayer(element.dataset.tileLabels, L.extend({}, tileOptions, { attribution: "" })).addTo(map);
    }
  }
  var styles = {
    village: { radius: 7, color: "#a8290a", fillColor: "#d4380d", fillOpacity: 0.85, weight: 1 },
    service_point: { radius: 5, color: "#4a6785", fillColor: "#91a7c2", fillOpacity: 0.9, weight: 1 }
  };
  var labels = { village: element.dataset.villageLabel, service_point: element.dataset.pointLabel };
  var statuses = { village: element.dataset.villageStatus, service_point: element.dataset.pointStatus };
  // A popup says what the marker is: its name (a link to its page), code, where it is and its status.
  function popup(properties) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("strong");
    title.textContent = labels[properties.kind] + ": " + properties.name;
    box.appendChild(title);
    var facts = document.createElement("dl");
    function fact(label, value) {
      if (!value) { return; }
      var term = document.createElement("dt");
      term.textContent = label;
      var detail = document.createElement("dd");
      detail.textContent = value;
      facts.appendChild(term);
      facts.appendChild(detail);
    }
    fact(element.dataset.codeLabel, properties.code);
    if (properties.kind === "village") {
      fact(element.dataset.townshipLabel, properties.township);
    } else {
      fact(element.dataset.villageOfPointLabel, properties.village);
    }
    fact(element.dataset.statusLabel, statuses[properties.kind]);
    box.appendChild(facts);
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = element.dataset.openLabel;
    box.appendChild(link);
    return box;
  }
  fetch(element.dataset.url, { headers: { Accept: "application/geo+json, application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, styles[feature.properties.kind]); },
        onEachFeature: function (feature, marker) {
          marker.bindPopup(popup(feature.properties));
        }
      }).addTo(map);
      if (collection.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 11, padding: [20, 20] }); }
      element.dataset.loaded = String(collection.features.length);
    });
})();
