// Cartopartie collection: place a point on the map, queue it in localStorage, send it when online.
// Each point carries a client id made here: a point re-sent after a lost answer is stored once.
// Without JavaScript the form still posts normally (coordinates typed by hand).
(function () {
  "use strict";
  var form = document.getElementById("collect-form");
  if (!form) { return; }
  var data = JSON.parse(document.getElementById("collect-data").textContent);
  var statusBox = document.getElementById("collect-status");
  var errorBox = document.getElementById("collect-error");
  var lat = document.getElementById("point-lat");
  var lon = document.getElementById("point-lon");
  var key = "odl-collect:" + window.location.pathname;
  var marker = null;
  var map = null;

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function queue() {
    try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function save(items) { window.localStorage.setItem(key, JSON.stringify(items)); }
  // What the status line shows: « pending » (points wait for the network) or « sent » (a point was
  // stored). A queue found empty clears only a « pending » line, so that « enregistré » stays on screen
  // until the next point instead of vanishing at the next resend round.
  function say(text, kind) { statusBox.textContent = text; statusBox.setAttribute("data-kind", text ? kind : ""); }
  function fail(text) { errorBox.textContent = text; errorBox.hidden = !text; }

  if (window.L) {
    map = L.map("collect-map", { zoomControl: true });
    if (data.tiles) { L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map); }
    if (data.area) {
      var bounds = L.latLngBounds([data.area[0], data.area[1]], [data.area[2], data.area[3]]);
      L.rectangle(bounds, { weight: 2, fill: false, color: "#1f4e9c" }).addTo(map);
      map.fitBounds(bounds);
    } else {
      map.setView([46.6, 2.4], 5);
    }
    data.points.forEach(function (p) { L.circleMarker([p[0], p[1]], { radius: 5 }).bindTooltip(p[2]).addTo(map); });
    map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng); });
  }

  function place(y, x) {
    lat.value = y.toFixed(6);
    lon.value = x.toFixed(6);
    if (map) {
      if (marker) { marker.setLatLng([y, x]); } else { marker = L.marker([y, x]).addTo(map); }
    }
  }
  lat.addEventListener("change", function () { if (lat.value && lon.value) { place(+lat.value, +lon.value); } });
  lon.addEventListener("change", function () { if (lat.value && lon.value) { place(+lat.value, +lon.value); } });

  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { fail("Ce navigateur ne donne pas la position : touchez la carte."); return; }
    navigator.geolocation.getCurrentPosition(
      function (pos) { place(pos.coords.latitude, pos.coords.longitude); },
      function () { fail("Position indisponible : touchez la carte ou saisissez les coordonnées."); }
    );
  });

  function pending() {
    var count = queue().length;
    if (count) {
      say(count + " point(s) en attente de réseau sur ce téléphone.", "pending");
    } else if (statusBox.getAttribute("data-kind") === "pending") {
      say("", "");
    }
  }

  var sending = false;
  function flush() {
    if (sending) { return; }
    var items = queue();
    if (!items.length) { pending(); return; }
    sending = true;
    var item = items[0];
    var body = new URLSearchParams(item.fields);
    // A request sent as the network goes may hang instead of failing: given up after 10 s, so that it
    // never holds the queue (« sending ») when the network is back.
    var controller = window.AbortController ? new window.AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, 10000) : null;
    fetch(window.location.pathname, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
      headers: { "Accept": "application/json", "X-CSRFToken": item.fields.csrfmiddlewaretoken }
    }).then(function (response) {
      window.clearTimeout(timer);
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }).then(function (result) {
      var rest = queue().filter(function (other) { return other.fields.client_id !== item.fields.client_id; });
      save(rest);
      sending = false;
      if (result.answer.ok) {
        fail("");
        say("Point « " + item.fields.name + " » enregistré, merci !" +
            (rest.length ? " " + rest.length + " point(s) encore en attente." : ""), "sent");
        if (map) { L.circleMarker([+item.fields.lat, +item.fields.lon], { radius: 5 }).bindTooltip(item.fields.name).addTo(map); }
        if (rest.length) { flush(); }
      } else {
        // Refused by the server (outside the area, markup…): tell why, give the point back to the form.
        fail(result.answer.error || "Point refusé.");
        pending();
        Object.keys(item.fields).forEach(function (name) {
          var input = form.elements[name];
          if (input && name !== "csrfmiddlewaretoken") { input.value = item.fields[name]; }
        });
      }
    }).catch(function () {
      // No network (or no answer): the point stays queued; retried when the browser is back online, at
      // the next round, and soon when the browser already says it is online (the network just came back).
      window.clearTimeout(timer);
      sending = false;
      pending();
      if (navigator.onLine) { window.setTimeout(flush, 5000); }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fail("");
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = String(value); });
    if (!fields.name.trim()) { fail("Donnez un nom au point (champ « Nom »)."); return; }
    if (!fields.lat || !fields.lon) { fail("Placez le point sur la carte ou saisissez ses coordonnées."); return; }
    fields.client_id = newId();
    var items = queue();
    items.push({ fields: fields });
    save(items);
    form.reset();
    if (marker && map) { map.removeLayer(marker); marker = null; }
    pending();
    flush();
  });

  window.addEventListener("online", flush);
  window.setInterval(flush, 30000);
  flush();
})();
