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
  fetch(element.dataset.url, { headers: { Accept: "application/geo+json, application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, styles[feature.properties.kind]); },
        onEachFeature: function (feature, marker) {
          var link = document.createElement("a");
          link.href = feature.properties.url;
          link.textContent = feature.properties.name;
          var box = document.createElement("div");
          box.appendChild(document.createTextNode(labels[feature.properties.kind] + ": "));
          box.appendChild(link);
          marker.bindPopup(box);
        }
      }).addTo(map);
      if (collection.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 11, padding: [20, 20] }); }
      element.dataset.loaded = String(collection.features.length);
    });
})();
