/**
 * report.html: one self-contained page (uPlot's script and stylesheet inlined, the report embedded
 * as JSON), so it opens from a laptop's downloads folder with no network. Tables are rendered
 * here; charts by the page script. Every figure cell carries `data-figure="<path in report.json>"`
 * so a test (or a person) can check the page against the file. Model text is escaped: a reply
 * that writes `<script>` is shown, never run.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { REPORT_PAGE_SCRIPT } from './report-page-script.js';
import type { CoverageFigures, QualityReport } from './report-types.js';

const require = createRequire(import.meta.url);

/** uPlot's browser build, read once per process: the page must work offline. */
function readUplot(): { script: string; style: string } {
  return {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ?? character);

/** JSON inside `<script>`: `<` escaped so no text in it can close the element. */
const embedJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const percent = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);
const cell = (figure: string, text: string | number): string => `<td data-figure="${escapeHtml(figure)}">${escapeHtml(String(text))}</td>`;

function table(headers: readonly string[], rows: readonly string[]): string {
  if (rows.length === 0) return '<p class="empty">None.</p>';
  return `<table><thead><tr>${headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const countRows = (record: Readonly<Record<string, number>>, path: string): string[] =>
  Object.entries(record).map(([name, count]) => `<tr><td>${escapeHtml(name)}</td>${cell(`${path}.${name}`, count)}</tr>`);

function coverage(title: string, figures: CoverageFigures, path: string): string {
  const rows = figures.top.map((entry, index) => `<tr><td>${escapeHtml(entry.name)}</td>${cell(`${path}.top.${index}.count`, entry.count)}</tr>`);
  return `<h3>${escapeHtml(title)}: <span data-figure="${path}.distinct">${figures.distinct}</span> distinct${figures.capped ? ' (at least)' : ''}</h3>${table(['name', 'conversations'], rows)}`;
}

function overview(report: QualityReport): string {
  const { counts } = report;
  return table(
    ['valid', 'invalid', 'rejected', 'validity', 'tool use', '<think> coverage', 'refusals', 'distinct-1', 'distinct-2', 'bad lines'],
    [
      `<tr>${cell('counts.valid', counts.valid)}${cell('counts.invalid', counts.invalid)}${cell('counts.rejected', counts.rejected)}` +
        `${cell('counts.validityRate', percent(counts.validityRate))}${cell('tools.share', percent(report.tools.share))}` +
        `${cell('thinking.coverage', percent(report.thinking.coverage))}${cell('refusals.rate', percent(report.refusals.rate))}` +
        `${cell('diversity.distinct1', report.diversity.distinct1 ?? '–')}${cell('diversity.distinct2', report.diversity.distinct2 ?? '–')}` +
        `${cell('counts.badLines', counts.badLines)}</tr>`,
    ],
  );
}

/** `--tool-share`: the share of the output with calls against the target, then each plan's outcome. */
function toolShare(report: QualityReport): string {
  const figures = report.tools.toolShare;
  if (figures === null) return '';
  const plan = (name: string, key: 'tools' | 'noTools'): string =>
    `<tr><td>${name}</td>${cell(`tools.toolShare.byPlan.${key}.conversations`, figures.byPlan[key].conversations)}` +
    `${cell(`tools.toolShare.byPlan.${key}.withCalls`, figures.byPlan[key].withCalls)}${cell(`tools.toolShare.byPlan.${key}.share`, percent(figures.byPlan[key].share))}</tr>`;
  return (
    `<h3>Tool share (--tool-share): <span data-figure="tools.toolShare.reachedShare">${percent(figures.reachedShare)}</span> of ` +
    `<span data-figure="tools.toolShare.valid">${figures.valid}</span> valid conversations, target <span data-figure="tools.toolShare.targetShare">${percent(figures.targetShare)}</span></h3>` +
    table(['plan', 'conversations', 'with calls', 'share'], [plan('with tools', 'tools'), plan('without tools', 'noTools')])
  );
}

function sections(report: QualityReport): string {
  const issues = Object.entries(report.issues).map(
    ([code, tally]) => `<tr><td>${escapeHtml(code)}</td>${cell(`issues.${code}.errors`, tally.errors)}${cell(`issues.${code}.warnings`, tally.warnings)}</tr>`,
  );
  const tools = Object.entries(report.tools.calls).map(
    ([name, tally]) =>
      `<tr><td>${escapeHtml(name)}</td>${cell(`tools.calls.${name}.calls`, tally.calls)}${cell(`tools.calls.${name}.succeeded`, tally.succeeded)}${cell(`tools.calls.${name}.successRate`, percent(tally.successRate))}</tr>`,
  );
  const providers = report.providers.map(
    (entry, index) =>
      `<tr><td>${escapeHtml(entry.provider)}</td><td>${escapeHtml(entry.model)}</td>${cell(`providers.${index}.conversations`, entry.conversations)}` +
      `${cell(`providers.${index}.validityRate`, percent(entry.validityRate))}${cell(`providers.${index}.meanJudgeScore`, entry.meanJudgeScore ?? '–')}` +
      `${cell(`providers.${index}.tokens.input`, entry.tokens.input)}${cell(`providers.${index}.tokens.output`, entry.tokens.output)}` +
      `${cell(`providers.${index}.costUsd`, entry.costUsd === null ? '–' : `$${entry.costUsd}`)}</tr>`,
  );
  const clusters = report.nearDuplicates.clusters.map(
    (cluster, index) =>
      `<tr>${cell(`nearDuplicates.clusters.${index}.size`, cluster.size)}<td>${cluster.examples.map((example) => `<div class="example">${escapeHtml(example)}</div>`).join('')}</td></tr>`,
  );
  const privateData = Object.entries(report.privateData).map(([kind, count]) => `<tr><td>${escapeHtml(kind)}</td>${cell(`privateData.${kind}`, count)}</tr>`);
  return [
    `<h2>Rejected, by reason</h2>${table(['reason', 'conversations'], countRows(report.rejects.byReason, 'rejects.byReason'))}`,
    `<h2>Rejected, by failed step</h2>${table(['failed step', 'conversations'], countRows(report.rejects.byFailedStep, 'rejects.byFailedStep'))}`,
    `<h2>Label issues, by code</h2>${table(['code', 'as error', 'as warning'], issues)}`,
    `<h2>Tools: <span data-figure="tools.conversationsWithCalls">${report.tools.conversationsWithCalls}</span> conversations with calls</h2>${table(['tool', 'calls', 'succeeded', 'success rate'], tools)}${toolShare(report)}`,
    `<h2>Distributions</h2><div class="charts"><div id="chart-turns" class="chart"></div><div id="chart-reply-characters" class="chart"></div><div id="chart-user-characters" class="chart"></div></div>`,
    `<h2>Over time</h2><div id="chart-timeline" class="chart"></div>`,
    `<h2>Providers and models</h2>${table(['provider', 'model', 'conversations', 'validity', 'mean judge score', 'input tokens', 'output tokens', 'cost'], providers)}`,
    `<h2>Near-duplicates: <span data-figure="nearDuplicates.flagged">${report.nearDuplicates.flagged}</span> flagged in <span data-figure="nearDuplicates.clusterCount">${report.nearDuplicates.clusterCount}</span> clusters</h2>${table(['size', 'opening requests'], clusters)}`,
    `<h2>Coverage</h2>${coverage('Topics', report.coverage.topics, 'coverage.topics')}${coverage('Simulated users', report.coverage.users, 'coverage.users')}` +
      `${coverage('Behaviors and types', report.coverage.behaviors, 'coverage.behaviors')}${coverage('Workspace variations', report.coverage.environments, 'coverage.environments')}`,
    `<h2>Private data found (what export --redact replaces)</h2>${table(['kind', 'occurrences'], privateData)}`,
    `<h2>Manifest</h2><pre>${escapeHtml(JSON.stringify(report.manifest, null, 2) ?? 'null')}</pre>`,
  ].join('\n');
}

const PAGE_STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:20px;color:#222}table{border-collapse:collapse;margin:6px 0 16px}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}td[data-figure]{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{min-height:40px}.example{max-width:70ch;color:#444}.empty{color:#777}pre{background:#f6f6f6;padding:8px;overflow:auto}`;

export function renderReportHtml(report: QualityReport): string {
  const uplot = readUplot();
  const pipelines = Object.entries(report.pipelines).map(([name, count]) => `${name} (${count})`).join(', ') || 'none';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nightshift quality report</title>
<style>${uplot.style}</style><style>${PAGE_STYLE}</style></head>
<body>
<h1>nightshift quality report</h1>
<p>${escapeHtml(report.files.output)} · pipelines: ${escapeHtml(pipelines)} · generated ${escapeHtml(report.generatedAt)}</p>
${overview(report)}
${sections(report)}
<script type="application/json" id="report-data">${embedJson(report)}</script>
<script>${uplot.script.replace(/<\/script/gi, '<\\/script')}</script>
<script>${REPORT_PAGE_SCRIPT}</script>
</body></html>
`;
}
