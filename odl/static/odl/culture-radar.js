// The respondent's radar: one axis per domain, scores 0–100. The table beside it holds the same figures
// (its text alternative); a domain without a score (all « je ne sais pas ») is left as a gap.
(function () {
  "use strict";
  var holder = document.getElementById("radar-data");
  var canvas = document.getElementById("radar-chart");
  if (!holder || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  new Chart(canvas, {
    type: "radar",
    data: { labels: data.labels,
            datasets: [{ label: "Mon score", data: data.scores, borderColor: "#1f4e9c",
                         backgroundColor: "rgba(31, 78, 156, 0.2)", pointBackgroundColor: "#1f4e9c", spanGaps: false }] },
    options: { animation: false, responsive: true,
               plugins: { legend: { display: false } },
               scales: { r: { min: 0, max: 100, ticks: { stepSize: 25 } } } }
  });
  canvas.setAttribute("data-ready", "1");
})();
