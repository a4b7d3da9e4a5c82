/**
 * `npx tsx scripts/bench/ramp-and-tail.ts [--conversations N] [--concurrency N] [--limiter sliding-window] [--fast]`:
 * where a whole run loses quota against its steady state. Runs the main workload (`--fast`: the
 * fast-provider scenario's, 60 + 60 requests/s at 150 ms) once and prints,
 * per 2-second bucket of the run (from the daemon's first progress record to its run summary),
 * the requests the emulator received as a share of Σ rates (and of each provider's rate), the saves, and the conversations in
 * flight the progress records reported; then the time from the first progress record to the first
 * request, from the last request to the run summary, the quota lost in total (Σ over buckets of
 * the requests short of the rates) and in the tail alone (after the last 2 s at ≥ 0.9 of Σ rates).
 * A measurement, not a test.
 */
import { parseArgs } from 'node:util';
import type { LimiterKind } from '../../src/emulator/index.js';
import { computeFigures } from './figures.js';
import { runWorkload } from './run-workload.js';
import { FAST_WORKLOAD } from './saturation-scenario.js';
import { DEFAULT_WORKLOAD, providersOf, totalRate, type Workload } from './workload.js';

const BUCKET_MS = 2_000;

const { values } = parseArgs({
  options: { conversations: { type: 'string' }, concurrency: { type: 'string' }, limiter: { type: 'string' }, fast: { type: 'boolean', default: false } },
});
const workload: Workload = { ...(values.fast ? FAST_WORKLOAD : DEFAULT_WORKLOAD), limiter: (values.limiter as LimiterKind | undefined) ?? 'token-bucket' };
const target = Number(values.conversations ?? 500);
const run = await runWorkload(workload, { target, concurrency: values.concurrency === undefined ? undefined : Number(values.concurrency) });
const figures = computeFigures(run, workload);
const progress = run.logRecords.filter((record) => record.msg === 'progress');
const summary = run.logRecords.find((record) => record.msg === 'run summary');
const startMs = Date.parse(String(progress[0]?.time));
const endMs = Date.parse(String(summary?.time));
const arrivals = providersOf(workload)
  .flatMap((provider) => run.timeline.arrivals[provider].map((at) => run.emulatorOriginMs + at))
  .sort((a, b) => a - b);
const saves = run.conversations.map((line) => Date.parse(line.metadata.timings?.finishedAt ?? '')).filter(Number.isFinite);
const quotaPerBucket = (totalRate(workload) * BUCKET_MS) / 1000;
const buckets = Math.ceil((endMs - startMs) / BUCKET_MS);
const rows: string[] = [];
let lostTotal = 0;
const shares: number[] = [];
for (let index = 0; index < buckets; index += 1) {
  const from = startMs + index * BUCKET_MS;
  const to = Math.min(endMs, from + BUCKET_MS);
  const requests = arrivals.filter((at) => at >= from && at < to).length;
  const quota = (quotaPerBucket * (to - from)) / BUCKET_MS;
  const saved = saves.filter((at) => at >= from && at < to).length;
  const perProvider = providersOf(workload)
    .map((provider) => {
      const count = run.timeline.arrivals[provider].filter((at) => run.emulatorOriginMs + at >= from && run.emulatorOriginMs + at < to).length;
      return (count / ((workload.rates[provider] * (to - from)) / 1000)).toFixed(2);
    })
    .join(' ');
  const inFlight = progress.filter((record) => { const at = Date.parse(String(record.time)); return at >= from && at < to; }).map((record) => record.inFlight);
  lostTotal += Math.max(0, quota - requests);
  shares.push(requests / quota);
  rows.push(`${String(index * 2).padStart(4)} s  ${(requests / quota).toFixed(2)} (${perProvider})  saved ${String(saved).padStart(3)}  in flight ${inFlight.join(',')}`);
}
process.stdout.write(`${rows.join('\n')}\n`);
// The tail: after the last 2 s in which the providers still ran at 0.9 of Σ rates or more.
const lastBusy = shares.reduce((last, share, index) => (share >= 0.9 ? index : last), -1);
const tailLost = shares.slice(lastBusy + 1).reduce((sum, share) => sum + (BUCKET_MS / 1000) * Math.max(0, 1 - share), 0);
process.stdout.write(
  [
    `first progress → first arrival: ${((arrivals[0] ?? Number.NaN) - startMs).toFixed(0)} ms; spawn → first arrival: ${figures.firstRequestMs?.toFixed(0)} ms`,
    `last arrival → run summary: ${(endMs - (arrivals.at(-1) ?? Number.NaN)).toFixed(0)} ms`,
    `run ${figures.runSeconds.toFixed(1)} s, ratio whole run ${figures.ratio.toFixed(3)}, steady ${figures.steady?.requestUtilization.toFixed(3)}, requests ${figures.requests}, pacing 429s ${figures.pacing429s}, peak in flight ${figures.peakInFlight}`,
    `discarded ${JSON.stringify(figures.discarded)}, labelled invalid ${figures.invalid}, spares stopped at the target ${figures.surplus}`,
    `quota lost in total: ${lostTotal.toFixed(0)} requests = ${(lostTotal / totalRate(workload)).toFixed(1)} s of Σ rates`,
    `tail (after the last 2 s at ≥ 0.9 of Σ rates): ${((shares.length - lastBusy - 1) * BUCKET_MS) / 1000} s long, ${tailLost.toFixed(1)} s of Σ rates lost`,
    'the last conversations to finish (seconds from the first progress record):',
    ...lastToFinish(8),
  ].join('\n') + '\n',
);

/** Who the tail waits on: each of the last `count` saves' start, end, turns, requests and retries. */
function lastToFinish(count: number): string[] {
  return run.conversations
    .map((line) => line.metadata)
    .filter((metadata) => metadata.timings?.finishedAt !== undefined)
    .sort((a, b) => Date.parse(a.timings?.finishedAt ?? '') - Date.parse(b.timings?.finishedAt ?? ''))
    .slice(-count)
    .map((metadata) => {
      const at = (iso: string | undefined) => ((Date.parse(iso ?? '') - startMs) / 1000).toFixed(1).padStart(6);
      const requests = Object.entries(metadata.requests ?? {}).map(([role, n]) => `${role} ${n}`).join(', ');
      const retries = metadata.retries?.length ?? 0;
      const switches = metadata.providerSwitches?.length ?? 0;
      return `  ${at(metadata.timings?.startedAt)} → ${at(metadata.timings?.finishedAt)}  ${String(metadata.turns)} turns, ${requests}; ${retries} retries, ${switches} switches`;
    });
}
