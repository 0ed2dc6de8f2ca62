// The widget's map: one marker per row kept by the filter and the search, from the page's JSON (no inline
// script). Background tiles only when the platform was given a tile server (none by default: offline).
(function () {
  "use strict";
  var holder = document.getElementById("widget-map-config");
  var element = document.getElementById("widget-map");
  if (!holder || !element || typeof L === "undefined") { return; }
  var config = JSON.parse(holder.textContent);
  var status = document.getElementById("widget-map-status");
  var map = L.map(element, { preferCanvas: true });
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution || "", maxZoom: 19 }).addTo(map);
  }
  var group = L.featureGroup();
  config.points.forEach(function (p) {
    var marker = L.circleMarker([p[0], p[1]], { radius: 6, weight: 1, color: "#1d3a8a", fillColor: "#3d6fd6", fillOpacity: 0.8 });
    // Text, never HTML: a cell holding markup is shown as typed.
    var label = document.createElement("span");
    label.textContent = p[2];
    marker.bindPopup(label);
    marker.addTo(group);
  });
  group.addTo(map);
  if (config.points.length) { map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 14 }); }
  else { map.setView([46.6, 2.4], 5); }
  status.textContent = config.points.length + " point(s) sur la carte." + (config.tiles ? "" : " Sans fond de carte : aucun serveur de tuiles n'est configuré.");
  element.setAttribute("data-ready", "widget");
})();
