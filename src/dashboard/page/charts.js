// The four charts, drawn with uPlot (served from node_modules by the dashboard, no network).
/* global uPlot */

const COLORS = ['#3563e9', '#e8590c', '#2f9e44', '#ae3ec9', '#0c8599', '#c2255c', '#5c940d'];
const charts = new Map();

function widthOf(container) {
  return Math.max(240, container.clientWidth);
}

/** Creates the chart the first time, then only gives it new data (and new series when providers change). */
function draw(id, series, data, axes = {}) {
  const container = document.getElementById(id);
  const key = series.map((entry) => entry.label).join('|');
  const existing = charts.get(id);
  if (existing !== undefined && existing.key === key) {
    existing.plot.setData(data);
    return;
  }
  existing?.plot.destroy();
  const options = {
    width: widthOf(container),
    height: window.innerWidth < 600 ? 180 : 220,
    series: [{}, ...series.map((entry, index) => ({ stroke: entry.color ?? COLORS[index % COLORS.length], width: 2, scale: 'y', ...entry }))],
    axes: [{}, { scale: 'y', size: 55 }, ...(axes.right ? [{ scale: axes.right, side: 1, grid: { show: false }, size: 55 }] : [])],
    scales: { x: { time: true } },
    legend: { live: false },
  };
  charts.set(id, { key, plot: new uPlot(options, data, container) });
}

window.addEventListener('resize', () => {
  for (const [id, { plot }] of charts) plot.setSize({ width: widthOf(document.getElementById(id)), height: plot.height });
});

/** Per-interval amounts from cumulative counters that start again at zero when a new daemon starts. */
function deltas(points, read) {
  return points.map((point, index) => {
    const previous = points[index - 1];
    const value = read(point);
    if (value === null) return null;
    if (previous === undefined || previous.pid !== point.pid) return value;
    const before = read(previous) ?? 0;
    return value >= before ? value - before : value;
  });
}

export function drawCharts(history) {
  const xs = history.map((point) => point.at / 1000);
  draw(
    'chart-progress',
    [
      { label: 'saved', color: COLORS[0] },
      { label: 'conversations/h', color: COLORS[1], scale: 'rate' },
    ],
    [xs, history.map((point) => point.saved), history.map((point) => point.perHour)],
    { right: 'rate' },
  );
  const providers = [...new Set(history.flatMap((point) => Object.keys(point.providers)))].sort();
  // Per provider: requests solid, 429s dashed, errors dotted, in the provider's colour.
  const requestSeries = [];
  const requestData = [xs];
  providers.forEach((name, index) => {
    const color = COLORS[index % COLORS.length];
    const field = (key) => deltas(history, (point) => point.providers[name]?.[key] ?? null);
    requestSeries.push({ label: `${name} requests`, color }, { label: `${name} 429s`, color, dash: [6, 4] }, { label: `${name} errors`, color, dash: [2, 3] });
    requestData.push(field('requests'), field('rateLimited'), field('errors'));
  });
  draw('chart-requests', requestSeries, requestData);
  const latencySeries = [];
  const latencyData = [xs];
  providers.forEach((name, index) => {
    const color = COLORS[index % COLORS.length];
    latencySeries.push({ label: `${name} p50`, color }, { label: `${name} p95`, color, dash: [6, 4] });
    latencyData.push(
      history.map((point) => point.providers[name]?.p50Ms ?? null),
      history.map((point) => point.providers[name]?.p95Ms ?? null),
    );
  });
  draw('chart-latency', latencySeries, latencyData);
  draw('chart-quality', [{ label: 'valid %', color: COLORS[2] }], [xs, history.map((point) => 100 * (1 - point.invalidShare))]);
}
