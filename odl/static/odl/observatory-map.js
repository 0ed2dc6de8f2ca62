// The observatory map. Offline: a tile grid of départements or régions drawn in Leaflet's plain
// (non-geographic) CRS, no background tiles, nothing fetched from a third party. With synced
// contours: the communes and EPCI of one département, on a blank geographic map.
(function () {
  "use strict";
  var filters = document.getElementById("map-filters");
  // The filters apply as they change: the form itself never submits (no inline handler, for the CSP).
  if (filters) { filters.addEventListener("submit", function (event) { event.preventDefault(); }); }
  var holder = document.getElementById("map-config");
  var element = document.getElementById("observatory-map");
  if (!holder || !element || typeof L === "undefined") { return; }
  var config = JSON.parse(holder.textContent);
  var status = document.getElementById("map-status");
  var form = document.getElementById("map-filters");
  var map = null;

  function field(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
  function rateClass(rate) {
    if (rate === null || rate === undefined) { return "rate-none"; }
    if (rate === 0) { return "rate-0"; }
    if (rate < 10) { return "rate-1"; }
    if (rate < 25) { return "rate-2"; }
    if (rate < 50) { return "rate-3"; }
    return "rate-4";
  }
  var COLOURS = { "rate-none": "#e5e5e5", "rate-0": "#f3e6d8", "rate-1": "#c6dbef", "rate-2": "#6baed6",
                  "rate-3": "#2171b5", "rate-4": "#08306b" };
  function fr(n) { return n === null || n === undefined ? "—" : String(n).replace(".", ","); }

  function reset(crs) {
    if (map) { map.remove(); }
    map = L.map(element, { crs: crs, attributionControl: true, zoomSnap: 0.25, minZoom: -3 });
  }

  function drawGrid(level) {
    var params = new URLSearchParams({ niveau: level, date: config.date });
    if (field("kind")) { params.set("kind", field("kind")); }
    if (field("technologie")) { params.set("technologie", field("technologie")); }
    status.textContent = "Chargement…";
    return fetch(config.grid_url + "?" + params.toString()).then(function (r) { return r.json(); }).then(function (data) {
      reset(L.CRS.Simple);
      var group = L.featureGroup();
      var techno = field("technologie");
      data.cells.forEach(function (cell) {
        var value = techno ? cell.technology_open : cell.rate;
        var css = techno ? (cell.technology_open ? "rate-3" : "rate-0") : rateClass(cell.rate);
        var bounds = [[-cell.y, cell.x], [-cell.y - 0.94, cell.x + 0.94]];
        var rect = L.rectangle(bounds, { color: "#333", weight: 1, fillColor: COLOURS[css], fillOpacity: 1 });
        var label = techno ? cell.technology_open + " sur " + techno : fr(cell.rate) + (cell.rate === null ? "" : " %");
        rect.bindTooltip("<strong>" + escapeHtml(cell.code) + "</strong><br>" + escapeHtml(label),
          { permanent: true, direction: "center", className: "grid-label " + css, opacity: 1 });
        rect.bindPopup("<strong>" + escapeHtml(cell.nom) + "</strong><br>" + cell.open_obliged + " obligées ouvertes sur " +
          cell.obliged + " (" + fr(cell.rate) + " %)<br>" + cell.open + " collectivités ouvertes en tout<br>" +
          "<a href=\"" + escapeHtml(cell.dashboard) + "\">Tableau de bord</a> · <a href=\"" + escapeHtml(cell.page) + "\">Fiche</a>");
        rect.addTo(group);
      });
      group.addTo(map);
      map.fitBounds(group.getBounds(), { padding: [10, 10] });
      map.attributionControl.addAttribution("Grille OpenDataLocale · " + escapeHtml(data.snapshot.label));
      status.textContent = data.cells.length + " " + (level === "region" ? "régions" : "départements") + " affichés.";
      element.setAttribute("data-ready", level);
    });
  }

  function drawContours() {
    var dep = field("departement");
    var query = "?departement=" + encodeURIComponent(dep) + "&date=" + encodeURIComponent(config.date);
    status.textContent = "Chargement des contours…";
    var url = function (layer) { return config.contours_url.replace("LAYER", layer).replace("DEP", encodeURIComponent(dep)); };
    var kindFilter = field("kind");
    var layers = ["epci", "communes"].filter(function (l) {
      return !kindFilter || (kindFilter === "epci" && l === "epci") || (kindFilter === "commune" && l === "communes");
    });
    return Promise.all([fetch(config.collectivites_url + query).then(function (r) { return r.json(); })].concat(
      layers.map(function (l) { return fetch(url(l)).then(function (r) { return r.ok ? r.json() : { features: [] }; }); })
    )).then(function (results) {
      var status_by_code = {};
      results[0].items.forEach(function (item) { status_by_code[item.kind + ":" + item.code] = item; });
      reset(L.CRS.EPSG3857);
      var group = L.featureGroup();
      var shown = 0;
      layers.forEach(function (layerName, index) {
        var kind = layerName === "epci" ? "epci" : "commune";
        L.geoJSON(results[index + 1], {
          filter: function (feature) {
            var item = status_by_code[kind + ":" + feature.properties.code];
            if (!item) { return false; }
            if (field("obliged") && (item.obliged ? "oui" : "non") !== field("obliged")) { return false; }
            if (field("open") && (item.open ? "oui" : "non") !== field("open")) { return false; }
            if (field("technologie") && item.technologies.split(", ").indexOf(field("technologie")) < 0) { return false; }
            shown += 1;
            return true;
          },
          style: function (feature) {
            var item = status_by_code[kind + ":" + feature.properties.code];
            return { color: kind === "epci" ? "#b34700" : "#555", weight: kind === "epci" ? 2.5 : 0.6,
                     dashArray: item.obliged ? null : "3 3",
                     fillColor: item.open ? "#2171b5" : "#f3e6d8", fillOpacity: kind === "epci" ? 0.15 : 0.7 };
          },
          onEachFeature: function (feature, layer) {
            var item = status_by_code[kind + ":" + feature.properties.code];
            layer.bindPopup("<strong>" + escapeHtml(item.nom) + "</strong> (" + (kind === "epci" ? "EPCI" : "commune") + ")<br>" +
              (item.open ? "Ouverte : " + item.datasets + " jeux" + (item.technologies ? " (" + escapeHtml(item.technologies) + ")" : "") : "Pas encore ouverte") +
              "<br>" + (item.obliged ? "Obligée" : "Non obligée") +
              "<br><a href=\"" + escapeHtml(item.url) + "\">Fiche de la collectivité</a>");
          }
        }).addTo(group);
      });
      group.addTo(map);
      if (group.getLayers().length && group.getBounds().isValid()) { map.fitBounds(group.getBounds()); } else { map.setView([46.6, 2.4], 5); }
      map.attributionControl.addAttribution("Contours : Etalab / IGN Admin Express (Licence Ouverte)");
      status.textContent = shown + " collectivités affichées (pleine : ouverte ; claire : pas encore ; pointillés : non obligée).";
      element.setAttribute("data-ready", "contours");
    });
  }

  function draw() {
    element.removeAttribute("data-ready");
    var level = field("niveau");
    var promise = level === "contours" ? drawContours() : drawGrid(level);
    promise.catch(function () { status.textContent = "La carte n'a pas pu être chargée ; les chiffres restent dans le tableau ci-dessous."; });
  }
  form.addEventListener("change", draw);
  draw();
})();
