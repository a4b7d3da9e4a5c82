/**
 * Keeping every provider busy at any rate and latency (issue 9 §4): the real daemon, with its
 * automatic concurrency, on a fast paid-tier-like setup (two providers at 60 requests/s, 150 ms
 * median latency), where the time a conversation spends between requests is no longer small
 * next to the latency. The 8/8/4-at-800-ms case is the bench's main run. A measurement, not a
 * test: it asserts nothing.
 *
 * Standalone: `npx tsx scripts/bench/saturation-scenario.ts [--conversations N] [--provider-threads auto|on|off] [--json]`
 * (the daemon's own `auto` gives this workload threads: 120 requests/s in all).
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { computeFigures, type WorkloadFigures } from './figures.js';
import { runWorkload } from './run-workload.js';
import { DEFAULT_WORKLOAD, providersOf, type Workload } from './workload.js';

/** Two providers at 60 requests/s, 150 ms median latency, the bench's injected faults. */
export const FAST_WORKLOAD: Workload = Object.freeze({
  ...DEFAULT_WORKLOAD,
  rates: Object.freeze({ mistral: 60, together: 60, huggingface: 0 }),
  latency: Object.freeze({ medianMs: 150, sigma: 0.5 }),
  // A paid tier's token limit, not the free tier's 500,000 a minute that Mistral's default assumes:
  // at 60 requests/s of about 600 tokens that default alone would hold Mistral near 14 requests/s,
  // and the run would measure the token limit, not whether the daemon keeps the request rate busy.
  tokensPerMinute: Object.freeze({ mistral: 10_000_000 }),
});

/** Target of the whole-run ratio to the limit (issue 9 §4). */
export const SATURATION_TARGET = 0.95;

export async function runSaturationScenario(
  options: { readonly conversations?: number; readonly seed?: number; readonly providerThreads?: string } = {},
): Promise<WorkloadFigures> {
  const target = options.conversations ?? 1_000;
  const workload: Workload = { ...FAST_WORKLOAD, seed: options.seed ?? FAST_WORKLOAD.seed };
  const daemonArguments = options.providerThreads === undefined ? [] : ['--provider-threads', options.providerThreads];
  const run = await runWorkload(workload, { target, daemonArguments });
  if (run.exit.code !== 0 || run.conversations.length !== target) {
    throw new Error(`the daemon exited with ${String(run.exit.code)} after saving ${run.conversations.length} of ${target}; its last output:\n${run.exit.outputTail}`);
  }
  return computeFigures(run, workload);
}

export function formatSaturationScenario(figures: WorkloadFigures): string {
  const rates = providersOf(FAST_WORKLOAD).map((provider) => `${provider} ${FAST_WORKLOAD.rates[provider]}`).join(', ');
  const steady = figures.steady === undefined ? '–' : figures.steady.requestUtilization.toFixed(3);
  return [
    `Fast providers: ${figures.target} conversations, ${rates} requests/s (configured = enforced), median latency ` +
      `${FAST_WORKLOAD.latency.medianMs} ms, injected ${FAST_WORKLOAD.faults.rate429 * 100} % 429s and ${FAST_WORKLOAD.faults.rate500 * 100} % 500s, automatic concurrency.`,
    '',
    '| ratio to the limit, whole run (target) | steady state | peak in flight | 429s caused by our pacing | CPU per conversation | peak RSS |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${figures.ratio.toFixed(3)} (≥ ${SATURATION_TARGET}) | ${steady} | ${figures.peakInFlight} | ${figures.pacing429s} | ` +
      `${figures.cpuMsPerConversation === null ? '–' : `${figures.cpuMsPerConversation.toFixed(1)} ms`} | ${figures.peakRssMb === null ? '–' : `${figures.peakRssMb.toFixed(0)} MB`} |`,
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: { conversations: { type: 'string' }, 'provider-threads': { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const conversations = values.conversations === undefined ? undefined : Number(values.conversations);
  const figures = await runSaturationScenario({ conversations, providerThreads: values['provider-threads'] });
  process.stdout.write(values.json ? `${JSON.stringify(figures, null, 2)}\n` : `${formatSaturationScenario(figures)}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
