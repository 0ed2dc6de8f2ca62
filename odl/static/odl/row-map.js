// The row form's map: a click places the row's point and fills its coordinate fields (latitude and
// longitude, or one geopoint field); typing in those fields moves the point, so the keyboard is the
// accessible way and the map only a help. Offline by default: the communes of the collectivité's
// département when the platform has synced them (odl geo sync), else a grid of degrees with its
// labels; background tiles only when the platform was given a tile server. The other rows of the
// dataset are grey dots, for context. Data comes from the page's JSON (no inline script).
(function () {
  "use strict";
  var holder = document.getElementById("row-map-config");
  var element = document.getElementById("row-map");
  var block = document.getElementById("row-map-block");
  if (!holder || !element || !block || typeof L === "undefined") { return; }
  var config = JSON.parse(holder.textContent);
  var status = document.getElementById("row-map-status");
  var latInput = document.querySelector("[data-map-lat]");
  var lonInput = document.querySelector("[data-map-lon]");
  var pointInput = document.querySelector("[data-map-point]");
  if (!pointInput && !(latInput && lonInput)) { return; }
  block.hidden = false;

  var map = L.map(element, { fadeAnimation: false, zoomSnap: 0.5 });
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution || "", maxZoom: 19 }).addTo(map);
  }
  var marker = null;

  function number(text) {
    var value = parseFloat(String(text).trim().replace(",", "."));
    return isFinite(value) ? value : null;
  }
  function read() {
    var lat, lon;
    if (pointInput) {
      var parts = pointInput.value.replace(/[\[\]]/g, "").split(",");
      if (parts.length !== 2) { return null; }
      lon = number(parts[0]); lat = number(parts[1]);
    } else {
      lat = number(latInput.value); lon = number(lonInput.value);
    }
    if (lat === null || lon === null || lat < -90 || lat > 90 || lon < -180 || lon > 180) { return null; }
    return L.latLng(lat, lon);
  }
  function say(latlng) {
    status.textContent = latlng
      ? "Point placé : latitude " + latlng.lat.toFixed(6) + ", longitude " + latlng.lng.toFixed(6) + "."
      : "Aucun point placé : cliquez sur la carte ou saisissez les coordonnées.";
  }
  function place(latlng) {
    if (!latlng) { if (marker) { map.removeLayer(marker); marker = null; } say(null); return; }
    if (!marker) {
      marker = L.circleMarker(latlng, { radius: 8, weight: 3, color: "#a4001d", fillColor: "#ffffff", fillOpacity: 1 }).addTo(map);
    } else {
      marker.setLatLng(latlng);
    }
    say(latlng);
  }
  function write(latlng) {
    var lat = latlng.lat.toFixed(6), lon = latlng.lng.toFixed(6);
    if (pointInput) {
      pointInput.value = pointInput.getAttribute("data-map-point") === "array" ? "[" + lon + "," + lat + "]" : lon + ", " + lat;
    } else {
      latInput.value = lat; lonInput.value = lon;
    }
  }

  // Grid of degrees: lines every step, labelled, so a point can be read without any background.
  function grid(bounds) {
    var layer = L.layerGroup();
    var span = Math.max(bounds.getNorth() - bounds.getSouth(), bounds.getEast() - bounds.getWest());
    var step = span > 8 ? 2 : span > 2 ? 0.5 : span > 0.5 ? 0.1 : 0.02;
    var south = Math.floor(bounds.getSouth() / step) * step, north = Math.ceil(bounds.getNorth() / step) * step;
    var west = Math.floor(bounds.getWest() / step) * step, east = Math.ceil(bounds.getEast() / step) * step;
    var style = { color: "#767676", weight: 1, opacity: 0.6, interactive: false };
    for (var lat = south; lat <= north + 1e-9; lat += step) {
      L.polyline([[lat, west], [lat, east]], style).addTo(layer);
      L.tooltip({ permanent: true, direction: "right", className: "grid-label", opacity: 1 })
        .setLatLng([lat, west]).setContent(lat.toFixed(2) + "° N").addTo(layer);
    }
    for (var lon = west; lon <= east + 1e-9; lon += step) {
      L.polyline([[south, lon], [north, lon]], style).addTo(layer);
      L.tooltip({ permanent: true, direction: "top", className: "grid-label", opacity: 1 })
        .setLatLng([south, lon]).setContent(lon.toFixed(2) + "° E").addTo(layer);
    }
    return layer;
  }

  var others = L.featureGroup();
  (config.others || []).forEach(function (p) {
    L.circleMarker([p[0], p[1]], { radius: 4, weight: 1, color: "#555", fillColor: "#999", fillOpacity: 0.7, interactive: false }).addTo(others);
  });
  others.addTo(map);

  function start(contours) {
    var bounds = null;
    if (contours) { bounds = contours.getBounds(); }
    var current = read();
    if (!bounds || !bounds.isValid()) {
      bounds = others.getLayers().length ? others.getBounds() : null;
      if (current) { bounds = bounds ? bounds.extend(current) : L.latLngBounds(current, current); }
      if (!bounds) { bounds = L.latLngBounds([41.3, -5.2], [51.1, 9.6]); }  // metropolitan France
      bounds = bounds.pad(0.2);
      if (!config.tiles) { grid(bounds).addTo(map); }
    }
    map.fitBounds(bounds, { maxZoom: 15 });
    place(current);
    element.setAttribute("data-ready", contours ? "contours" : "grid");
  }

  map.on("click", function (event) {
    write(event.latlng);
    place(event.latlng);
  });
  [latInput, lonInput, pointInput].forEach(function (input) {
    if (!input) { return; }
    input.addEventListener("change", function () { var p = read(); place(p); if (p) { map.panTo(p); } });
  });

  if (config.contours && !config.tiles) {
    fetch(config.contours, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.features || !data.features.length) { start(null); return; }
        var layer = L.geoJSON(data, {
          interactive: false,
          style: function (feature) {
            var own = feature.properties && feature.properties.code === config.commune;
            return { color: own ? "#1d3a8a" : "#767676", weight: own ? 2.5 : 1, fillColor: own ? "#dbe5ff" : "#ffffff", fillOpacity: own ? 0.5 : 0 };
          }
        }).addTo(map);
        var own = null;
        layer.eachLayer(function (l) { if (l.feature.properties && l.feature.properties.code === config.commune) { own = l; } });
        start(own || layer);
      })
      .catch(function () { start(null); });
  } else {
    start(null);
  }
})();
