// Connects to /events and redraws the page from each snapshot the server sends.
import { drawCharts } from './charts.js';
import { renderConversations } from './conversations.js';
import { element, formatAgo, formatCount, formatDollars, formatDuration, formatPercent, setText } from './dom.js';

const CONDITION_WORDS = {
  waiting: 'waiting for the first progress record',
  running: 'running',
  draining: 'draining',
  stalled: 'stalled',
  dead: 'daemon not running (dead)',
  finished: 'finished',
  stopped: 'stopped',
};

// "last update 2 min ago" keeps counting between snapshots (a dead daemon sends none), on the server's clock.
let lastUpdate = null;
function tickLastUpdate() {
  if (lastUpdate !== null) setText('updated-at', formatAgo(lastUpdate.at, Date.now() + lastUpdate.serverOffsetMs));
}
setInterval(tickLastUpdate, 5000);

function renderProgress(snapshot) {
  const status = snapshot.status;
  const condition = document.getElementById('condition');
  condition.textContent = CONDITION_WORDS[snapshot.condition] ?? snapshot.condition;
  condition.className = `badge ${snapshot.condition}`;
  condition.dataset.condition = snapshot.condition;
  setText('data-directory', snapshot.dataDirectory);
  const problem = document.getElementById('problem');
  problem.hidden = snapshot.problem === null;
  problem.textContent = snapshot.problem ?? '';
  if (status === null) return;
  setText('saved', formatCount(status.saved));
  setText('target', formatCount(status.target));
  setText('percent', status.percent.toFixed(1));
  setText('eta', status.state === 'finished' ? 'done' : formatDuration(status.etaSeconds));
  setText('per-hour', formatCount(status.rate.recentPerHour));
  setText('in-flight', formatCount(status.inFlight));
  setText('started', formatCount(status.started));
  lastUpdate = { at: status.updatedAt, serverOffsetMs: Date.parse(snapshot.generatedAt) - Date.now() };
  tickLastUpdate();
  document.getElementById('progress-bar').style.width = `${Math.min(100, status.percent)}%`;
}

function describeState(state) {
  if (state.status === 'active') return 'active';
  if (state.status === 'disabled') return `disabled: ${state.reason}`;
  return `cooling down until ${state.until.slice(11, 19)} UTC: ${state.reason}`;
}

function renderProviders(status) {
  const container = document.getElementById('providers');
  if (status === null) return;
  const cards = Object.entries(status.providers).map(([name, provider]) => {
    const pace = provider.pace;
    const utilization = pace === undefined ? null : pace.currentPerSecond / pace.configuredPerSecond;
    const paceText = pace === undefined ? '–' : `${+pace.currentPerSecond.toFixed(3)}/s of ${+pace.configuredPerSecond.toFixed(3)}/s configured` + (pace.source === 'configured' ? '' : ` (${pace.source === 'headers' ? 'from headers' : 'learned'}${pace.marginMs > 0 ? `, +${Math.round(pace.marginMs)} ms margin` : ''})`);
    const row = (label, value, field) => [element('dt', {}, label), element('dd', { 'data-field': field }, value)];
    return element(
      'div',
      { class: 'provider', id: `provider-${name}`, 'data-provider': name },
      element('h3', {}, name, element('span', { class: `badge ${provider.state.status}`, 'data-field': 'state' }, describeState(provider.state))),
      element('div', { class: 'bar', title: 'rate in force against the configured limit' }, element('div', { style: `width: ${Math.min(100, (utilization ?? 0) * 100)}%` })),
      element(
        'dl',
        {},
        row('rate', paceText, 'pace'),
        row('requests', formatCount(provider.requests), 'requests'),
        row('in flight', formatCount(provider.inFlight), 'in-flight'),
        row('429s', formatCount(provider.rateLimited), 'rate-limited'),
        row('errors', formatCount(provider.errors), 'errors'),
        row('latency', `p50 ${formatCount(provider.latency.p50Ms)} ms · p95 ${formatCount(provider.latency.p95Ms)} ms`, 'latency'),
        row('tokens', `${formatCount(provider.tokens.input)} in / ${formatCount(provider.tokens.output)} out`, 'tokens'),
        row('cost', formatDollars(provider.cost), 'cost'),
        row('conversations', formatCount(provider.conversations), 'conversations'),
      ),
    );
  });
  container.replaceChildren(...cards);
}

function budgetLine(name, line) {
  const parts = [];
  if (line.limit.tokens !== undefined) parts.push(`${formatCount(line.used.tokens)} of ${formatCount(line.limit.tokens)} tokens (${formatPercent(line.used.tokens / line.limit.tokens)})`);
  if (line.limit.costUsd !== undefined) parts.push(`${formatDollars(line.used.cost)} of ${formatDollars(line.limit.costUsd)} (${formatPercent(line.used.cost / line.limit.costUsd)})`);
  if (parts.length === 0) parts.push(`${formatCount(line.used.tokens)} tokens, ${formatDollars(line.used.cost)} this month, no budget`);
  if (line.spentReason !== undefined) parts.push(`spent: ${line.spentReason}`);
  return element('li', {}, `${name}: ${parts.join(' · ')}`);
}

function renderSpend(snapshot) {
  const status = snapshot.status;
  if (status !== null) {
    const cost = status.cost;
    document.getElementById('spend').replaceChildren(
      element(
        'dl',
        {},
        element('dt', {}, 'this run'),
        element('dd', { id: 'tokens' }, `${formatCount(status.tokens.input)} in / ${formatCount(status.tokens.output)} out`),
        element('dt', {}, 'cost'),
        element('dd', { id: 'cost' }, cost === null ? 'no prices configured' : formatDollars(cost.total)),
        element('dt', {}, 'at target'),
        element('dd', {}, cost === null ? '–' : formatDollars(cost.projectedAtTarget)),
      ),
    );
  }
  const budgets = snapshot.budgets;
  document.getElementById('budgets').replaceChildren(
    budgets === null
      ? element('p', { class: 'muted' }, 'no monthly spend recorded in this data directory')
      : element('div', {}, element('h3', {}, `Monthly budgets, ${budgets.month} (resets ${budgets.resetsOn})`), element('ul', {}, budgetLine('overall', budgets.overall), Object.entries(budgets.providers).map(([name, line]) => budgetLine(name, line)))),
  );
}

function renderQuality(quality) {
  const judged = quality.valid + quality.invalid;
  setText('valid', formatCount(quality.valid));
  setText('invalid', formatCount(quality.invalid));
  setText('valid-share', judged === 0 ? '–' : formatPercent(quality.valid / judged));
  setText('tool-share', quality.valid === 0 ? '–' : formatPercent(quality.withTools / quality.valid));
  setText('rejected', formatCount(quality.rejected));
  const rows = Object.entries(quality.issues)
    .sort((left, right) => right[1].count - left[1].count)
    .map(([code, entry]) => element('tr', { 'data-code': code }, element('td', {}, code), element('td', {}, formatCount(entry.count)), element('td', {}, formatCount(entry.errors))));
  document.querySelector('#issues tbody').replaceChildren(...(rows.length > 0 ? rows : [element('tr', {}, element('td', { colspan: 3, class: 'muted' }, 'no issues reported'))]));
  const reasons = Object.entries(quality.rejectReasons);
  document.getElementById('reject-reasons').replaceChildren(
    ...(reasons.length === 0 ? [] : [element('h3', {}, 'Abandoned, by reason'), element('ul', {}, reasons.map(([reason, count]) => element('li', {}, `${reason}: ${formatCount(count)}`)))]),
  );
  const container = document.getElementById('conversations');
  const open = new Set([...container.querySelectorAll('details.conversation[open]')].map((node) => node.dataset.id));
  renderConversations(container, quality.recent, open);
}

function renderEvents(events) {
  const items = events.map((event) =>
    element('li', { class: `level-${event.level}` }, element('span', { class: 'muted' }, `${event.time.replace('T', ' ').slice(0, 19)} `), event.message, event.details === '' ? null : element('span', { class: 'muted' }, ` ${event.details}`)),
  );
  document.getElementById('events').replaceChildren(...(items.length > 0 ? items : [element('li', { class: 'muted' }, 'no warnings or errors')]));
}

function render(snapshot) {
  renderProgress(snapshot);
  renderProviders(snapshot.status);
  renderSpend(snapshot);
  renderQuality(snapshot.quality);
  renderEvents(snapshot.events);
  drawCharts(snapshot.history);
  document.body.dataset.generatedAt = snapshot.generatedAt;
}

// EventSource reconnects by itself (the server sends `retry: 2000`); the token, if any, rides along in the query.
// A reconnection starts with a whole snapshot; after it, `update` events carry only the new history points.
let history = [];
const events = new EventSource(`events${location.search}`);
events.addEventListener('snapshot', (message) => {
  setText('connection', 'live');
  const snapshot = JSON.parse(message.data);
  history = snapshot.history;
  render(snapshot);
});
events.addEventListener('update', async (message) => {
  const { historyFrom, historyTail, ...rest } = JSON.parse(message.data);
  if (historyFrom === history.length) {
    history = history.concat(historyTail);
    render({ ...rest, history });
    return;
  }
  // Out of step (an update missed): take the whole snapshot once.
  const response = await fetch(`snapshot.json${location.search}`);
  const snapshot = await response.json();
  history = snapshot.history;
  render(snapshot);
});
events.addEventListener('error', () => setText('connection', 'dashboard unreachable, retrying…'));
