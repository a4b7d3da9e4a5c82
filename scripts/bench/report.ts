import os from 'node:os';
import type { WorkloadFigures } from './figures.js';
import type { StoreScanFigures } from './store-scan.js';
import { providersOf, retryAfterCeiling, type Workload } from './workload.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export interface BenchReport {
  readonly date: string;
  readonly command: string;
  readonly machine: Machine;
  readonly workload: Workload;
  /** The share of the limit a client honouring every Retry-After can reach (see retryAfterCeiling). */
  readonly retryAfterCeiling: number;
  readonly automatic: WorkloadFigures;
  readonly serial: WorkloadFigures | undefined;
  /** Conversations/s with automatic concurrency ÷ with `--concurrency 1`. */
  readonly speedUp: number | undefined;
  readonly storeScan: StoreScanFigures | undefined;
}

export function describeMachine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** The Markdown the README's performance section takes as is. */
export function formatMarkdown(report: BenchReport): string {
  const { workload, automatic, serial, machine } = report;
  const rates = providersOf(workload).map((provider) => `${provider} ${workload.rates[provider]}`).join(', ');
  const lines = [
    `### Benchmark: ${report.date.slice(0, 16).replace('T', ' ')} UTC, ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB), Node ${machine.node}`,
    '',
    `Real daemon (\`generate\` as a child process) against the emulator: ${rates} requests/s (configured = enforced), ` +
      `log-normal latency (median ${workload.latency.medianMs} ms, σ ${workload.latency.sigma}), ` +
      `injected ${percent(workload.faults.rate429)} 429s (asking to retry after ${describePause(workload)}) and ${percent(workload.faults.rate500)} 500s, seed ${workload.seed}.`,
    '',
    `| figure | ${automatic.concurrency === 'auto' ? 'automatic concurrency' : `\`--concurrency ${automatic.concurrency}\``} | ${serial === undefined ? '' : '`--concurrency 1`'} |`,
    '| --- | ---: | ---: |',
    ...figureRows(automatic, serial),
    ...(report.speedUp === undefined ? [] : [`| **speed-up over \`--concurrency 1\`** | **${report.speedUp.toFixed(1)}×** | |`]),
    ...(report.storeScan === undefined ? [] : [storeRow(report.storeScan)]),
    '',
    ...steadyTable(automatic, workload),
    '',
    // With the default wait (one interval) an immediate 429's pause ends about when the next paced
    // start was due anyway, so the bound below says nothing; it matters for long waits.
    ...(workload.injectedRetryAfterMs === undefined
      ? []
      : [
          `Ceiling for a client that honours every Retry-After: ${fixed(report.retryAfterCeiling, 3)} of the limit ` +
            `(each injected 429 stops its provider for T = ${describePause(workload)}: a provider of rate r sends at most 1 / (1 + p·r·T) of it).`,
        ]),
    'Wall time is measured from the daemon\'s first progress record to its run summary; the process wall time adds start-up and exit.',
    '',
    `Reproduce: \`${report.command}\``,
  ];
  return lines.join('\n');
}

function figureRows(main: WorkloadFigures, serial: WorkloadFigures | undefined): string[] {
  const rows: [string, (figures: WorkloadFigures) => string][] = [
    ['conversations saved', (f) => `${f.saved} / ${f.target}`],
    ['wall time (process wall time)', (f) => `${fixed(f.runSeconds, 1)} s (${fixed(f.processSeconds, 1)} s)`],
    ['requests per conversation', (f) => fixed(f.requestsPerConversation, 2)],
    ['theoretical limit (Σ rates ÷ requests per conversation)', (f) => `${fixed(f.limitPerSecond, 3)} conv/s`],
    ['achieved', (f) => `${fixed(f.conversationsPerSecond, 3)} conv/s`],
    ['**ratio**, whole run', (f) => `**${fixed(f.ratio, 3)}**`],
    ['ratio, steady state (requests sent ÷ Σ rates, from the 10 % to the 90 % save)', (f) => (f.steady === undefined ? '–' : fixed(f.steady.requestUtilization, 3))],
    ['the same, outside Retry-After pauses', (f) => (f.steady === undefined ? '–' : fixed(f.steady.utilizationOutsidePauses, 3))],
    ['429s caused by our pacing', (f) => String(f.pacing429s)],
    ['injected faults (429 / 500)', (f) => `${f.injected429s} / ${f.injected500s}`],
    ['retries', (f) => String(f.retries)],
    ['conversations discarded', (f) => String(Object.values(f.discarded).reduce((sum, count) => sum + count, 0))],
    ['labelled invalid / spares stopped at the target', (f) => `${f.invalid} / ${f.surplus}`],
    ['peak conversations in flight', (f) => String(f.peakInFlight)],
    ['conversation latency p50 / p95', (f) => `${seconds(f.latencyP50Ms)} / ${seconds(f.latencyP95Ms)}`],
    ['CPU per conversation (daemon, user + system)', (f) => (f.cpuMsPerConversation === null ? '–' : `${fixed(f.cpuMsPerConversation, 1)} ms`)],
    ['peak RSS (daemon)', (f) => (f.peakRssMb === null ? '–' : `${fixed(f.peakRssMb, 0)} MB`)],
    ['first request sent, from spawning the daemon', (f) => (f.firstRequestMs === null ? '–' : `${fixed(f.firstRequestMs, 0)} ms`)],
  ];
  return rows.map(([label, value]) => `| ${label} | ${value(main)} | ${serial === undefined ? '' : value(serial)} |`);
}

function steadyTable(figures: WorkloadFigures, workload: Workload): string[] {
  const steady = figures.steady;
  if (steady === undefined) return [];
  return [
    `Steady state of the main run (saves ${steady.fromSave}–${steady.toSave}, ${fixed(steady.seconds, 1)} s), per provider, from the requests the emulator received:`,
    '',
    '| provider | rate | requests | sent ÷ quota | Retry-After pauses | other idle | mean gap when paced |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...steady.providers.map(
      (provider) =>
        `| ${provider.provider} | ${workload.rates[provider.provider]}/s | ${provider.requests} | ${fixed(provider.utilization, 3)} | ` +
        `${provider.pauses} (${fixed(provider.pausedMs / 1000, 1)} s) | ${fixed(provider.otherIdleMs / 1000, 1)} s | ` +
        `${provider.meanPacedGapMs === null ? '–' : `${fixed(provider.meanPacedGapMs, 1)} ms`} (interval ${fixed(1000 / workload.rates[provider.provider], 0)} ms) |`,
    ),
  ];
}

function storeRow(scan: StoreScanFigures): string {
  const counted = scan.counted === scan.conversations ? '' : ` (counted ${scan.counted}!)`;
  return (
    `| store start-up scan: \`ConversationStore.open\` on ${scan.conversations.toLocaleString('en')} saved conversations ` +
    `(${fixed(scan.megabytes, 0)} MB) | ${fixed(scan.firstOpenMs, 0)} ms (median ${fixed(scan.medianOpenMs, 0)} ms)${counted} | |`
  );
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10} %`;
}

function seconds(ms: number | null): string {
  return ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`;
}

function describePause(workload: Workload): string {
  return workload.injectedRetryAfterMs === undefined
    ? 'one request interval, as a real limiter answers'
    : `${workload.injectedRetryAfterMs} ms`;
}
