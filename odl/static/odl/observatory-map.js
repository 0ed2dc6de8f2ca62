// The observatory map. Offline: the real shapes of départements or régions (SVG paths of the npm
// package @gouvfr/dsfr-chart, served by the platform), or a tile grid drawn in Leaflet's plain
// (non-geographic) CRS; no background tiles, nothing fetched from a third party. With synced
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
  var shapesHolder = document.getElementById("observatory-shapes");
  var shapeInfo = document.getElementById("shape-info");
  var shapesData = null;
  var SVG = "http://www.w3.org/2000/svg";

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

  function showShapes(on) {
    element.hidden = on;
    if (shapesHolder) { shapesHolder.hidden = !on; }
    if (shapeInfo && !on) { shapeInfo.hidden = true; }
  }

  function reset(crs) {
    showShapes(false);
    if (map) { map.remove(); }
    // No fade: a popup is readable (and checked for contrast) the moment it opens.
    map = L.map(element, { crs: crs, attributionControl: true, zoomSnap: 0.25, minZoom: -3, fadeAnimation: false });
  }

  function cellParams(level) {
    var params = new URLSearchParams({ niveau: level, date: config.date });
    if (field("kind")) { params.set("kind", field("kind")); }
    if (field("technologie")) { params.set("technologie", field("technologie")); }
    return params;
  }

  function cellSummary(cell, techno) {
    return techno ? cell.technology_open + " sur " + techno : fr(cell.rate) + (cell.rate === null ? "" : " %");
  }

  function describe(cell) {
    shapeInfo.innerHTML = "<strong>" + escapeHtml(cell.nom) + "</strong> : " + cell.open_obliged + " obligées ouvertes sur " +
      cell.obliged + " (" + fr(cell.rate) + " %), " + cell.open + " collectivités ouvertes en tout — " +
      "<a href=\"" + escapeHtml(cell.dashboard) + "\">Tableau de bord</a> · <a href=\"" + escapeHtml(cell.page) + "\">Fiche</a>";
    shapeInfo.hidden = false;
  }

  // One <svg> of paths; its viewBox fits what it draws (the package sizes it by configuration).
  function drawing(paths, viewBox, label, cellsByCode, techno, fit) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", label);
    if (viewBox) { svg.setAttribute("viewBox", viewBox); }
    var group = document.createElementNS(SVG, "g");
    svg.appendChild(group);
    paths.forEach(function (item) {
      var cell = cellsByCode[item.code];
      var css = !cell ? "rate-none" : techno ? (cell.technology_open ? "rate-3" : "rate-0") : rateClass(cell.rate);
      var link = document.createElementNS(SVG, "a");
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", item.d);
      path.setAttribute("class", "shape " + css);
      path.setAttribute("fill", COLOURS[css]);
      path.setAttribute("data-code", item.code);
      var title = document.createElementNS(SVG, "title");
      title.textContent = cell ? cell.code + " – " + cell.nom + " : " + cellSummary(cell, techno) : item.code + " : pas de données";
      path.appendChild(title);
      if (cell) {
        link.setAttribute("href", cell.dashboard);
        link.setAttribute("aria-label", title.textContent);
        link.addEventListener("click", function (event) { event.preventDefault(); describe(cell); });
        link.addEventListener("focus", function () { describe(cell); });
        link.appendChild(path);
        group.appendChild(link);
      } else {
        group.appendChild(path);
      }
    });
    shapesHolder.appendChild(svg);
    if (fit) {
      var box = group.getBBox();
      var pad = Math.max(box.width, box.height) * 0.02;
      svg.setAttribute("viewBox", [box.x - pad, box.y - pad, box.width + 2 * pad, box.height + 2 * pad].join(" "));
    }
    return svg;
  }

  function drawShapes(level) {
    status.textContent = "Chargement…";
    var shapesReady = shapesData ? Promise.resolve(shapesData) :
      fetch(config.shapes_url).then(function (r) { return r.json(); }).then(function (data) { shapesData = data; return data; });
    var cellsReady = fetch(config.grid_url + "?" + cellParams(level).toString()).then(function (r) { return r.json(); });
    return Promise.all([shapesReady, cellsReady]).then(function (results) {
      var drawn = results[0], data = results[1];
      if (map) { map.remove(); map = null; }
      showShapes(true);
      shapesHolder.textContent = "";
      shapeInfo.hidden = true;
      var techno = field("technologie");
      var byCode = {};
      data.cells.forEach(function (cell) { byCode[cell.code] = cell; });
      var source = level === "region" ? drawn.regions : drawn.departements;
      var paths = Object.keys(source).map(function (code) { return { code: code, d: source[code] }; });
      var metro = drawing(paths, "", "Métropole", byCode, techno, true);
      metro.setAttribute("class", "shapes-metro");
      var overseas = document.createElement("div");
      overseas.className = "shapes-overseas";
      shapesHolder.appendChild(overseas);
      drawn.outremer.forEach(function (item) {
        var code = level === "region" ? item.region : item.code;
        var svg = drawing([{ code: code, d: item.d }], item.viewBox, "Outre-mer : " + code, byCode, techno, false);
        overseas.appendChild(svg);
      });
      var credit = document.createElement("p");
      credit.className = "shapes-credit";
      credit.textContent = "Formes : " + drawn.package + " " + drawn.version + " (licence " + drawn.licence + ") · " + data.snapshot.label;
      shapesHolder.appendChild(credit);
      var shown = data.cells.filter(function (cell) { return level === "region" ? source[cell.code] || drawn.outremer.some(function (o) { return o.region === cell.code; }) : source[cell.code] || drawn.outremer.some(function (o) { return o.code === cell.code; }); }).length;
      status.textContent = shown + " " + (level === "region" ? "régions" : "départements") + " dessinés avec leurs formes ; les collectivités d'outre-mer sont dans la grille et le tableau.";
      shapesHolder.setAttribute("data-ready", "formes-" + level);
      element.setAttribute("data-ready", "formes-" + level);
    });
  }

  function drawGrid(level) {
    var params = cellParams(level);
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
    var promise = level === "contours" ? drawContours() :
      level.indexOf("formes-") === 0 ? drawShapes(level.slice(7)) : drawGrid(level);
    promise.catch(function () { status.textContent = "La carte n'a pas pu être chargée ; les chiffres restent dans le tableau ci-dessous."; });
  }
  form.addEventListener("change", draw);
  draw();
})();
