// Charts drawn from data the page carries in <script type="application/json">
// (json_script), so no inline script runs: <canvas data-chart="ID"> takes
// {type, labels, datasets} from the element with that id.
(function () {
  "use strict";
  if (!window.Chart) {
    return;
  }
  var palette = ["#0d6efd", "#20c997", "#ffc107", "#dc3545", "#198754", "#6f42c1", "#fd7e14", "#6c757d"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    spec.datasets.forEach(function (dataset, index) {
      if (!dataset.backgroundColor) {
        dataset.backgroundColor = spec.type === "pie" || spec.type === "doughnut" ? palette : palette[index % palette.length];
      }
    });
    canvas.chart = new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: { legend: { display: spec.datasets.length > 1 || spec.type === "pie" || spec.type === "doughnut" } },
        scales: spec.type === "pie" || spec.type === "doughnut" ? {} : { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true } }
      }
    });
  });
})();
