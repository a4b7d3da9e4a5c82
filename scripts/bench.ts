/**
 * `npm run bench`: the real daemon against the emulator, in one process tree. Prints how close
 * generation comes to the providers' theoretical limit (issue 4), the same workload one
 * conversation at a time (the original tool), and the store's start-up scan (issue 5); then the
 * scenarios of the night as it really goes (issue 9): strict limiters, hung requests, fast providers.
 * A measurement, not a test: it asserts nothing.
 */
import { BENCH_HELP, parseBenchOptions, type BenchOptions } from './bench/bench-options.js';
import { computeFigures } from './bench/figures.js';
import { describeMachine, formatMarkdown, type BenchReport } from './bench/report.js';
import { runWorkload } from './bench/run-workload.js';
import { measureStoreScan } from './bench/store-scan.js';
import { DEFAULT_WORKLOAD, retryAfterCeiling, type Workload } from './bench/workload.js';
import { runScenarios } from './bench/scenarios.js';

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${BENCH_HELP}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(BENCH_HELP);
    return 0;
  }
  const workload: Workload = {
    ...DEFAULT_WORKLOAD,
    seed: options.seed,
    faults: { rate429: options.rate429, rate500: options.rate500 },
    injectedRetryAfterMs: options.injectedRetryAfterMs,
  };
  const date = new Date().toISOString();

  const concurrency = options.concurrency === undefined ? 'automatic concurrency' : `--concurrency ${options.concurrency}`;
  progress(`${concurrency}: ${options.conversations} conversations (a few minutes)…`);
  const automaticRun = await runWorkload(workload, { target: options.conversations, concurrency: options.concurrency });
  if (!reachedTarget(automaticRun.exit.code, automaticRun.conversations.length, options.conversations, automaticRun.exit.outputTail)) return 1;
  const automatic = computeFigures(automaticRun, workload);

  let serial;
  if (options.serialConversations > 0) {
    progress(`--concurrency 1: ${options.serialConversations} conversations (one at a time, slow)…`);
    const serialRun = await runWorkload(workload, { target: options.serialConversations, concurrency: 1 });
    if (!reachedTarget(serialRun.exit.code, serialRun.conversations.length, options.serialConversations, serialRun.exit.outputTail)) return 1;
    serial = computeFigures(serialRun, workload);
  }

  let storeScan;
  if (options.storeConversations > 0 && automaticRun.sampleLine !== undefined) {
    progress(`store start-up scan: writing ${options.storeConversations} conversations and opening them…`);
    storeScan = await measureStoreScan(automaticRun.sampleLine, options.storeConversations);
  }

  const report: BenchReport = {
    date,
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
    machine: describeMachine(),
    workload,
    retryAfterCeiling: retryAfterCeiling(workload),
    automatic,
    serial,
    speedUp: serial === undefined ? undefined : automatic.conversationsPerSecond / serial.conversationsPerSecond,
    storeScan,
  };
  if (!options.json) process.stdout.write(`${formatMarkdown(report)}\n`);
  const scenarios = await runScenarios(options, progress);
  if (options.json) process.stdout.write(`${JSON.stringify({ ...report, scenarios: scenarios.figures }, null, 2)}\n`);
  else if (scenarios.markdown.length > 0) process.stdout.write(`\n${scenarios.markdown.join('\n\n')}\n`);
  return 0;
}

/** Figures of a run that failed would mislead; say why instead. */
function reachedTarget(code: number | null, saved: number, target: number, outputTail: string): boolean {
  if (code === 0 && saved === target) return true;
  process.stderr.write(`the daemon exited with ${String(code)} after saving ${saved} of ${target}; its last output:\n${outputTail}\n`);
  return false;
}

/** Progress goes to stderr so `--json` output stays machine-readable. */
function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

process.exitCode = await main(process.argv.slice(2));
