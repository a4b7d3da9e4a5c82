import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dispatcher } from '../../src/dispatcher/index.js';
import type { ModelRequester } from '../../src/core/types.js';
import { FakeProvider, fail, ok, settleAll, slotFor, userTurn } from './fake-provider.js';

/** Runs `requests` requests one after another; resolves with the fake time the last one ended. */
async function conversation(requester: ModelRequester, requests: number): Promise<number> {
  for (let index = 0; index < requests; index++) {
    await requester.complete({ role: 'assistant', messages: userTurn });
  }
  return Date.now();
}

function endTimes(results: ReadonlyArray<PromiseSettledResult<number>>): number[] {
  return results.map((result) => {
    if (result.status !== 'fulfilled') throw new Error(`a conversation failed: ${String(result.reason)}`);
    return result.value;
  });
}

/**
 * `conversations` conversations of `requests` requests each, opened at once on one provider at
 * `requestsPerSecond` replying in 100 ms, served in `order` (the default if not given). Returns
 * the provider's start times and each conversation's end, in the order they opened.
 */
async function serve(options: {
  readonly requestsPerSecond: number;
  readonly conversations: number;
  readonly requests: number;
  readonly order?: 'oldest' | 'arrival';
}): Promise<{ readonly starts: readonly number[]; readonly ends: number[] }> {
  const provider = new FakeProvider('mistral', () => ok(100));
  const dispatcher = new Dispatcher({ providers: [slotFor(provider, options.requestsPerSecond)] });
  if (options.order !== undefined) dispatcher.serveInOrder(options.order);
  const sessions = Array.from({ length: options.conversations }, () => dispatcher.session());
  const ends = endTimes(await settleAll(sessions.map((session) => conversation(session, options.requests))));
  return { starts: provider.starts, ends };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the order a provider serves its queued requests in', () => {
  it('ten conversations of five requests at 2 requests/s finish one after another, in the order they opened', async () => {
    const { starts, ends } = await serve({ requestsPerSecond: 2, conversations: 10, requests: 5, order: 'oldest' });

    expect(starts).toHaveLength(50);
    // Each conversation's next request waits only behind older conversations' requests. In arrival
    // order, the first conversation's second request queued behind the nine others' first, and
    // all ten finished within the last 5 s of the 25 s (the next test).
    expect([...ends].sort((a, b) => a - b)).toEqual(ends);
    expect(ends[0]).toBeLessThanOrEqual(5 * 500 + 100);
    expect((ends[9] as number) - (ends[0] as number)).toBeGreaterThan(15_000);
  });

  it('a retry keeps its conversation’s place: the oldest conversation’s retry goes before newer first requests', async () => {
    // Call 0 (the oldest conversation's first request) is refused with a 500; the retry must not
    // wait behind the eleven conversations that queued while it failed.
    const provider = new FakeProvider('mistral', (index) => (index === 0 ? fail('server', 500, undefined, 50) : ok(100)));
    const dispatcher = new Dispatcher({ providers: [slotFor(provider, 2)], retry: { baseMs: 10 }, health: { failureThreshold: 10 } });
    dispatcher.serveInOrder('oldest');
    const sessions = Array.from({ length: 12 }, () => dispatcher.session());
    const ends = endTimes(await settleAll(sessions.map((session) => conversation(session, 1))));

    expect(provider.starts).toHaveLength(13);
    // The retry takes the next start, at 500 ms; behind the others it would end at 6.1 s.
    expect(ends[0]).toBe(600);
    expect(Math.min(...ends.slice(1))).toBe(1_100);
  });

  it('in arrival order (the end of a run) every conversation advances a step at a time and they finish together', async () => {
    const { starts, ends } = await serve({ requestsPerSecond: 2, conversations: 10, requests: 5, order: 'arrival' });

    expect(starts).toHaveLength(50);
    expect(ends[0]).toBe(40 * 500 + 100);
    expect((ends[9] as number) - (ends[0] as number)).toBe(9 * 500);
  });

  it('by default, a queue longer than the controller allows serves the oldest conversation first', async () => {
    // At 2 requests/s a queue of more than two is over-fed (ConcurrencyController): ten
    // conversations opened at once finish one after another while more than two wait, and the
    // last few, whose requests no longer queue beyond that, advance together.
    const { starts, ends } = await serve({ requestsPerSecond: 2, conversations: 10, requests: 5 });

    expect(starts).toHaveLength(50);
    // The oldest's requests go first: it ends after its own five and the first requests queued
    // before its second (arrival order: 20.1 s, the test above).
    expect(ends[0]).toBeLessThanOrEqual(5 * 500 + 9 * 500 + 100);
    // The first seven finish in the order they opened, seconds apart; only the last ones end together.
    expect(ends.slice(0, 7)).toEqual([...ends.slice(0, 7)].sort((a, b) => a - b));
    expect((ends[6] as number) - (ends[0] as number)).toBeGreaterThan(6 * 1_000);
  });

  it('by default, a queue no longer than the controller allows stays in arrival order', async () => {
    // At 10 requests/s up to five may wait: five conversations never pass it.
    const { starts, ends } = await serve({ requestsPerSecond: 10, conversations: 5, requests: 5 });

    expect(starts).toHaveLength(25);
    // In step: all five end within one round of their requests (5 × 100 ms).
    expect(Math.max(...ends) - Math.min(...ends)).toBeLessThanOrEqual(500);
  });
});
