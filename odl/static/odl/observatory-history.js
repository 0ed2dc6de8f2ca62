// History chart of the observatory dashboard: one point per snapshot. The table beside it holds
// the same figures (text alternative); this script only draws them.
(function () {
  "use strict";
  var holder = document.getElementById("history-data");
  var canvas = document.getElementById("history-chart");
  if (!holder || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  // ODF editions are drawn as triangles, platform snapshots as dots: not only by colour.
  var styles = data.origins.map(function (o) { return o === "odf" ? "triangle" : "circle"; });
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: "Collectivités ouvertes", data: data.open, borderColor: "#1f4e9c", backgroundColor: "#1f4e9c",
          pointStyle: styles, pointRadius: 5, yAxisID: "y" },
        { label: "Obligées ouvertes (%)", data: data.rate, borderColor: "#b34700", backgroundColor: "#b34700",
          borderDash: [6, 4], pointStyle: styles, pointRadius: 5, yAxisID: "rate" }
      ]
    },
    options: {
      animation: false, responsive: true,
      scales: {
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "collectivités" } },
        rate: { position: "right", beginAtZero: true, suggestedMax: 100, grid: { drawOnChartArea: false },
                title: { display: true, text: "% des obligées" } }
      }
    }
  });
  canvas.setAttribute("data-ready", "1");
})();
