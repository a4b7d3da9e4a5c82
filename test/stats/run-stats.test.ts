import { describe, expect, it } from 'vitest';
import type { DispatchEvent } from '../../src/core/types.js';
import { LatencyRing, percentile } from '../../src/stats/latency-ring.js';
import { RunStats, type RunStatsOptions } from '../../src/stats/run-stats.js';
import { SlidingWindow } from '../../src/stats/sliding-window.js';
import { runStatusSchema } from '../../src/stats/status-schema.js';
import { runStatus } from './fixtures.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

function createClock(start = Date.parse('2026-11-22T01:00:00Z')) {
  let time = start;
  return {
    now: () => time,
    advance(milliseconds: number) {
      time += milliseconds;
    },
  };
}

function statsWithClock(options: Partial<RunStatsOptions> = {}) {
  const clock = createClock();
  const stats = new RunStats({ target: 100, alreadySaved: 0, now: clock.now, ...options });
  return { clock, stats };
}

function save(stats: RunStats, count = 1, provider: 'mistral' | 'together' | undefined = 'mistral'): void {
  for (let index = 0; index < count; index++) {
    stats.conversationStarted();
    stats.conversationSaved({ provider, toolCalls: [] });
  }
}

function end(provider: 'mistral' | 'together', model: string, latencyMs: number, inputTokens = 0, outputTokens = 0): DispatchEvent {
  return { type: 'request-end', provider, model, role: 'assistant', latencyMs, usage: { inputTokens, outputTokens } };
}

describe('rates and ETA', () => {
  it('has no rate and no ETA before the first save', () => {
    const { clock, stats } = statsWithClock();
    clock.advance(5 * MINUTE);
    const record = stats.snapshot();
    expect(record.rate.overallPerHour).toBe(0);
    expect(record.rate.recentPerHour).toBe(0);
    expect(record.etaSeconds).toBeNull();
    expect(record.elapsedSeconds).toBe(300);
  });

  it('overall rate counts the whole run while the recent rate sees only the last ten minutes', () => {
    const { clock, stats } = statsWithClock({ target: 1000 });
    // First half hour: 10 saves. Then 20 minutes of nothing. Then 10 minutes with 20 saves.
    for (let index = 0; index < 10; index++) {
      clock.advance(3 * MINUTE);
      save(stats);
    }
    clock.advance(20 * MINUTE);
    for (let index = 0; index < 20; index++) {
      clock.advance(30_000);
      save(stats);
    }
    const record = stats.snapshot();
    expect(record.elapsedSeconds).toBe(3600);
    expect(record.rate.overallPerHour).toBe(30); // 30 saves in one hour
    expect(record.rate.recentPerHour).toBe(120); // 20 saves in ten minutes
    expect(record.rate.recentWindowSeconds).toBe(600);
    // 970 left at the recent 120/h
    expect(record.etaSeconds).toBe(Math.round((970 / 120) * 3600));
  });

  it('before the window has filled, the recent rate is over the time elapsed so far', () => {
    const { clock, stats } = statsWithClock();
    clock.advance(2 * MINUTE);
    save(stats, 4);
    const record = stats.snapshot();
    expect(record.rate.recentPerHour).toBe(120);
    expect(record.rate.overallPerHour).toBe(120);
  });

  it('falls back to the overall rate for the ETA when nothing was saved in the recent window', () => {
    const { clock, stats } = statsWithClock({ target: 20 });
    clock.advance(30 * MINUTE);
    save(stats, 10);
    clock.advance(30 * MINUTE); // ten per hour overall, nothing in the last ten minutes
    const record = stats.snapshot();
    expect(record.rate.recentPerHour).toBe(0);
    expect(record.rate.overallPerHour).toBe(10);
    expect(record.etaSeconds).toBe(3600);
  });

  it('the ETA falls as the rate rises', () => {
    const { clock, stats } = statsWithClock({ target: 10_000 });
    const etas: number[] = [];
    for (const perMinute of [1, 2, 4, 8]) {
      for (let minute = 0; minute < 10; minute++) {
        clock.advance(MINUTE);
        save(stats, perMinute);
      }
      const eta = stats.snapshot().etaSeconds;
      expect(eta).not.toBeNull();
      etas.push(eta as number);
    }
    for (let index = 1; index < etas.length; index++) expect(etas[index]).toBeLessThan(etas[index - 1] as number);
  });

  it('counts conversations saved before this run in the total and percent but not in the rate', () => {
    const { clock, stats } = statsWithClock({ target: 5000, alreadySaved: 1497 });
    clock.advance(HOUR);
    save(stats, 3);
    const record = stats.snapshot();
    expect(record.saved).toBe(1500);
    expect(record.savedThisRun).toBe(3);
    expect(record.percent).toBe(30);
    expect(record.rate.overallPerHour).toBe(3);
  });

  it('has an ETA of zero once the target is reached', () => {
    const { clock, stats } = statsWithClock({ target: 3 });
    clock.advance(MINUTE);
    save(stats, 3);
    expect(stats.snapshot()).toMatchObject({ percent: 100, etaSeconds: 0, saved: 3 });
  });
});

describe('conversations in flight and discards', () => {
  it('in flight is started minus saved minus discarded, and discards are counted by reason', () => {
    const { stats } = statsWithClock();
    for (let index = 0; index < 7; index++) stats.conversationStarted();
    stats.conversationSaved({ provider: 'mistral', toolCalls: [] });
    stats.conversationDiscarded('empty_reply');
    stats.conversationDiscarded('empty_reply');
    stats.conversationDiscarded('deadline');
    const record = stats.snapshot();
    expect(record.inFlight).toBe(3);
    expect(record.started).toBe(7);
    expect(record.discarded).toEqual({ empty_reply: 2, deadline: 1 });
  });

  it('counts tool calls by name as ok or failed', () => {
    const { stats } = statsWithClock();
    stats.conversationSaved({
      provider: 'together',
      toolCalls: [
        { name: 'add_memory', ok: true },
        { name: 'add_memory', ok: false },
        { name: 'recall_diary', ok: true },
      ],
    });
    stats.conversationSaved({ provider: undefined, toolCalls: [{ name: 'add_memory', ok: true }] });
    const record = stats.snapshot();
    expect(record.toolCalls).toEqual({ add_memory: { ok: 2, failed: 1 }, recall_diary: { ok: 1, failed: 0 } });
    expect(record.providers.together?.conversations).toBe(1);
    expect(Object.keys(record.providers)).toEqual(['together']);
  });
});

describe('per-provider counters', () => {
  it('separates successes, 429s, other errors, aborts and retries, and tracks requests in flight', () => {
    const { stats } = statsWithClock();
    for (let index = 0; index < 6; index++) stats.onDispatchEvent({ type: 'request-start', provider: 'mistral', role: 'tester' });
    stats.onDispatchEvent(end('mistral', 'mistral-small', 1200));
    const failure = { type: 'request-error', provider: 'mistral', role: 'tester', latencyMs: 10 } as const;
    stats.onDispatchEvent({ ...failure, kind: 'rate_limit', status: 429, willRetry: true });
    stats.onDispatchEvent({ ...failure, kind: 'server', status: 503, willRetry: true });
    stats.onDispatchEvent({ ...failure, kind: 'auth', status: 401, willRetry: false });
    stats.onDispatchEvent({ ...failure, kind: 'aborted', willRetry: false });
    const mistral = stats.snapshot().providers.mistral;
    expect(mistral).toMatchObject({ requests: 6, successes: 1, rateLimited: 1, errors: 2, aborted: 1, retries: 2, inFlight: 1 });
  });

  it('reports the latest provider state, active by default', () => {
    const { stats } = statsWithClock();
    stats.onDispatchEvent({ type: 'request-start', provider: 'mistral', role: 'assistant' });
    const cooling = { status: 'cooling_down', until: '2026-11-22T01:00:40.000Z', reason: '429 with Retry-After 40' } as const;
    stats.onDispatchEvent({ type: 'provider-state', provider: 'together', state: cooling });
    expect(stats.snapshot().providers.together?.state).toEqual(cooling);
    expect(stats.snapshot().providers.mistral?.state).toEqual({ status: 'active' });
    stats.onDispatchEvent({ type: 'provider-state', provider: 'together', state: { status: 'disabled', reason: '401: bad key' } });
    expect(stats.snapshot().providers.together?.state).toEqual({ status: 'disabled', reason: '401: bad key' });
  });

  it('shows the rate each provider is paced at, read from the dispatcher at each snapshot, even before its first request', () => {
    let margin = 0;
    const stats = new RunStats({
      target: 10,
      alreadySaved: 0,
      paces: () => ({
        mistral: { configuredPerSecond: 8, currentPerSecond: 8000 / (1000 + margin), source: margin > 0 ? 'learned' : 'configured', marginMs: margin },
        together: { configuredPerSecond: 1, currentPerSecond: 2, source: 'headers', marginMs: 0 },
      }),
    });
    expect(stats.snapshot().providers.mistral?.pace).toEqual({ configuredPerSecond: 8, currentPerSecond: 8, source: 'configured', marginMs: 0 });
    margin = 24;
    const record = stats.snapshot();
    expect(record.providers.mistral?.pace).toMatchObject({ source: 'learned', marginMs: 24 });
    expect(record.providers.together).toMatchObject({ requests: 0, pace: { currentPerSecond: 2, source: 'headers' } });
    expect(runStatusSchema.safeParse({ ...runStatus(), providers: record.providers }).success).toBe(true);
  });

  it('summarises latency over the most recent successes only', () => {
    const { stats } = statsWithClock({ latencySamples: 100 });
    for (let latency = 1; latency <= 100; latency++) stats.onDispatchEvent(end('mistral', 'm', latency * 10));
    expect(stats.snapshot().providers.mistral?.latency).toEqual({ meanMs: 505, p50Ms: 500, p95Ms: 950, samples: 100 });
    // 100 more slow requests push every fast one out of the ring.
    for (let index = 0; index < 100; index++) stats.onDispatchEvent(end('mistral', 'm', 5000));
    expect(stats.snapshot().providers.mistral?.latency).toEqual({ meanMs: 5000, p50Ms: 5000, p95Ms: 5000, samples: 100 });
  });
});

describe('tokens and cost', () => {
  const prices = {
    'mistral-small': { inputPerMillion: 0.2, outputPerMillion: 0.6 },
    'llama-70b': { inputPerMillion: 0.9, outputPerMillion: 0.9 },
  };

  it('adds tokens per provider, per model and in total, and prices them', () => {
    const { stats } = statsWithClock({ prices });
    stats.onDispatchEvent(end('mistral', 'mistral-small', 900, 1_000_000, 500_000));
    stats.onDispatchEvent(end('together', 'llama-70b', 900, 2_000_000, 1_000_000));
    stats.onDispatchEvent(end('together', 'mistral-small', 900, 1_000_000, 0));
    const record = stats.snapshot();
    expect(record.tokens).toEqual({ input: 4_000_000, output: 1_500_000 });
    expect(record.providers.mistral?.tokens).toEqual({ input: 1_000_000, output: 500_000 });
    expect(record.providers.mistral?.cost).toBeCloseTo(0.5, 9);
    expect(record.providers.together?.cost).toBeCloseTo(2.9, 9);
    expect(record.models['mistral-small']).toEqual({ input: 2_000_000, output: 500_000, cost: 0.7 });
    expect(record.models['llama-70b']).toEqual({ input: 2_000_000, output: 1_000_000, cost: 2.7 });
    expect(record.cost?.total).toBeCloseTo(3.4, 9);
  });

  it('projects the cost at the target from this run’s cost per saved conversation', () => {
    const { stats } = statsWithClock({ prices, target: 100, alreadySaved: 50 });
    stats.onDispatchEvent(end('mistral', 'mistral-small', 900, 1_000_000, 0)); // $0.20
    expect(stats.snapshot().cost?.projectedAtTarget).toBeNull();
    save(stats, 10); // $0.02 per conversation, 40 to go
    expect(stats.snapshot().cost?.projectedAtTarget).toBeCloseTo(0.2 + 40 * 0.02, 9);
  });

  it('reports cost as null without prices and names the models that have no price', () => {
    const { stats: unpriced } = statsWithClock();
    unpriced.onDispatchEvent(end('mistral', 'mistral-small', 900, 10, 10));
    expect(unpriced.snapshot().cost).toBeNull();
    expect(unpriced.snapshot().providers.mistral?.cost).toBeNull();
    const { stats } = statsWithClock({ prices });
    stats.onDispatchEvent(end('mistral', 'mystery-model', 900, 10, 10));
    expect(stats.snapshot().cost).toEqual({ total: 0, projectedAtTarget: null, unpricedModels: ['mystery-model'] });
    expect(stats.snapshot().models['mystery-model']?.cost).toBeNull();
  });

  it('treats an empty price list (what a configuration without "prices" holds) as no prices', () => {
    const { stats } = statsWithClock({ prices: {} });
    stats.onDispatchEvent(end('mistral', 'mistral-small', 900, 10, 10));
    expect(stats.snapshot().cost).toBeNull();
    expect(stats.snapshot().providers.mistral?.cost).toBeNull();
    expect(stats.snapshot().models['mistral-small']?.cost).toBeNull();
  });
});

describe('RunStats options', () => {
  it('rejects a negative or fractional target with the value it got', () => {
    expect(() => new RunStats({ target: -1, alreadySaved: 0 })).toThrow('Expected `target` to be an integer >= 0, got `-1` (number)');
    expect(() => new RunStats({ target: 10, alreadySaved: 1.5 })).toThrow('`alreadySaved`');
  });
});

describe('SlidingWindow', () => {
  it('forgets events older than the window and grows past its initial capacity', () => {
    const window = new SlidingWindow(1000, 2);
    for (let time = 0; time < 50; time++) window.add(time * 100);
    expect(window.count(4900)).toBe(10); // 4000 < t <= 4900
    expect(window.count(10_000)).toBe(0);
    window.add(10_000);
    expect(window.count(10_000)).toBe(1);
  });

  it('keeps working after wrapping around its ring many times', () => {
    const window = new SlidingWindow(10, 4);
    for (let time = 0; time < 1000; time++) {
      window.add(time);
      expect(window.count(time)).toBe(Math.min(time + 1, 10));
    }
  });

  it('clamps a clock that steps backwards so counting stays correct', () => {
    const window = new SlidingWindow(100);
    window.add(500);
    window.add(400);
    expect(window.count(550)).toBe(2);
    expect(window.count(601)).toBe(0);
  });
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const sorted = [10, 20, 30, 40];
    expect(percentile(sorted, 0.5)).toBe(20);
    expect(percentile(sorted, 0.95)).toBe(40);
    expect(percentile([7], 0.5)).toBe(7);
  });

  it('an empty ring has no latency summary', () => {
    expect(new LatencyRing(4).summary()).toEqual({ meanMs: null, p50Ms: null, p95Ms: null, samples: 0 });
  });
});
