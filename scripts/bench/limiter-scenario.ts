/**
 * The strict-limiter scenario (issue 9 §3): the real daemon against the emulator enforcing the
 * bench's rates with a strict sliding window counting arrivals, and with the token bucket, and
 * how each run fares: the share of requests refused because our own pacing sent them too early,
 * and the ratio to the limit over the whole run. A measurement, not a test: it asserts nothing.
 *
 * Standalone: `npx tsx scripts/bench/limiter-scenario.ts [--quick] [--conversations N]
 * [--concurrency N] [--seed N] [--limiter sliding-window|token-bucket] [--pacing-margin-ms N] [--json]`.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { ProviderPace } from '../../src/core/types.js';
import type { LimiterKind } from '../../src/emulator/index.js';
import { computeFigures, type WorkloadFigures } from './figures.js';
import { runWorkload } from './run-workload.js';
import { DEFAULT_WORKLOAD, providersOf, type Workload } from './workload.js';

export interface LimiterScenarioOptions {
  /** @default 500 */
  readonly conversations?: number;
  /** `--concurrency` of the daemon; undefined leaves it automatic. */
  readonly concurrency?: number;
  /** @default 1 */
  readonly seed?: number;
  /** `pacing_margin_ms` for every provider, to compare the learned margin with a manual one. @default none */
  readonly pacingMarginMs?: number;
  /** @default both, sliding window first */
  readonly limiters?: readonly LimiterKind[];
  /** Called before each run, e.g. to print progress. */
  readonly onRun?: (limiter: LimiterKind, conversations: number) => void;
}

export interface LimiterRun {
  readonly limiter: LimiterKind;
  /** 429s from the emulator's limiter (not the injected ones) ÷ every request it received. Target ≤ 1 %. */
  readonly pacing429Share: number;
  /** Conversations per second ÷ the theoretical limit, whole run. Target ≥ 0.95 (sliding window), ≥ 0.96 (token bucket). */
  readonly ratio: number;
  readonly target: number;
  readonly figures: WorkloadFigures;
  /** Each provider's pace in the daemon's last progress record: where the learned margin settled. */
  readonly finalPaces: Readonly<Record<string, ProviderPace | undefined>>;
}

export const LIMITER_TARGETS: Readonly<Record<LimiterKind, { readonly pacing429Share: number; readonly ratio: number }>> = {
  'sliding-window': { pacing429Share: 0.01, ratio: 0.95 },
  'token-bucket': { pacing429Share: 0.01, ratio: 0.96 },
};

/** Runs the daemon once per limiter, on the bench's workload (8/8/4 requests/s, 800 ms median, its faults). */
export async function runLimiterScenario(options: LimiterScenarioOptions = {}): Promise<LimiterRun[]> {
  const target = options.conversations ?? 500;
  const runs: LimiterRun[] = [];
  for (const limiter of options.limiters ?? (['sliding-window', 'token-bucket'] as const)) {
    const workload: Workload = { ...DEFAULT_WORKLOAD, seed: options.seed ?? DEFAULT_WORKLOAD.seed, limiter, pacingMarginMs: options.pacingMarginMs };
    options.onRun?.(limiter, target);
    const run = await runWorkload(workload, { target, concurrency: options.concurrency });
    if (run.exit.code !== 0 || run.conversations.length !== target) {
      throw new Error(
        `the daemon exited with ${String(run.exit.code)} after saving ${run.conversations.length} of ${target} ` +
          `(${limiter}); its last output:\n${run.exit.outputTail}`,
      );
    }
    const figures = computeFigures(run, workload);
    const lastProgress = run.logRecords.filter((record) => record.msg === 'progress').at(-1) as
      | { providers?: Record<string, { pace?: ProviderPace }> }
      | undefined;
    const finalPaces = Object.fromEntries(Object.entries(lastProgress?.providers ?? {}).map(([name, provider]) => [name, provider.pace]));
    runs.push({ limiter, pacing429Share: figures.pacing429s / figures.requests, ratio: figures.ratio, target, figures, finalPaces });
  }
  return runs;
}

/** A Markdown table of the runs, with the targets next to the figures. */
export function formatLimiterScenario(runs: readonly LimiterRun[], concurrency: number | undefined): string {
  const rates = providersOf(DEFAULT_WORKLOAD).map((provider) => `${provider} ${DEFAULT_WORKLOAD.rates[provider]}`).join(', ');
  const lines = [
    `Strict limiters: ${runs[0]?.target ?? 0} conversations, ${rates} requests/s (configured = enforced), ` +
      `median latency ${DEFAULT_WORKLOAD.latency.medianMs} ms, injected ${DEFAULT_WORKLOAD.faults.rate429 * 100} % 429s and ` +
      `${DEFAULT_WORKLOAD.faults.rate500 * 100} % 500s, ${concurrency === undefined ? 'automatic concurrency' : `--concurrency ${concurrency}`}.`,
    '',
    '| limiter | requests | 429s caused by our pacing | share (target) | ratio to the limit, whole run (target) | achieved | steady state | peak in flight | learned margin at the end |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...runs.map((run): string => {
      const goal = LIMITER_TARGETS[run.limiter];
      const steady = run.figures.steady === undefined ? '–' : run.figures.steady.requestUtilization.toFixed(3);
      return (
        `| ${run.limiter} | ${run.figures.requests} | ${run.figures.pacing429s} | ${percent(run.pacing429Share)} (≤ ${percent(goal.pacing429Share)}) | ` +
        `${run.ratio.toFixed(3)} (≥ ${goal.ratio}) | ${run.figures.conversationsPerSecond.toFixed(3)} conv/s | ${steady} | ` +
        `${run.figures.peakInFlight} | ${describeMargins(run.finalPaces)} |`
      );
    }),
    '',
    // The limit counts every request the emulator received, refused ones too: a run that draws
    // many 429s has a lower limit to be measured against, so compare achieved conv/s as well.
    'The limit is Σ rates ÷ requests per conversation, refused requests included; "achieved" is conversations per second.',
  ];
  return lines.join('\n');
}

function describeMargins(paces: Readonly<Record<string, ProviderPace | undefined>>): string {
  const margins = Object.entries(paces)
    .filter((entry): entry is [string, ProviderPace] => entry[1] !== undefined)
    .map(([name, pace]) => `${name} ${pace.marginMs} ms`);
  return margins.length === 0 ? '–' : margins.join(', ');
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} %`;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      conversations: { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
      limiter: { type: 'string' },
      'pacing-margin-ms': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const whole = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${flag} expects a whole number of at least 1, got "${text}"`);
    return value;
  };
  const concurrency = whole('concurrency', values.concurrency);
  const limiter = values.limiter as LimiterKind | undefined;
  const runs = await runLimiterScenario({
    conversations: whole('conversations', values.conversations) ?? (values.quick ? 100 : 500),
    concurrency,
    seed: whole('seed', values.seed),
    pacingMarginMs: values['pacing-margin-ms'] === undefined ? undefined : Number(values['pacing-margin-ms']),
    limiters: limiter === undefined ? undefined : [limiter],
    onRun: (kind, conversations) =>
      process.stderr.write(`[limiter scenario ${new Date().toISOString().slice(11, 19)}] ${kind}: ${conversations} conversations…\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(runs, null, 2)}\n` : `${formatLimiterScenario(runs, concurrency)}\n`);
  return 0;
}

// Run only as a script, so `npm run bench` can import the scenario without running it.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
