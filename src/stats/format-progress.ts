import type { ProviderPace, ProviderState } from '../core/types.js';
import {
  formatCompact,
  formatCount,
  formatDuration,
  formatInteger,
  formatLatency,
  formatMoney,
  formatPercent,
  formatRate,
} from './format-units.js';
import type { ProgressRecord, ProviderProgress } from './progress-record.js';

/**
 * The compact form a person reads in `tail -f`: two lines always (totals, then one segment per
 * provider), a tokens line once tokens were used and a discards line once something was discarded.
 */
export function formatProgress(record: ProgressRecord): string {
  const eta = record.etaSeconds === null ? 'ETA unknown' : `ETA ${formatDuration(record.etaSeconds)}`;
  const lines = [
    `📊 Progress: ${record.saved}/${record.target} (${formatPercent(record.percent)})` +
      `  ⚡ ${formatRate(record.rate.overallPerHour)} conv/h (recent ${formatRate(record.rate.recentPerHour)})` +
      `  ⏱️ ${eta}  · ${record.inFlight} in flight`,
  ];
  const providers = sortedEntries(record.providers);
  lines.push(
    providers.length === 0
      ? '📈 no provider requests yet'
      : `📈 ${providers.map(([name, provider]) => providerSegment(name, provider, record.at)).join(' | ')}`,
  );
  const tokenLine = tokensLine(record);
  if (tokenLine !== null) lines.push(tokenLine);
  const labelLine = validityLine(record);
  if (labelLine !== null) lines.push(`🏷️ ${labelLine}`);
  const discardLine = discardsLine(record);
  if (discardLine !== null) lines.push(discardLine);
  return lines.join('\n');
}

export interface SummaryOptions {
  /** Wall-clock seconds of the run (may exceed `elapsedSeconds` when shutdown took a while). */
  readonly wallSeconds: number;
  readonly outputPath: string;
  readonly stopReason: string;
}

/** The end-of-run report: what was made, how fast, at what cost, what went wrong, and where it is. */
export function formatSummary(record: ProgressRecord, options: SummaryOptions): string {
  const wallHours = options.wallSeconds / 3600;
  const perHour = wallHours > 0 ? record.savedThisRun / wallHours : 0;
  const lines = [
    `🏁 Run summary: ${record.saved}/${record.target} conversations (${formatPercent(record.percent)}), ` +
      `${record.savedThisRun} saved by this run`,
    `   stopped: ${options.stopReason}`,
    `   wall time ${formatDuration(options.wallSeconds)} · ${formatRate(perHour)} conv/h`,
    `   output: ${options.outputPath}`,
    `   tokens: ${formatInteger(record.tokens.input)} in / ${formatInteger(record.tokens.output)} out` +
      (record.cost === null ? '' : ` · cost ${formatMoney(record.cost.total)}`) +
      (record.cost !== null && record.cost.unpricedModels.length > 0
        ? ` (no price for ${record.cost.unpricedModels.join(', ')})`
        : ''),
  ];
  const providers = sortedEntries(record.providers);
  if (providers.length > 0) lines.push('   providers:');
  for (const [name, provider] of providers) lines.push(`     ${summaryProviderLine(name, provider, record.at)}`);
  const labelLine = validityLine(record);
  if (labelLine !== null) lines.push(`   ${labelLine}`);
  lines.push(`   discarded: ${discardList(record) ?? 'none'}`);
  if (record.surplus !== undefined && record.surplus > 0) {
    lines.push(`   spares: ${formatInteger(record.surplus)} started in case others failed, stopped unsaved when the target was reached`);
  }
  const tools = sortedEntries(record.toolCalls);
  lines.push(
    `   tool calls: ${
      tools.length === 0
        ? 'none'
        : tools.map(([name, counts]) => `${name} ${counts.ok} ok${counts.failed > 0 ? ` / ${counts.failed} failed` : ''}`).join(', ')
    }`,
  );
  return lines.join('\n');
}

/** "(cooling down 40 s)" or "(disabled: …)"; empty while active. */
export function describeProviderState(state: ProviderState, at: string): string {
  if (state.status === 'active') return '';
  if (state.status === 'disabled') return `(disabled: ${state.reason})`;
  const remainingMs = Date.parse(state.until) - Date.parse(at);
  return Number.isFinite(remainingMs) && remainingMs > 0
    ? `(cooling down ${formatDuration(remainingMs / 1000)})`
    : '(cooling down)';
}

/**
 * The rate in force: "8/s" as configured; "7.81/s learned (configured 8/s, +24 ms margin)" after
 * 429s; "2/s from headers (configured 1/s)" when the server reported its limit.
 */
export function describePace(pace: ProviderPace): string {
  const current = `${significant(pace.currentPerSecond)}/s`;
  if (pace.source === 'configured') return current;
  const notes: string[] = [];
  if (Math.abs(pace.currentPerSecond - pace.configuredPerSecond) > 0.0005) notes.push(`configured ${significant(pace.configuredPerSecond)}/s`);
  if (pace.marginMs > 0) notes.push(`+${significant(pace.marginMs)} ms margin`);
  const source = pace.source === 'headers' ? 'from headers' : 'learned';
  return notes.length === 0 ? `${current} ${source}` : `${current} ${source} (${notes.join(', ')})`;
}

function significant(value: number): string {
  return String(Number(value.toPrecision(3)));
}

function providerSegment(name: string, provider: ProviderProgress, at: string): string {
  const parts = [`${name} ${provider.conversations} conv`, `${provider.rateLimited} 429s`];
  if (provider.errors > 0) parts.push(`${provider.errors} err`);
  if (provider.latency.p50Ms !== null) parts.push(`${formatLatency(provider.latency.p50Ms)} p50`);
  if (provider.pace !== undefined) parts.push(describePace(provider.pace));
  const state = describeProviderState(provider.state, at);
  return parts.join(' · ') + (state === '' ? '' : ` ${state}`);
}

function summaryProviderLine(name: string, provider: ProviderProgress, at: string): string {
  const parts = [
    `${name}: ${formatInteger(provider.conversations)} conv`,
    formatCount(provider.requests, 'request'),
    `${formatInteger(provider.rateLimited)} 429s`,
    formatCount(provider.errors, 'error'),
    formatCount(provider.retries, 'retry', 'retries'),
  ];
  if (provider.latency.p50Ms !== null && provider.latency.p95Ms !== null) {
    parts.push(`p50 ${formatLatency(provider.latency.p50Ms)} / p95 ${formatLatency(provider.latency.p95Ms)}`);
  }
  parts.push(`${formatInteger(provider.tokens.input)} in / ${formatInteger(provider.tokens.output)} out`);
  if (provider.cost !== null) parts.push(formatMoney(provider.cost));
  if (provider.pace !== undefined) parts.push(`paced at ${describePace(provider.pace)}`);
  const state = provider.state.status === 'disabled' ? describeProviderState(provider.state, at) : '';
  return parts.join(' · ') + (state === '' ? '' : ` ${state}`);
}

function tokensLine(record: ProgressRecord): string | null {
  if (record.tokens.input === 0 && record.tokens.output === 0) return null;
  let line = `🪙 Tokens ${formatCompact(record.tokens.input)} in / ${formatCompact(record.tokens.output)} out`;
  if (record.cost !== null) {
    line += ` · cost ${formatMoney(record.cost.total)}`;
    if (record.cost.projectedAtTarget !== null) line += ` (≈ ${formatMoney(record.cost.projectedAtTarget)} at target)`;
  }
  return line;
}

function discardsLine(record: ProgressRecord): string | null {
  const list = discardList(record);
  return list === null ? null : `🗑️ Discarded ${list}`;
}

/**
 * "labelled this run: 30 valid, 7 invalid (81.1 % valid); the invalid ones are kept beside the
 * output, not counted": null when nothing was labelled invalid (a pipeline that labels nothing).
 */
function validityLine(record: ProgressRecord): string | null {
  if (record.invalid === undefined || record.invalid === 0) return null;
  const rate = record.validityRate === undefined ? '' : ` (${formatPercent(record.validityRate * 100)} valid)`;
  return (
    `labelled this run: ${formatInteger(record.savedThisRun)} valid, ${formatInteger(record.invalid)} invalid${rate}; ` +
    'the invalid ones are kept beside the output, not counted'
  );
}

/** "12: empty_reply 8, deadline 4", most frequent first; null when nothing was discarded. */
function discardList(record: ProgressRecord): string | null {
  const entries = Object.entries(record.discarded).filter(([, count]) => count > 0);
  if (entries.length === 0) return null;
  entries.sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0]));
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return `${total}: ${entries.map(([reason, count]) => `${reason} ${count}`).join(', ')}`;
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([left], [right]) => left.localeCompare(right));
}
