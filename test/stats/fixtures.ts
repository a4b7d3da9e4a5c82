import type { ProgressRecord, ProviderProgress } from '../../src/stats/progress-record.js';
import type { RunStatus } from '../../src/stats/status-schema.js';

/** A provider entry with every counter at zero, to override per test. */
export function providerProgress(overrides: Partial<ProviderProgress> = {}): ProviderProgress {
  return {
    conversations: 0,
    requests: 0,
    inFlight: 0,
    successes: 0,
    rateLimited: 0,
    errors: 0,
    aborted: 0,
    retries: 0,
    latency: { meanMs: null, p50Ms: null, p95Ms: null, samples: 0 },
    tokens: { input: 0, output: 0 },
    cost: null,
    state: { status: 'active' },
    ...overrides,
  };
}

/** The example from the brief: 1500/5000, two providers, one cooling down. */
export function progressRecord(overrides: Partial<ProgressRecord> = {}): ProgressRecord {
  return {
    at: '2026-11-22T03:00:00.000Z',
    saved: 1500,
    target: 5000,
    percent: 30,
    savedThisRun: 1500,
    started: 1512,
    inFlight: 12,
    rate: { overallPerHour: 850, recentPerHour: 910, recentWindowSeconds: 600 },
    etaSeconds: 14_760,
    elapsedSeconds: 6353,
    providers: {
      together: providerProgress({
        conversations: 650,
        requests: 2700,
        successes: 2690,
        rateLimited: 3,
        latency: { meanMs: 2500, p50Ms: 2400, p95Ms: 4100, samples: 512 },
        state: { status: 'cooling_down', until: '2026-11-22T03:00:40.000Z', reason: '429 Retry-After 40' },
      }),
      mistral: providerProgress({
        conversations: 850,
        requests: 3400,
        successes: 3400,
        latency: { meanMs: 2000, p50Ms: 1900, p95Ms: 3300, samples: 512 },
      }),
    },
    models: {},
    toolCalls: {},
    discarded: {},
    tokens: { input: 0, output: 0 },
    cost: null,
    ...overrides,
  };
}

export function runStatus(overrides: Partial<RunStatus> = {}): RunStatus {
  return {
    ...progressRecord(),
    pid: 4242,
    startedAt: '2026-11-22T01:14:07.000Z',
    updatedAt: '2026-11-22T03:00:00.000Z',
    progressIntervalMs: 30_000,
    state: 'running',
    outputPath: 'data/trainingData/ada.jsonl',
    logFile: 'data/logs/run-2026-11-22T01-14-07Z.log',
    ...overrides,
  };
}
