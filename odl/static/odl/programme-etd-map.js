// The map of an ATD's dashboard: its ETDs coloured by their publication state in the latest snapshot,
// numbered by their step. Offline by default: the real shapes of the perimeter's départements (npm
// package @gouvfr/dsfr-chart, read by the platform) in Leaflet's plain CRS, one marker per ETD at the
// point the server computed inside its département's shape; without the package, a tile per département
// with the markers inside the tiles; with synced contours (odl geo sync), the communes and EPCI
// themselves on a blank geographic map. No background tiles, nothing fetched from a third party.
// The table below the map holds the same facts (the text alternative); this script only draws them.
(function () {
  "use strict";
  var holder = document.getElementById("etd-map-data");
  var element = document.getElementById("etd-map");
  if (!holder || !element || typeof L === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var status = document.getElementById("etd-map-status");
  var colours = {};
  data.states.forEach(function (s) { colours[s.key] = s.colour; });
  var map = null;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
  function popup(etd) {
    return "<strong>" + escapeHtml(etd.nom) + "</strong><br>Étape : " + escapeHtml(etd.step_label) +
      "<br>Publication : " + escapeHtml(etd.state_label) +
      (etd.datasets ? " (" + etd.datasets + " jeux" + (etd.schemas.length ? " ; " + escapeHtml(etd.schemas.join(", ")) : "") + ")" : "") +
      "<br><a href=\"" + escapeHtml(etd.url) + "\">Page de la collectivité</a> · <a href=\"" + escapeHtml(etd.etd_url) + "\">Fiche de suivi</a>";
  }
  function marker(etd, latlng) {
    // A divIcon marker is focusable and opens its popup with Enter, unlike an SVG circle.
    var icon = L.divIcon({ className: "etd-dot state-" + etd.state, html: String(etd.step_number),
                           iconSize: [22, 22], iconAnchor: [11, 11] });
    return L.marker(latlng, { icon: icon, title: etd.nom + " — " + etd.step_label + " — " + etd.state_label,
                              alt: etd.nom, keyboard: true, riseOnHover: true }).bindPopup(popup(etd));
  }
  function reset(crs) {
    if (map) { map.remove(); }
    element.textContent = "";
    // No fade: a popup is readable (and checked for contrast) the moment it opens.
    map = L.map(element, { crs: crs, zoomSnap: 0.25, minZoom: -3, fadeAnimation: false });
  }

  function drawGrid() {
    reset(L.CRS.Simple);
    var group = L.featureGroup();
    var byDep = {};
    data.etds.forEach(function (etd) { (byDep[etd.departement] = byDep[etd.departement] || []).push(etd); });
    var placed = 0;
    data.cells.forEach(function (cell) {
      var top = -cell.y, left = cell.x, size = 0.94;
      L.rectangle([[top, left], [top - size, left + size]],
        { color: "#333", weight: 1, fillColor: "#ffffff", fillOpacity: 1, interactive: false }).addTo(group);
      L.tooltip({ permanent: true, direction: "top", className: "grid-label", opacity: 1 })
        .setLatLng([top - 0.02, left + size / 2]).setContent(escapeHtml(cell.code + " – " + cell.nom)).addTo(group);
      var etds = byDep[cell.code] || [];
      // The ETDs of a département on a small square grid inside its tile, in the table's order.
      var side = Math.max(1, Math.ceil(Math.sqrt(etds.length)));
      var step = (size - 0.2) / side;
      etds.forEach(function (etd, i) {
        var row = Math.floor(i / side), col = i % side;
        marker(etd, [top - 0.15 - step * (row + 0.5), left + 0.1 + step * (col + 0.5)]).addTo(group);
        placed += 1;
      });
    });
    group.addTo(map);
    if (data.cells.length) { map.fitBounds(group.getBounds(), { padding: [10, 10] }); } else { map.setView([0, 0], 0); }
    map.attributionControl.addAttribution("Grille OpenDataLocale · " + escapeHtml(data.snapshot.label));
    finish(placed, "grid");
  }

  function drawShapes() {
    // SVG coordinates (y downwards) on Leaflet's plain CRS (y upwards): [lat, lng] = [-y, x].
    reset(L.CRS.Simple);
    var group = L.featureGroup();
    var toLatLng = function (p) { return [-p[1], p[0]]; };
    data.shapes.forEach(function (shape) {
      L.polygon(shape.rings.map(function (ring) { return ring.map(toLatLng); }),
        { color: "#333", weight: 1, fillColor: "#ffffff", fillOpacity: 1, interactive: false }).addTo(group);
      L.tooltip({ permanent: true, direction: "top", className: "grid-label", opacity: 1 })
        .setLatLng([-shape.bbox[1], (shape.bbox[0] + shape.bbox[2]) / 2])
        .setContent(escapeHtml(shape.code + " – " + shape.nom)).addTo(group);
    });
    var placed = 0;
    data.etds.forEach(function (etd) {
      if (!etd.point) { return; }
      marker(etd, toLatLng(etd.point)).addTo(group);
      placed += 1;
    });
    group.addTo(map);
    map.fitBounds(group.getBounds(), { padding: [30, 30] });
    var source = data.shapes_source;
    map.attributionControl.addAttribution("Formes : " + escapeHtml(source.package + " " + source.version) +
      " (licence " + escapeHtml(source.licence) + ") · " + escapeHtml(data.snapshot.label));
    finish(placed, "shapes");
  }
  function drawOffline() {
    if (data.shapes.length) { drawShapes(); } else { drawGrid(); }
  }

  function drawContours() {
    var deps = [];
    data.etds.forEach(function (etd) {
      if ((etd.kind === "commune" || etd.kind === "epci") && etd.departement && deps.indexOf(etd.departement) < 0) { deps.push(etd.departement); }
    });
    var byKey = {};
    data.etds.forEach(function (etd) { byKey[etd.kind + ":" + etd.code] = etd; });
    var url = function (layer, dep) { return data.contours_url.replace("LAYER", layer).replace("DEP", encodeURIComponent(dep)); };
    var get = function (layer, dep) {
      return fetch(url(layer, dep)).then(function (r) { return r.ok ? r.json() : { features: [] }; })
        .then(function (json) { return { layer: layer, json: json }; });
    };
    var requests = [];
    deps.forEach(function (dep) { requests.push(get("communes", dep)); requests.push(get("epci", dep)); });
    status.textContent = "Chargement des contours…";
    return Promise.all(requests).then(function (results) {
      reset(L.CRS.EPSG3857);
      var background = L.featureGroup(), group = L.featureGroup();
      var placed = 0;
      results.forEach(function (result) {
        var kind = result.layer === "epci" ? "epci" : "commune";
        L.geoJSON(result.json, {
          filter: function (feature) { return kind === "commune" || byKey["epci:" + feature.properties.code]; },
          style: function (feature) {
            var etd = byKey[kind + ":" + feature.properties.code];
            if (!etd) { return { color: "#bbb", weight: 0.4, fillColor: "#fafafa", fillOpacity: 1, interactive: false }; }
            return { color: kind === "epci" ? "#b34700" : "#333", weight: kind === "epci" ? 2.5 : 1,
                     fillColor: colours[etd.state], fillOpacity: kind === "epci" ? 0.5 : 0.9 };
          },
          interactive: false,
          onEachFeature: function (feature, layer) {
            var etd = byKey[kind + ":" + feature.properties.code];
            if (!etd) { layer.addTo(background); return; }
            layer.addTo(group);
            marker(etd, layer.getBounds().getCenter()).addTo(group);
            placed += 1;
          }
        });
      });
      background.addTo(map);
      group.addTo(map);
      var bounds = group.getLayers().length ? group.getBounds() : background.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([46.6, 2.4], 5); }
      map.attributionControl.addAttribution("Contours : Etalab / IGN Admin Express (Licence Ouverte)");
      finish(placed, "contours");
    });
  }

  function finish(placed, mode) {
    var missing = data.etds.length - placed;
    status.textContent = placed + " collectivités accompagnées sur la carte" +
      (missing ? " ; " + missing + " sans place sur la carte figurent dans le tableau." : ".");
    element.setAttribute("data-ready", mode);
  }

  var drawn = data.synced ? drawContours() : null;
  if (drawn) {
    // Contours missing or unreadable: the offline shapes (or grid) still show every ETD.
    drawn.catch(function () { drawOffline(); });
  } else {
    drawOffline();
  }
})();
