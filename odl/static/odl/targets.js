// Draws the population-band chart from the JSON embedded in the page (the table beside it holds the same figures).
(function () {
  "use strict";
  var holder = document.getElementById("bands-data");
  var canvas = document.getElementById("bands-chart");
  if (!holder || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: "Communes", data: data.counts, backgroundColor: "#1f4e9c" }] },
    options: { animation: false, responsive: true, plugins: { legend: { display: false } },
               scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
})();

// EPCI picker: suggest EPCI names from the API, append the chosen SIREN to the EPCI field.
(function () {
  "use strict";
  var search = document.getElementById("f-epci-search");
  var field = document.getElementById("f-epci");
  var list = document.getElementById("epci-options");
  if (!search || !field || !list) { return; }
  var bySuggestion = {};
  var timer = null;
  search.addEventListener("input", function () {
    var value = search.value;
    if (bySuggestion[value]) {
      var sirens = field.value ? field.value.split(",").map(function (s) { return s.trim(); }) : [];
      if (sirens.indexOf(bySuggestion[value]) === -1) { sirens.push(bySuggestion[value]); }
      field.value = sirens.filter(Boolean).join(",");
      search.value = "";
      return;
    }
    if (value.length < 3) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = search.dataset.api + "?kind=epci&page_size=20&q=" + encodeURIComponent(value);
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          list.textContent = "";
          bySuggestion = {};
          data.results.forEach(function (epci) {
            var label = epci.nom + " (" + epci.code + ")";
            bySuggestion[label] = epci.code;
            var option = document.createElement("option");
            option.value = label;
            list.appendChild(option);
          });
        });
    }, 200);
  });
})();
