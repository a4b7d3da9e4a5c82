/**
 * The page's own script, run in the browser after uPlot: draws the histograms and the timeline
 * from the report embedded in the page (`#report-data`). Written as plain ES2017 in a string, as
 * the browser receives it: the page loads nothing from anywhere.
 */
export const REPORT_PAGE_SCRIPT = String.raw`
(function () {
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var width = Math.min(560, document.body.clientWidth - 40);
  function bars(element, title, histogram, unit) {
    if (!element || histogram.total === 0) { if (element) element.textContent = 'No data.'; return; }
    var xs = histogram.edges.map(function (edge, index) { return index; });
    var labels = histogram.edges.map(function (edge, index) {
      var next = histogram.edges[index + 1];
      return next === undefined ? edge + '+' : (next - edge === 1 ? String(edge) : edge + '-' + (next - 1));
    });
    new uPlot({
      title: title, width: width, height: 220,
      scales: { x: { time: false, range: [-0.5, xs.length - 0.5] } },
      axes: [{ values: function (u, splits) { return splits.map(function (s) { return labels[s] === undefined ? '' : labels[s]; }); }, label: unit }, { label: 'count' }],
      series: [{}, { label: 'count', fill: 'rgba(54,112,199,0.55)', stroke: '#3670c7', paths: uPlot.paths.bars({ size: [0.8, 60] }), points: { show: false } }],
      legend: { show: false }
    }, [xs, histogram.counts], element);
    element.setAttribute('data-drawn', 'true');
  }
  function timeline(element, points) {
    if (!element || points.length === 0) { if (element) element.textContent = 'No timestamps in these lines.'; return; }
    var xs = points.map(function (p) { return p.start / 1000; });
    var perHour = 3600 / report.timeline.bucketSeconds;
    var valid = points.map(function (p) { return p.valid * perHour; });
    var invalid = points.map(function (p) { return p.invalid * perHour; });
    var validity = points.map(function (p) { var all = p.valid + p.invalid; return all === 0 ? null : p.valid / all; });
    new uPlot({
      title: 'Throughput (conversations per hour) and validity over time', width: width, height: 240,
      // One bucket alone would give the time axis no width: pad it by a bucket each side.
      scales: { x: xs.length > 1 ? { time: true } : { time: true, range: [xs[0] - report.timeline.bucketSeconds, xs[0] + report.timeline.bucketSeconds] }, share: { range: [0, 1] } },
      axes: [{}, { label: 'per hour' }, { scale: 'share', side: 1, label: 'validity', grid: { show: false } }],
      series: [{}, { label: 'valid/h', stroke: '#2b8a3e', width: 2, points: { show: true } }, { label: 'invalid/h', stroke: '#c92a2a', width: 2 },
        { label: 'validity', scale: 'share', stroke: '#555', dash: [4, 4] }]
    }, [xs, valid, invalid, validity], element);
    element.setAttribute('data-drawn', 'true');
  }
  bars(document.getElementById('chart-turns'), 'Turns per conversation', report.distributions.turns, 'user messages');
  bars(document.getElementById('chart-reply-characters'), 'Reply length', report.distributions.replyCharacters, 'characters');
  bars(document.getElementById('chart-user-characters'), 'User message length', report.distributions.userCharacters, 'characters');
  timeline(document.getElementById('chart-timeline'), report.timeline.points);
  document.body.setAttribute('data-charts', 'ready');
})();
`;
