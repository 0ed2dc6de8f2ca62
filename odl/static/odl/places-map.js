// The directory's map: one marker per place of the filtered directory, from the page's JSON (no inline
// script). Background tiles only when the platform was given a tile server (none by default: offline).
(function () {
  "use strict";
  var holder = document.getElementById("places-map-config");
  var element = document.getElementById("places-map");
  if (!holder || !element || typeof L === "undefined") { return; }
  var config = JSON.parse(holder.textContent);
  var status = document.getElementById("places-map-status");
  var map = L.map(element, { preferCanvas: true });
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution || "", maxZoom: 19 }).addTo(map);
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
  var group = L.featureGroup();
  var base = config.detail.replace(/0\/$/, "");
  config.points.forEach(function (p) {
    var marker = L.circleMarker([p[3], p[4]], { radius: 6, weight: 1, color: "#1d3a8a", fillColor: "#3d6fd6", fillOpacity: 0.8 });
    marker.bindPopup("<a href=\"" + base + p[0] + "/\">" + escapeHtml(p[1]) + "</a><br>" + escapeHtml(config.labels[p[2]] || p[2]));
    marker.addTo(group);
  });
  group.addTo(map);
  if (config.points.length) { map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 14 }); }
  else { map.setView([46.6, 2.4], 5); }
  status.textContent = config.points.length + " lieu(x) sur la carte." + (config.tiles ? "" : " Sans fond de carte : aucun serveur de tuiles n'est configuré.");
  element.setAttribute("data-ready", "places");
})();
