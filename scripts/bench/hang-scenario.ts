/**
 * Issue 9 §2, measured: the same workload run by the real daemon with and without 1 % of requests
 * hung (accepted, never answered) and, separately, 1 % of streams stalled mid-reply. Before the
 * daemon timed out on silence, 60 conversations took 336 s with hangs instead of 34 s. A
 * measurement, not a test: it prints figures and asserts nothing.
 *
 *   npx tsx scripts/bench/hang-scenario.ts [--conversations 100] [--seed 1] [--fault-rate 0.01] [--no-stalls] [--json]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { computeFigures } from './figures.js';
import { runWorkload } from './run-workload.js';
import { DEFAULT_WORKLOAD, providersOf, type Workload } from './workload.js';

export interface HangScenarioOptions {
  /** @default 100 */
  readonly conversations?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Share of requests hung (and, in the third run, stalled). @default 0.01 */
  readonly faultRate?: number;
  /** Also run with mid-stream stalls. @default true */
  readonly stalls?: boolean;
  /** `timeout_ms` of every provider: the built-in default, as the user who filed the issue had it. @default 120_000 */
  readonly timeoutMs?: number;
  /** Where progress lines go. @default stderr */
  readonly progress?: (message: string) => void;
}

export interface HangScenarioRun {
  readonly label: string;
  readonly fault: 'none' | 'hang' | 'stall';
  readonly exitCode: number | null;
  readonly target: number;
  readonly saved: number;
  /** Conversations given up on (every reason), from the daemon's last progress record. */
  readonly discarded: number;
  /** Requests the emulator hung or stalled on purpose. */
  readonly injected: number;
  /** Failed requests the daemon retried (the injected 429s and 500s of the workload included). */
  readonly retries: number;
  /** From the daemon's first progress record to its summary: the generation itself. */
  readonly runSeconds: number;
  /** From spawn to exit. */
  readonly processSeconds: number;
  /** runSeconds ÷ the run without hangs (target: at most 1.3). */
  readonly ratio: number;
  /** The daemon's CPU time (start-up included) per saved conversation. */
  readonly cpuMsPerConversation: number | null;
}

export interface HangScenarioFigures {
  readonly conversations: number;
  readonly faultRate: number;
  readonly timeoutMs: number;
  readonly workload: Workload;
  readonly runs: readonly HangScenarioRun[];
}

/** Runs the workload without faults of its own, then with hangs, then (optionally) with stalls. */
export async function runHangScenario(options: HangScenarioOptions = {}): Promise<HangScenarioFigures> {
  const conversations = options.conversations ?? 100;
  const faultRate = options.faultRate ?? 0.01;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const progress = options.progress ?? ((message: string) => void process.stderr.write(`[hang scenario] ${message}\n`));
  const base: Workload = { ...DEFAULT_WORKLOAD, seed: options.seed ?? DEFAULT_WORKLOAD.seed, timeoutMs };
  const plans: { label: string; fault: HangScenarioRun['fault']; workload: Workload }[] = [
    { label: 'without hangs', fault: 'none', workload: base },
    { label: `${percent(faultRate)} hung`, fault: 'hang', workload: { ...base, faults: { ...base.faults, rateHang: faultRate } } },
  ];
  if (options.stalls ?? true) {
    plans.push({ label: `${percent(faultRate)} stalled mid-stream`, fault: 'stall', workload: { ...base, faults: { ...base.faults, rateStall: faultRate } } });
  }
  const runs: HangScenarioRun[] = [];
  for (const plan of plans) {
    progress(`${plan.label}: ${conversations} conversations…`);
    const run = await runWorkload(plan.workload, { target: conversations });
    const figures = computeFigures(run, plan.workload);
    const injected = providersOf(plan.workload).reduce(
      (sum, provider) => sum + (plan.fault === 'none' ? 0 : run.counters[provider].injected[plan.fault]),
      0,
    );
    const baseline = runs[0]?.runSeconds ?? figures.runSeconds;
    runs.push({
      label: plan.label,
      fault: plan.fault,
      exitCode: figures.exitCode,
      target: conversations,
      saved: figures.saved,
      discarded: Object.values(figures.discarded).reduce((sum, count) => sum + count, 0),
      injected,
      retries: figures.retries,
      runSeconds: figures.runSeconds,
      processSeconds: figures.processSeconds,
      ratio: figures.runSeconds / baseline,
      cpuMsPerConversation: figures.cpuMsPerConversation,
    });
    if (figures.exitCode !== 0) progress(`the daemon exited with ${String(figures.exitCode)}; its last output:\n${run.exit.outputTail.slice(-3000)}`);
  }
  return { conversations, faultRate, timeoutMs, workload: base, runs };
}

/** The figures as a Markdown table. */
export function formatHangScenario(figures: HangScenarioFigures): string {
  const { workload } = figures;
  const rates = providersOf(workload).map((provider) => `${provider} ${workload.rates[provider]}`).join(', ');
  const rows = figures.runs.map(
    (run) =>
      `| ${run.label} | ${run.saved} / ${run.target} | ${run.discarded} | ${run.injected} | ${run.retries} | ` +
      `${run.runSeconds.toFixed(1)} s | ${run.processSeconds.toFixed(1)} s | ${run.fault === 'none' ? '1 (baseline)' : `**${run.ratio.toFixed(2)}×**`} | ` +
      `${run.cpuMsPerConversation === null ? '–' : `${run.cpuMsPerConversation.toFixed(1)} ms`} |`,
  );
  return [
    `Hang scenario: ${figures.conversations} conversations, ${rates} requests/s, log-normal latency (median ${workload.latency.medianMs} ms, ` +
      `σ ${workload.latency.sigma}), ${percent(workload.faults.rate429)} 429s and ${percent(workload.faults.rate500)} 500s in every run, ` +
      `timeout_ms ${figures.timeoutMs}, seed ${workload.seed}. Target: with faults at most 1.3× the time, nothing lost.`,
    '',
    '| run | saved | discarded | injected | retries | run wall time | process wall time | ratio | daemon CPU per conversation |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

function percent(probability: number): string {
  return `${Number((probability * 100).toPrecision(3))} %`;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      conversations: { type: 'string' },
      seed: { type: 'string' },
      'fault-rate': { type: 'string' },
      'no-stalls': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const number = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));
  const figures = await runHangScenario({
    conversations: number(values.conversations),
    seed: number(values.seed),
    faultRate: number(values['fault-rate']),
    stalls: !values['no-stalls'],
  });
  process.stdout.write(values.json ? `${JSON.stringify(figures, null, 2)}\n` : `${formatHangScenario(figures)}\n`);
  return figures.runs.every((run) => run.exitCode === 0) ? 0 : 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
