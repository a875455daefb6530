/**
 * The page's own script, run in the browser after Chart.js: it reads the chart data from the
 * page's `<script type="application/json" id="page-data">` and draws each `<canvas data-chart=N>`.
 * Plain ES2017 in a string (the package's TypeScript has no DOM types); no HTML is built from
 * data here, Chart.js draws text onto the canvas. A chart that fails is replaced by a line saying
 * so, and the error goes to the console, where the browser test looks for it.
 * When every chart is drawn, <html data-charts="drawn"> (or "failed") tells a test it may look.
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var COLORS = ['#4e79a7', '#e15759', '#f28e2b', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  function durationText(ms) {
    var a = Math.abs(ms), sign = ms < 0 ? '-' : '';
    if (a < 1000) return sign + Math.round(a * 10) / 10 + 'ms';
    if (a < 60000) return sign + Math.round(a / 100) / 10 + 's';
    var parts = [[Math.floor(a / 86400000), 'd'], [Math.floor(a / 3600000) % 24, 'h'], [Math.floor(a / 60000) % 60, 'm'], [Math.floor(a / 1000) % 60, 's']];
    var i = 0;
    while (parts[i][0] === 0) i++;
    var out = parts[i][0] + parts[i][1];
    if (i + 1 < parts.length && parts[i + 1][0] > 0) out += ' ' + parts[i + 1][0] + parts[i + 1][1];
    return sign + out;
  }
  function short(text) {
    return text.length > 40 ? text.slice(0, 39) + '\\u2026' : text;
  }
  function config(item) {
    var spec = item.spec;
    var valueAxis = item.horizontal ? 'x' : 'y';
    var categoryAxis = item.horizontal ? 'y' : 'x';
    var format = spec.yUnit === 'ms' ? durationText : function (v) { return String(v); };
    var scales = {};
    scales[categoryAxis] = {
      stacked: spec.stacked,
      title: { display: true, text: spec.xTitle },
      ticks: { autoSkip: true, callback: function (v) { return short(String(this.getLabelForValue(v))); } }
    };
    scales[valueAxis] = {
      stacked: spec.stacked,
      beginAtZero: true,
      title: { display: true, text: spec.yTitle },
      ticks: { callback: function (v) { return format(v); } }
    };
    if (spec.yUnit === 'count') scales[valueAxis].ticks.precision = 0;
    return {
      type: spec.lines ? 'line' : 'bar',
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          var color = COLORS[i % COLORS.length];
          return {
            label: s.name,
            data: s.values,
            backgroundColor: color,
            borderColor: color,
            borderWidth: spec.lines ? 2 : 0,
            pointRadius: spec.lines ? 2 : 0,
            spanGaps: false,
            categoryPercentage: spec.kind === 'histogram' ? 1 : 0.8,
            barPercentage: spec.kind === 'histogram' ? 0.98 : 0.9
          };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: item.horizontal ? 'y' : 'x',
        scales: scales,
        plugins: {
          legend: { display: spec.series.length > 1 },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = item.horizontal ? ctx.parsed.x : ctx.parsed.y;
                return ctx.dataset.label + ': ' + (v === null ? '-' : format(v));
              }
            }
          }
        }
      }
    };
  }
  var data, failed = 0;
  try {
    data = JSON.parse(document.getElementById('page-data').textContent);
  } catch (err) {
    console.error('the page data could not be read: ' + err);
    document.documentElement.setAttribute('data-charts', 'failed');
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll('canvas[data-chart]'), function (canvas) {
    var item = data.charts[Number(canvas.getAttribute('data-chart'))];
    try {
      new Chart(canvas, config(item));
    } catch (err) {
      failed++;
      console.error('chart "' + (item && item.spec.title) + '" could not be drawn: ' + err);
      var p = document.createElement('p');
      p.className = 'chart-failed';
      p.textContent = 'This chart could not be drawn: ' + err;
      canvas.parentNode.replaceChild(p, canvas);
    }
  });
  document.documentElement.setAttribute('data-charts', failed ? 'failed' : 'drawn');
})();
`;
