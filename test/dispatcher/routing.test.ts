import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import type { ModelRequester } from '../../src/core/types.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { FakeProvider, maxStartsInWindow, ok, settleAll, slotFor, userTurn } from './fake-provider.js';

async function conversation(requester: ModelRequester, requests: number): Promise<void> {
  for (let index = 0; index < requests; index++) await requester.complete({ role: 'assistant', messages: userTurn });
}

/** Opens `count` sessions at once, runs `requests` requests on each, and counts the sessions each provider served. */
async function sessionsByProvider(dispatcher: Dispatcher, count: number, requests: number): Promise<Map<string | undefined, number>> {
  const sessions = Array.from({ length: count }, () => dispatcher.session());
  await settleAll(sessions.map((session) => conversation(session, requests)));
  const counts = new Map<string | undefined, number>();
  for (const session of sessions) counts.set(session.provider, (counts.get(session.provider) ?? 0) + 1);
  return counts;
}

/**
 * A runner in miniature: keeps `suggestedConcurrency()` conversations in flight until `total`
 * conversations have started, re-reading the suggestion whenever one ends.
 */
async function keepBusy(dispatcher: Dispatcher, total: number, requests: number): Promise<void> {
  let started = 0;
  const running = new Set<Promise<void>>();
  while (started < total || running.size > 0) {
    while (started < total && running.size < dispatcher.suggestedConcurrency({ inFlight: running.size })) {
      started += 1;
      const work: Promise<void> = conversation(dispatcher.session(), requests).finally(() => running.delete(work));
      running.add(work);
    }
    await Promise.race(running);
  }
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('routing', () => {
  it('with rates 2:1 across two providers, new sessions split about 2:1', async () => {
    const mistral = new FakeProvider('mistral', () => ok(3_000));
    const together = new FakeProvider('together', () => ok(3_000));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 2), slotFor(together, 1)] });
    const onMistral = (await sessionsByProvider(dispatcher, 30, 1)).get('mistral') ?? 0;
    expect(onMistral).toBeGreaterThanOrEqual(19);
    expect(onMistral).toBeLessThanOrEqual(21);
  });

  it('sessions stick to their provider for every request', async () => {
    const mistral = new FakeProvider('mistral', () => ok(1_000));
    const together = new FakeProvider('together', () => ok(1_000));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 2), slotFor(together, 2)] });
    const first = dispatcher.session();
    const second = dispatcher.session();
    expect(first.provider).toBeUndefined();
    await settleAll([conversation(first, 4), conversation(second, 4)]);
    expect(first.provider).toBe('mistral');
    expect(second.provider).toBe('together');
    expect(mistral.calls).toHaveLength(4);
    expect(together.calls).toHaveLength(4);
    expect([...first.switches, ...second.switches]).toEqual([]);
  });

  it('a resumed conversation gets the provider it asks for', async () => {
    const mistral = new FakeProvider('mistral', () => ok(1_000));
    const together = new FakeProvider('together', () => ok(1_000));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 2), slotFor(together, 2)] });
    const session = dispatcher.session({ preferred: 'together' });
    expect(session.provider).toBe('together');
    await settleAll([conversation(session, 2)]);
    expect(together.calls).toHaveLength(2);
    expect(mistral.calls).toHaveLength(0);
    expect(session.switches).toEqual([]);
  });

  it('a resumed conversation whose provider is no longer configured moves, with the switch recorded', async () => {
    const mistral = new FakeProvider('mistral', () => ok(1_000));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 2)] });
    const session = dispatcher.session({ preferred: 'huggingface' });
    await settleAll([conversation(session, 1)]);
    expect(session.provider).toBe('mistral');
    expect(session.switches).toEqual([
      expect.objectContaining({ from: 'huggingface', to: 'mistral', reason: 'provider not configured' }),
    ]);
  });

  it('a provider held to its concurrency cap gets new sessions only as fast as the cap lets it start their requests', async () => {
    // Paced at 10/s but 2 at a time with 10 s replies: one start per 5 s, against together's one per second.
    const mistral = new FakeProvider('mistral', () => ok(10_000));
    const together = new FakeProvider('together', () => ok(10_000));
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 10, { maxConcurrency: 2 }), slotFor(together, 1)],
      expectedLatencyMs: 10_000,
    });
    const onMistral = (await sessionsByProvider(dispatcher, 8, 1)).get('mistral') ?? 0;
    expect(onMistral).toBeGreaterThanOrEqual(1);
    expect(onMistral).toBeLessThanOrEqual(2);
  });

  it('a fast provider at its concurrency cap still takes the sessions its cap serves sooner than a slow provider with room', async () => {
    // A local server (10/s, 4 at a time, 400 ms replies: 10 starts a second) beside a free tier at
    // 1/s. Skipping the local server once 4 requests were routed to it sent 36 of 40 conversations
    // to the free tier, which took 180 s to serve their 5 requests each.
    const local = new FakeProvider('openai_compatible', () => ok(400));
    const free = new FakeProvider('mistral', () => ok(400));
    const dispatcher = new Dispatcher({
      providers: [slotFor(local, 10, { maxConcurrency: 4 }), slotFor(free, 1)],
      expectedLatencyMs: 400,
    });
    const onLocal = (await sessionsByProvider(dispatcher, 40, 5)).get('openai_compatible') ?? 0;
    // About in proportion to the starts each can make, 10 to 1 (the score leaves the slower one
    // the slack of its longer interval): 32 and 8, done in about 40 s.
    expect(onLocal).toBeGreaterThanOrEqual(30);
    expect(Date.now()).toBeLessThan(50_000);
    expect(maxStartsInWindow(local.starts, 1_000)).toBeLessThanOrEqual(10);
  });

  it('a slow provider never holds back a fast one, and together they run at ≥ 0.95 of the summed rates', async () => {
    // mistral 2 req/s at 8 s per reply, together 1 req/s at 1 s: needs about 17 conversations in flight.
    const mistral = new FakeProvider('mistral', () => ok(8_000));
    const together = new FakeProvider('together', () => ok(1_000));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 2), slotFor(together, 1)], random: createRandom(5) });
    await settleAll([keepBusy(dispatcher, 150, 4)]);
    const starts = [...mistral.starts, ...together.starts].sort((a, b) => a - b);
    expect(starts).toHaveLength(600);
    // Judge the steady state: from the moment the first replies came back to the last start.
    const from = 10_000;
    const to = Math.max(...starts) - 10_000;
    const steady = starts.filter((start) => start >= from && start < to).length;
    expect(steady / ((to - from) / 1_000)).toBeGreaterThanOrEqual(0.95 * 3);
    expect(maxStartsInWindow(mistral.starts, 1_000)).toBeLessThanOrEqual(2);
    expect(maxStartsInWindow(together.starts, 1_000)).toBeLessThanOrEqual(1);
  });
});

describe('throughput', () => {
  it('four providers with different rates and spread-out latencies run at ≥ 0.97 of the summed rates', async () => {
    const random = createRandom(42);
    const setups = [
      { name: 'mistral', rate: 1, latencyMs: 6_000 },
      { name: 'together', rate: 2, latencyMs: 3_000 },
      { name: 'huggingface', rate: 0.5, latencyMs: 12_000 },
      { name: 'openai_compatible', rate: 1, latencyMs: 2_000 },
    ] as const;
    // Latencies vary ±50 % around each provider's mean; a conversation thinks 50-250 ms between requests.
    const providers = setups.map((setup) => new FakeProvider(setup.name, () => ok(setup.latencyMs * (0.5 + random()))));
    const dispatcher = new Dispatcher({
      providers: providers.map((provider, index) => slotFor(provider, setups[index]?.rate ?? 1)),
      random,
    });
    let lastConversationAt = 0;
    const think = () => new Promise((resolve) => setTimeout(resolve, 50 + random() * 200));
    const run = async (): Promise<void> => {
      let started = 0;
      const running = new Set<Promise<void>>();
      while (started < 300 || running.size > 0) {
        while (started < 300 && running.size < dispatcher.suggestedConcurrency({ inFlight: running.size })) {
          started += 1;
          lastConversationAt = Date.now();
          const session = dispatcher.session();
          const work: Promise<void> = (async () => {
            for (let request = 0; request < 5; request++) {
              await session.complete({ role: 'assistant', messages: userTurn });
              await think();
            }
          })().finally(() => running.delete(work));
          running.add(work);
        }
        await Promise.race(running);
      }
    };
    await settleAll([run()]);
    const starts = providers.flatMap((provider) => provider.starts);
    expect(starts).toHaveLength(1_500);
    // Steady state: after the first replies shaped the estimates, while conversations were still being started.
    const from = 15_000;
    const steady = starts.filter((start) => start >= from && start < lastConversationAt).length;
    expect(steady / ((lastConversationAt - from) / 1_000)).toBeGreaterThanOrEqual(0.97 * 4.5);
    for (const [index, provider] of providers.entries()) {
      expect(maxStartsInWindow(provider.starts, 1_000)).toBeLessThanOrEqual(Math.max(1, setups[index]?.rate ?? 1));
    }
  });
});

describe('suggested concurrency', () => {
  it('starts from a guess of rate × expected latency, within the concurrency caps, before any reply', () => {
    const mistral = new FakeProvider('mistral', () => ok(1_000));
    const together = new FakeProvider('together', () => ok(1_000));
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 2), slotFor(together, 1)],
      expectedLatencyMs: 4_000,
    });
    // (2 × 4 + 1 + 1 × 4 + 1) × 1.3 = 18.2 → 19, plus 2.
    expect(dispatcher.suggestedConcurrency({ inFlight: 0 })).toBe(21);

    const capped = new Dispatcher({
      providers: [slotFor(mistral, 50, { maxConcurrency: 4 }), slotFor(together, 50, { maxConcurrency: 3 })],
    });
    expect(capped.suggestedConcurrency({ inFlight: 0 })).toBe(7);
  });
});
