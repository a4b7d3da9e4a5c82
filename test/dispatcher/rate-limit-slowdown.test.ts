import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { createRandom } from '../../src/core/random.js';
import type { ModelRequester } from '../../src/core/types.js';
import { AdaptiveRate } from '../../src/dispatcher/adaptive-rate.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { eventRecorder, fail, FakeProvider, ok, settleAll, slotFor, startsPerSecond, userTurn, type Script } from './fake-provider.js';

async function conversation(requester: ModelRequester, requests: number): Promise<void> {
  for (let index = 0; index < requests; index++) await requester.complete({ role: 'assistant', messages: userTurn });
}

/** A server that accepts `limit` requests in any second and answers the rest 429 without Retry-After. */
function limitedServer(limit: number, latencyMs: number): Script {
  const accepted: number[] = [];
  return (_index, now) => {
    while (accepted.length > 0 && (accepted[0] as number) <= now - 1_000) accepted.shift();
    if (accepted.length >= limit) return fail('rate_limit', 429, undefined, 50);
    accepted.push(now);
    return ok(latencyMs);
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('429 without Retry-After', () => {
  it('configured at 8 requests/s against a server limited to 2, the pace drops under the limit instead of drawing a 429 for every other request', async () => {
    const together = new FakeProvider('together', limitedServer(2, 1_000));
    const recorder = eventRecorder();
    const log = vi.fn();
    const dispatcher = new Dispatcher({
      providers: [slotFor(together, 8)],
      retry: { maxAttempts: 20 },
      random: createRandom(1),
      onEvent: recorder.onEvent,
      log,
    });
    const results = await settleAll(Array.from({ length: 16 }, () => conversation(dispatcher.session(), 8)));

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    // Past the first cuts, few requests are refused: kept at 8/s about half would be (75 % offered
    // over the limit, less the retries' backoff), and three in a row cooled the provider down.
    const later = together.calls.filter((call) => call.startedAt >= 10_000);
    const refused = later.filter((call) => call.result === 'rate_limit').length;
    expect(refused / later.length).toBeLessThan(0.15);
    expect(recorder.events.filter((event) => event.type === 'provider-state')).toEqual([]);
    // The sawtooth between half the limit and the limit keeps most of the limit in use.
    const answered = together.calls.filter((call) => call.result === 'ok').map((call) => call.startedAt);
    expect(startsPerSecond(answered, 10_000, Math.max(...answered))).toBeGreaterThanOrEqual(1.3);
    // Each change said once: the cut, and the margin the same 429s started to widen.
    expect(log.mock.calls.filter(([level]) => level === 'info').map(([, message]) => message)).toEqual([
      expect.stringContaining('provider together answered 429: request rate exceeded at its own pace'),
    ]);
    expect(log.mock.calls.filter(([level]) => level === 'warn')).toEqual([
      [
        'warn',
        'provider together answered 429 without Retry-After; pacing it below its configured 8 requests/s (now 4), ' +
          'halving again on each further 429 and back in full 60 s after the last one at most',
        { provider: 'together', requestsPerSecond: 4 },
      ],
    ]);
  });

  it('after one such 429 the pace halves, climbs back to the configured rate within a minute, and each change is logged once', async () => {
    const together = new FakeProvider('together', (index) => (index === 0 ? fail('rate_limit', 429, undefined, 50) : ok(1_000)));
    const log = vi.fn();
    const dispatcher = new Dispatcher({ providers: [slotFor(together, 4)], random: createRandom(2), log });
    await settleAll(Array.from({ length: 12 }, () => conversation(dispatcher.session(), 40)));

    const starts = together.starts;
    // Cut at 50 ms to 2 requests/s, then + 4 requests/s per minute: about 2.2/s over the next 5 s.
    expect(startsPerSecond(starts, 1_000, 6_000)).toBeGreaterThanOrEqual(2);
    expect(startsPerSecond(starts, 1_000, 6_000)).toBeLessThanOrEqual(2.6);
    expect(startsPerSecond(starts, 65_000, 95_000)).toBeGreaterThanOrEqual(3.9);
    const lines = log.mock.calls.map(([level, message]) => [level, message]);
    expect(lines).toEqual([
      ['info', expect.stringContaining('widening its spacing by a learned margin (4 ms per one-second window')],
      ['warn', expect.stringContaining('pacing it below its configured 4 requests/s (now 2)')],
      ['info', 'provider together back at its configured 4 requests/s'],
    ]);
  });

  it('answers to requests sent before a cut neither cut again nor count toward a cooldown', async () => {
    // Four requests in flight at 10/s come back 429 together, a second after they were sent.
    const mistral = new FakeProvider('mistral', (index) => (index < 4 ? fail('rate_limit', 429, undefined, 1_000) : ok(100)));
    const recorder = eventRecorder();
    const log = vi.fn();
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 10)], random: createRandom(3), onEvent: recorder.onEvent, log });
    const results = await settleAll(Array.from({ length: 4 }, () => conversation(dispatcher.session(), 2)));

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(mistral.calls.filter((call) => call.result === 'rate_limit')).toHaveLength(4);
    // One cut, to 5/s: without the rule the four answers would cut to 10/16 and cool the provider down.
    const warnings = log.mock.calls.filter(([level]) => level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.[1]).toContain('(now 5)');
    expect(recorder.events.filter((event) => event.type === 'provider-state')).toEqual([]);
    const afterCut = mistral.starts.filter((start) => start >= 1_000).sort((a, b) => a - b);
    for (let index = 1; index < afterCut.length; index++) {
      expect((afterCut[index] as number) - (afterCut[index - 1] as number)).toBeGreaterThanOrEqual(190);
    }
  });

  it('429s that keep coming after each cut cool the provider down like any failure, and the rate stops at its floor', async () => {
    const mistral = new FakeProvider('mistral', () => fail('rate_limit', 429, undefined, 50));
    const together = new FakeProvider('together', () => ok(500));
    const recorder = eventRecorder();
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 4), slotFor(together, 4)], onEvent: recorder.onEvent });
    const session = dispatcher.session({ preferred: 'mistral' });
    await settleAll([conversation(session, 1)]);
    expect(session.provider).toBe('together');
    expect(mistral.calls).toHaveLength(3);
    expect(recorder.events).toContainEqual(
      expect.objectContaining({ type: 'provider-state', provider: 'mistral', state: expect.objectContaining({ status: 'cooling_down' }) }),
    );

    const rate = new AdaptiveRate(60_000, 1 / 16);
    for (let cut = 0; cut < 10; cut++) expect(rate.onRateLimited(cut, cut)).toBe('cut');
    expect(rate.fraction(10)).toBeCloseTo(1 / 16 + 1 / 60_000, 9);
    expect(rate.onRateLimited(5, 20)).toBe('sent_before_cut');
  });

  it('slowdown options out of range are refused at construction', () => {
    const mistral = new FakeProvider('mistral', () => ok(1));
    const build = (health: object) => () => new Dispatcher({ providers: [slotFor(mistral, 1)], health });
    expect(build({ minimumRateFraction: 0 })).toThrow(ConfigError);
    expect(build({ minimumRateFraction: 1.5 })).toThrow('`health.minimumRateFraction` to be at most 1');
    expect(build({ rateRecoveryMs: 0 })).toThrow('`health.rateRecoveryMs`');
    expect(build({ minimumRateFraction: 1, rateRecoveryMs: 1 })).not.toThrow();
  });
});
