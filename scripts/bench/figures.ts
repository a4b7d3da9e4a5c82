import type { LogRecord } from './daemon-process.js';
import type { WorkloadRun } from './run-workload.js';
import { analyseWindow, percentile, type ProviderWindow } from './steady-state.js';
import { injectedPauseMs, providersOf, totalRate, type BenchProvider as BenchProviderName, type Workload } from './workload.js';

/** Saves between these fractions of the run form its steady state (start-up ramp and tail left out). */
const STEADY_FROM = 0.1;
const STEADY_TO = 0.9;

export interface SteadyState {
  readonly fromSave: number;
  readonly toSave: number;
  readonly seconds: number;
  /**
   * Saves in the window per second. Skewed while the number in flight changes (the first saves
   * of the window finish conversations begun before it), so the table shows requestUtilization.
   */
  readonly conversationsPerSecond: number;
  /** conversationsPerSecond ÷ the limit. */
  readonly ratio: number;
  /** Requests the emulator saw in the window ÷ (Σ rates × window): the steady-state ratio. */
  readonly requestUtilization: number;
  /** The same, with the time each provider was paused by Retry-After taken out of its quota. */
  readonly utilizationOutsidePauses: number;
  readonly providers: readonly ProviderWindow[];
}

export interface WorkloadFigures {
  readonly target: number;
  readonly concurrency: number | 'auto';
  readonly exitCode: number | null;
  readonly saved: number;
  /** From the daemon's first progress record to its run summary: the generation itself. */
  readonly runSeconds: number;
  /** From spawn to exit: adds Node start-up, module loading, opening the store, the final flush. */
  readonly processSeconds: number;
  /** Every request the emulator received (faults and retries included). */
  readonly requests: number;
  readonly requestsPerConversation: number;
  /** Σ rates ÷ requests per conversation. */
  readonly limitPerSecond: number;
  /** saved ÷ runSeconds. */
  readonly conversationsPerSecond: number;
  readonly ratio: number;
  readonly steady: SteadyState | undefined;
  /** 429s from the emulator's rate limiter: requests our pacing sent too early. */
  readonly pacing429s: number;
  readonly injected429s: number;
  readonly injected500s: number;
  /** Failed requests the daemon retried, from its final progress record. */
  readonly retries: number;
  readonly discarded: Readonly<Record<string, number>>;
  /** Labelled invalid (kept in the invalid file, not counted), and spares stopped when the target was reached. */
  readonly invalid: number;
  readonly surplus: number;
  /** The most conversations in flight in any progress record. */
  readonly peakInFlight: number;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  readonly cpuMsPerConversation: number | null;
  readonly peakRssMb: number | null;
  /** From spawning the daemon to the emulator's first arrival, in ms: start-up as a user waits for it. */
  readonly firstRequestMs: number | null;
  /** Arrivals lost between two polls of the emulator (0 unless the benchmark process stalled). */
  readonly missedArrivals: number;
}

export function computeFigures(run: WorkloadRun, workload: Workload): WorkloadFigures {
  const records = run.logRecords;
  const progress = records.filter((record) => record.msg === 'progress');
  const summary = records.find((record) => record.msg === 'run summary');
  const usage = records.find((record) => record.msg === 'resource usage');
  const saved = run.conversations.length;
  const runSeconds = secondsBetween(progress[0], summary) ?? run.exit.processWallMs / 1000;
  const providers = providersOf(workload);
  const requests = providers.reduce((sum, provider) => sum + run.counters[provider].requests, 0);
  const requestsPerConversation = saved === 0 ? Number.NaN : requests / saved;
  const limitPerSecond = totalRate(workload) / requestsPerConversation;
  const conversationsPerSecond = saved / runSeconds;
  const durations = run.conversations.map((conversation) => conversation.metadata.timings?.durationMs ?? Number.NaN).filter(Number.isFinite);
  const lastProgress = progress.at(-1) as
    | { providers?: Record<string, { retries?: number }>; discarded?: Record<string, number>; invalid?: number; surplus?: number }
    | undefined;
  return {
    target: run.target,
    concurrency: run.concurrency ?? 'auto',
    exitCode: run.exit.code,
    saved,
    runSeconds,
    processSeconds: run.exit.processWallMs / 1000,
    requests,
    requestsPerConversation,
    limitPerSecond,
    conversationsPerSecond,
    ratio: conversationsPerSecond / limitPerSecond,
    steady: steadyState(run, workload, limitPerSecond),
    pacing429s: providers.reduce((sum, provider) => sum + run.counters[provider].rateLimited, 0),
    injected429s: providers.reduce((sum, provider) => sum + run.counters[provider].injected['429'], 0),
    injected500s: providers.reduce((sum, provider) => sum + run.counters[provider].injected['500'], 0),
    retries: Object.values(lastProgress?.providers ?? {}).reduce((sum, provider) => sum + (provider.retries ?? 0), 0),
    discarded: lastProgress?.discarded ?? {},
    invalid: lastProgress?.invalid ?? 0,
    surplus: lastProgress?.surplus ?? 0,
    peakInFlight: Math.max(0, ...progress.map((record) => Number(record.inFlight) || 0)),
    latencyP50Ms: percentile(durations, 0.5),
    latencyP95Ms: percentile(durations, 0.95),
    cpuMsPerConversation: usage === undefined || saved === 0 ? null : (Number(usage.cpuUserMs) + Number(usage.cpuSystemMs)) / saved,
    peakRssMb: usage === undefined ? null : Number(usage.maxRssKb) / 1024,
    firstRequestMs: firstRequestMs(run, providers),
    missedArrivals: run.timeline.missed,
  };
}

/** The window between the 10 % and the 90 % save, from the output's finishing times. */
function steadyState(run: WorkloadRun, workload: Workload, limitPerSecond: number): SteadyState | undefined {
  const finished = run.conversations
    .map((conversation) => Date.parse(conversation.metadata.timings?.finishedAt ?? conversation.metadata.createdAt ?? ''))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const fromIndex = Math.floor(STEADY_FROM * finished.length);
  const toIndex = Math.ceil(STEADY_TO * finished.length) - 1;
  const from = finished[fromIndex];
  const to = finished[toIndex];
  if (from === undefined || to === undefined || to <= from) return undefined;
  const seconds = (to - from) / 1000;
  const conversationsPerSecond = (toIndex - fromIndex) / seconds;
  const window = { startMs: from - run.emulatorOriginMs, endMs: to - run.emulatorOriginMs };
  const providers = providersOf(workload).map((provider) =>
    analyseWindow(run.timeline.arrivals[provider], provider, workload.rates[provider], window, injectedPauseMs(workload, workload.rates[provider])),
  );
  const requests = providers.reduce((sum, provider) => sum + provider.requests, 0);
  const quota = providers.reduce((sum, provider) => sum + (workload.rates[provider.provider] * seconds), 0);
  const quotaOutsidePauses = providers.reduce(
    (sum, provider) => sum + (workload.rates[provider.provider] * (seconds * 1000 - provider.pausedMs)) / 1000,
    0,
  );
  return {
    fromSave: fromIndex + 1,
    toSave: toIndex + 1,
    seconds,
    conversationsPerSecond,
    ratio: conversationsPerSecond / limitPerSecond,
    requestUtilization: requests / quota,
    utilizationOutsidePauses: requests / quotaOutsidePauses,
    providers,
  };
}

function secondsBetween(first: LogRecord | undefined, last: LogRecord | undefined): number | undefined {
  const start = Date.parse(String(first?.time));
  const end = Date.parse(String(last?.time));
  return Number.isFinite(start) && Number.isFinite(end) && end > start ? (end - start) / 1000 : undefined;
}

/** The emulator's first arrival, on the daemon's spawn clock. */
function firstRequestMs(run: WorkloadRun, providers: readonly BenchProviderName[]): number | null {
  const first = Math.min(...providers.map((provider) => run.timeline.arrivals[provider][0] ?? Number.POSITIVE_INFINITY));
  return Number.isFinite(first) ? run.emulatorOriginMs + first - run.exit.spawnedAtMs : null;
}
