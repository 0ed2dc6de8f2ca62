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
