// Charts of an ATD's dashboard: its ETDs by step and the open rate of its perimeter over time. The
// tables beside them hold the same figures (text alternative); this script only draws them.
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-data");
  if (!holder || typeof Chart === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var funnel = document.getElementById("funnel-chart");
  if (funnel) {
    new Chart(funnel, {
      type: "bar",
      data: { labels: data.steps.labels,
              datasets: [{ label: "Collectivités", data: data.steps.counts, backgroundColor: "#1f4e9c" }] },
      options: { animation: false, responsive: true, indexAxis: "y",
                 plugins: { legend: { display: false } },
                 scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    funnel.setAttribute("data-ready", "1");
  }
  var rate = document.getElementById("rate-chart");
  if (rate) {
    new Chart(rate, {
      type: "line",
      data: { labels: data.rate.labels,
              datasets: [{ label: "Obligées ouvertes (%)", data: data.rate.rate, borderColor: "#b34700",
                           backgroundColor: "#b34700", pointRadius: 5 }] },
      options: { animation: false, responsive: true,
                 scales: { y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: "% des obligées" } } } }
    });
    rate.setAttribute("data-ready", "1");
  }
})();
