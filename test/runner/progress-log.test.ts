import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorProviderCounters } from '../../src/emulator/index.js';
import type { ProgressRecord, ProviderProgress } from '../../src/stats/index.js';
import { EMULATOR_MODELS, prepareDaemonData, readConversations, readLogRecords, spawnDaemon } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Per million tokens; distinct per model so a cost computed with the wrong model's price shows. */
const PRICES = {
  [EMULATOR_MODELS.tester]: { input_per_million: 1, output_per_million: 2 },
  [EMULATOR_MODELS.assistant]: { input_per_million: 3, output_per_million: 5 },
  [EMULATOR_MODELS.rewriter]: { input_per_million: 7, output_per_million: 11 },
};
const TARGET = 12;
const PROVIDERS = ['mistral', 'together', 'huggingface'] as const;

type LoggedProgress = ProgressRecord & { readonly msg: string; readonly level: number };

describe('the progress record of a real run against the emulator', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  let dataDir: string;
  let exitCode: number | null;
  let output: string;
  let progress: LoggedProgress[];
  let records: Record<string, unknown>[];
  let counters: ReturnType<Emulator['counters']>;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 11, defaults: { latency: { medianMs: 15, sigma: 0.3 } } });
    workspace = makeTempDir();
    dataDir = path.join(workspace.path, 'data');
    // Injected 429s and 500s (retried by the dispatcher) and empty replies (retried once by the
    // pipeline, then discarded) so every counter of the record has something to count.
    const faults = { rate429: 0.04, rate500: 0.06, rateEmptyReply: 0.25 };
    const env = prepareDaemonData(
      dataDir,
      emulator,
      Object.fromEntries(PROVIDERS.map((name) => [name, { requestsPerSecond: 40, emulator: { faults } }])),
      { prices: PRICES },
    );
    const daemon = spawnDaemon(['--target', String(TARGET), '--data-dir', dataDir, '--progress-interval', '0.3', '--turns', '1-2'], {
      cwd: workspace.path,
      env,
    });
    exitCode = (await daemon.exited).code;
    output = daemon.output();
    counters = emulator.counters();
    records = readLogRecords(dataDir);
    progress = records.filter((record) => record.msg === 'progress') as unknown as LoggedProgress[];
  }, 60_000);
  afterAll(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  it('logs progress at start, at every interval and at the end, counting up to the target', () => {
    expect(exitCode, output).toBe(0);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const first = progress[0]!;
    const last = progress.at(-1)!;
    expect(first).toMatchObject({ saved: 0, savedThisRun: 0, target: TARGET, percent: 0, inFlight: 0, etaSeconds: null });
    expect(last).toMatchObject({ saved: TARGET, savedThisRun: TARGET, target: TARGET, percent: 100, inFlight: 0, etaSeconds: 0 });
    for (const [index, record] of progress.entries()) {
      expect(record.level).toBe(30);
      expect(record.percent).toBe(Math.round((record.saved / TARGET) * 1000) / 10);
      const discarded = Object.values(record.discarded).reduce((sum, count) => sum + count, 0);
      // Conversations labelled invalid are finished too: kept beside the output, not in flight; so are spares stopped at the target.
      expect(record.inFlight).toBe(record.started - record.savedThisRun - discarded - (record.invalid ?? 0) - (record.surplus ?? 0));
      if (index > 0) {
        const previous = progress[index - 1]!;
        expect(record.saved).toBeGreaterThanOrEqual(previous.saved);
        expect(Date.parse(record.at)).toBeGreaterThanOrEqual(Date.parse(previous.at));
      }
    }
    const summary = records.find((record) => record.msg === 'run summary');
    expect(summary).toMatchObject({ state: 'finished', stopReason: 'target reached' });
  });

  it('has rates and an ETA that agree with the counts and the elapsed time', () => {
    const moving = progress.filter((record) => record.savedThisRun > 0 && record.saved < TARGET);
    expect(moving.length).toBeGreaterThan(0);
    for (const record of [...moving, progress.at(-1)!]) {
      // elapsedSeconds is rounded to the second; bound the true elapsed time by it ± 0.5 s.
      const elapsedHigh = (record.elapsedSeconds + 0.5) / 3600;
      const elapsedLow = Math.max(1e-9, (record.elapsedSeconds - 0.5) / 3600);
      expect(record.rate.overallPerHour).toBeGreaterThanOrEqual(Math.floor(record.savedThisRun / elapsedHigh) - 1);
      if (record.elapsedSeconds >= 1) expect(record.rate.overallPerHour).toBeLessThanOrEqual(Math.ceil(record.savedThisRun / elapsedLow) + 1);
      // A run shorter than the recent window: every save is recent, so both rates are the same.
      expect(record.rate.recentWindowSeconds).toBe(600);
      expect(record.rate.recentPerHour).toBeCloseTo(record.rate.overallPerHour, 0);
    }
    for (const record of moving) {
      const expected = ((TARGET - record.saved) / record.rate.recentPerHour) * 3600;
      expect(record.etaSeconds).not.toBeNull();
      expect(Math.abs(record.etaSeconds! - expected)).toBeLessThanOrEqual(1);
    }
  });

  it('counts each provider as the emulator saw it: requests, successes, 429s, other errors, retries, tokens', () => {
    const last = progress.at(-1)!;
    expect(Object.keys(last.providers).sort()).toEqual([...PROVIDERS].sort());
    let conversations = 0;
    let retries = 0;
    let rateLimited = 0;
    for (const name of PROVIDERS) {
      const daemon: ProviderProgress = last.providers[name]!;
      const seen: EmulatorProviderCounters = counters[name];
      expect(daemon.inFlight, name).toBe(0);
      // Only spares stopped when the target was reached are aborted. Each such request may be
      // counted differently on the two sides of the race: not yet arrived, or answered (in full,
      // or as a 429 or a 500) as the daemon stopped reading it. Without one, both sides agree exactly.
      const cut = daemon.aborted;
      if (last.surplus === undefined) expect(cut, name).toBe(0);
      const gaps = [
        daemon.requests - seen.requests,
        daemon.successes - seen.ok,
        daemon.rateLimited - (seen.rateLimited + seen.injected['429']),
        daemon.errors - (seen.injected['500'] + seen.badRequests + seen.authFailures),
      ];
      expect(gaps.reduce((sum, gap) => sum + Math.abs(gap), 0), `${name}: ${gaps.join(', ')} with ${cut} aborted`).toBeLessThanOrEqual(2 * cut);
      if (cut === 0) expect(daemon.tokens, name).toEqual(seen.tokens);
      expect(daemon.state, name).toEqual({ status: 'active' });
      // Every failure here is retryable (429/500) and none exhausted six attempts.
      expect(daemon.retries, name).toBe(daemon.rateLimited + daemon.errors);
      expect(daemon.latency.samples, name).toBe(Math.min(512, daemon.successes));
      expect(daemon.latency.meanMs, name).toBeGreaterThan(0);
      expect(daemon.latency.p95Ms!, name).toBeGreaterThanOrEqual(daemon.latency.p50Ms!);
      // Emulator latency is ~15 ms median, capped at 8× by its sampler; the SDKs add little on localhost.
      expect(daemon.latency.meanMs!, name).toBeLessThan(1_000);
      conversations += daemon.conversations;
      retries += daemon.retries;
      rateLimited += daemon.rateLimited;
    }
    expect(conversations).toBe(TARGET);
    expect(rateLimited).toBeGreaterThan(0);
    expect(retries).toBeGreaterThan(rateLimited);
    const tokens = PROVIDERS.reduce(
      (sum, name) => ({ input: sum.input + counters[name].tokens.input, output: sum.output + counters[name].tokens.output }),
      { input: 0, output: 0 },
    );
    // The run's tokens are its providers' (exactly the emulator's when no request was cut off).
    const summed = Object.values(last.providers).reduce((sum, provider) => ({ input: sum.input + provider.tokens.input, output: sum.output + provider.tokens.output }), { input: 0, output: 0 });
    expect(last.tokens).toEqual(summed);
    if (PROVIDERS.every((name) => last.providers[name]!.aborted === 0)) expect(last.tokens).toEqual(tokens);
  });

  it('counts tool calls by name and discards by reason, as the output and the log show them', () => {
    const last = progress.at(-1)!;
    const saved = readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl'));
    expect(saved).toHaveLength(TARGET);
    const expectedTools: Record<string, { ok: number; failed: number }> = {};
    // Conversations labelled invalid made their calls too, and count with the saved ones.
    const invalidConversations = readConversations(path.join(dataDir, 'trainingData', 'conversations_invalid.jsonl'));
    for (const conversation of [...saved, ...invalidConversations]) {
      for (const call of conversation.metadata.toolCalls as { name: string; ok: boolean }[]) {
        const counts = (expectedTools[call.name] ??= { ok: 0, failed: 0 });
        if (call.ok) counts.ok++;
        else counts.failed++;
      }
    }
    expect(Object.keys(expectedTools).length).toBeGreaterThan(0);
    expect(last.toolCalls).toEqual(expectedTools);

    const discardLines = records.filter((record) => record.msg === 'conversation discarded');
    const expectedDiscards: Record<string, number> = {};
    for (const line of discardLines) expectedDiscards[line.reason as string] = (expectedDiscards[line.reason as string] ?? 0) + 1;
    expect(discardLines.length).toBeGreaterThan(0);
    expect(last.discarded).toEqual(expectedDiscards);
    const invalidFile = path.join(dataDir, 'trainingData', 'conversations_invalid.jsonl');
    const invalidLines = existsSync(invalidFile) ? readFileSync(invalidFile, 'utf8').split('\n').filter((line) => line !== '').length : 0;
    expect(last.invalid ?? 0).toBe(invalidLines);
    // Spares stopped when the target was reached were started too (ConversationRunner#spares).
    expect(last.started).toBe(TARGET + discardLines.length + invalidLines + (last.surplus ?? 0));
  });

  it('prices tokens per model: cost so far, and the projected cost at the target', () => {
    const last = progress.at(-1)!;
    let expectedTotal = 0;
    const roles = Object.values(EMULATOR_MODELS);
    expect(Object.keys(last.models).sort()).toEqual([...roles].sort());
    for (const [model, usage] of Object.entries(last.models)) {
      const price = PRICES[model]!;
      const cost = (usage.input * price.input_per_million + usage.output * price.output_per_million) / 1_000_000;
      expect(usage.cost).toBeCloseTo(cost, 6);
      expectedTotal += cost;
    }
    expect(last.cost).not.toBeNull();
    expect(last.cost!.unpricedModels).toEqual([]);
    expect(last.cost!.total).toBeGreaterThan(0);
    expect(last.cost!.total).toBeCloseTo(expectedTotal, 5);
    const providerCost = PROVIDERS.reduce((sum, name) => sum + last.providers[name]!.cost!, 0);
    expect(providerCost).toBeCloseTo(expectedTotal, 5);
    // At the target, nothing remains: the projection is what was spent.
    expect(last.cost!.projectedAtTarget).toBeCloseTo(last.cost!.total, 6);
    const midway = progress.filter((record) => record.savedThisRun > 0 && record.saved < TARGET);
    for (const record of midway) {
      const projected = record.cost!.total * (TARGET / record.savedThisRun);
      expect(record.cost!.projectedAtTarget).toBeCloseTo(projected, 5);
    }
    for (const record of progress.filter((entry) => entry.savedThisRun === 0)) expect(record.cost!.projectedAtTarget).toBeNull();
  });
});
