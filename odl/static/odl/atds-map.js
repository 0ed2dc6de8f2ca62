// The ATD network map: one tile per département in Leaflet's plain CRS (offline, no background
// tiles), coloured by how many ATDs reach it. The coverage table below holds the same facts.
(function () {
  "use strict";
  var holder = document.getElementById("atds-map-config");
  var element = document.getElementById("atds-map");
  if (!holder || !element || typeof L === "undefined") { return; }
  var config = JSON.parse(holder.textContent);
  var status = document.getElementById("atds-map-status");
  var COLOURS = { "rate-0": "#f3e6d8", "rate-2": "#6baed6", "rate-4": "#08306b" };
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
  var map = L.map(element, { crs: L.CRS.Simple, zoomSnap: 0.25, minZoom: -3 });
  var group = L.featureGroup();
  config.cells.forEach(function (cell) {
    var count = cell.atds.length;
    var css = count === 0 ? "rate-0" : (count === 1 ? "rate-2" : "rate-4");
    var bounds = [[-cell.y, cell.x], [-cell.y - 0.94, cell.x + 0.94]];
    var rect = L.rectangle(bounds, { color: "#333", weight: 1, fillColor: COLOURS[css], fillOpacity: 1 });
    rect.bindTooltip("<strong>" + escapeHtml(cell.code) + "</strong><br>" + count,
      { permanent: true, direction: "center", className: "grid-label " + css, opacity: 1 });
    rect.bindPopup("<strong>" + escapeHtml(cell.nom) + "</strong><br>" +
      (count ? cell.atds.map(escapeHtml).join("<br>") : "Aucun ATD"));
    rect.addTo(group);
  });
  group.addTo(map);
  if (config.cells.length) { map.fitBounds(group.getBounds(), { padding: [10, 10] }); } else { map.setView([0, 0], 0); }
  map.attributionControl.addAttribution("Grille OpenDataLocale");
  status.textContent = config.cells.length + " départements affichés.";
  element.setAttribute("data-ready", "grid");
})();
