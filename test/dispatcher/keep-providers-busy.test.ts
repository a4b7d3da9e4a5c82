import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRandom, type Random } from '../../src/core/random.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { FakeProvider, fail, ok, settleAll, slotFor, startsPerSecond, userTurn, type Outcome } from './fake-provider.js';

interface Workload {
  readonly conversations: number;
  readonly requestsPerConversation: number;
  /** Time a conversation spends between two requests (tools, validation, the write). */
  readonly thinkMs: () => number;
}

/**
 * The runner in miniature: keeps `suggestedConcurrency` conversations in flight, re-reading it
 * whenever one ends and every 250 ms, as ConversationRunner does. Records the suggestion over time.
 */
async function run(dispatcher: Dispatcher, workload: Workload): Promise<{ targets: number[]; lastOpenedAt: number }> {
  const targets: number[] = [];
  let started = 0;
  let lastOpenedAt = 0;
  const running = new Set<Promise<void>>();
  const converse = async (): Promise<void> => {
    const session = dispatcher.session();
    for (let request = 0; request < workload.requestsPerConversation; request++) {
      try {
        await session.complete({ role: 'assistant', messages: userTurn });
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, workload.thinkMs()));
    }
  };
  while (started < workload.conversations || running.size > 0) {
    const wanted = dispatcher.suggestedConcurrency({ inFlight: running.size, ceiling: workload.conversations - started + running.size });
    targets.push(wanted);
    while (started < workload.conversations && running.size < wanted) {
      started += 1;
      lastOpenedAt = Date.now();
      const work: Promise<void> = converse().finally(() => running.delete(work));
      running.add(work);
    }
    await Promise.race([...running, new Promise((resolve) => setTimeout(resolve, 250))]);
  }
  return { targets, lastOpenedAt };
}

function jittered(random: Random, medianMs: number): () => number {
  return () => medianMs * (0.5 + random());
}

beforeEach(() => {
  vi.useFakeTimers({ loopLimit: 1_000_000 });
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('keeping every provider busy', () => {
  it('at 60 req/s and 150 ms per reply, with 200 ms between a conversation’s requests, two providers run at ≥ 0.95 of their rates', async () => {
    const random = createRandom(7);
    const latency = jittered(random, 150);
    const providers = [new FakeProvider('mistral', () => ok(latency())), new FakeProvider('together', () => ok(latency()))];
    // The first guess is right about latency and still too low: it ignores the time between requests.
    const dispatcher = new Dispatcher({ providers: providers.map((provider) => slotFor(provider, 60)), random, expectedLatencyMs: 150 });
    const { lastOpenedAt } = await settleAll([run(dispatcher, { conversations: 900, requestsPerConversation: 8, thinkMs: jittered(random, 200) })]).then(
      ([settled]) => (settled as PromiseFulfilledResult<{ targets: number[]; lastOpenedAt: number }>).value,
    );
    // A rate × latency formula keeps about (60 × 0.15 + 1) × 2 × 1.3 + 2 = 28 in flight: 80 req/s at a 350 ms cycle.
    for (const provider of providers) expect(startsPerSecond(provider.starts, 10_000, lastOpenedAt)).toBeGreaterThanOrEqual(0.95 * 60);
  });

  it('conversations waiting out a retry backoff do not starve the providers: more are opened instead', async () => {
    const random = createRandom(11);
    // Three requests in ten fail with a 500 and wait out a full-jitter backoff (2 s on average the
    // first time, 4 s the second) before their retry: far longer than the 800 ms replies.
    const script = (): Outcome => (random() < 0.3 ? fail('server', 500, undefined, 100) : ok(800 * (0.5 + random())));
    const providers = [new FakeProvider('mistral', script), new FakeProvider('together', script)];
    const dispatcher = new Dispatcher({
      providers: providers.map((provider) => slotFor(provider, 8)),
      random,
      expectedLatencyMs: 800,
      retry: { baseMs: 4_000 },
      // Only the backoff is under test: keep the failing provider out of cooldown.
      health: { failureThreshold: 1_000 },
    });
    const [settled] = await settleAll([run(dispatcher, { conversations: 600, requestsPerConversation: 6, thinkMs: () => 20 })]);
    const { lastOpenedAt } = (settled as PromiseFulfilledResult<{ targets: number[]; lastOpenedAt: number }>).value;
    for (const provider of providers) expect(startsPerSecond(provider.starts, 15_000, lastOpenedAt)).toBeGreaterThanOrEqual(0.95 * 8);
  });

  it('a first guess far too high (5 s expected, 100 ms real) comes down while the providers stay saturated', async () => {
    const random = createRandom(3);
    const provider = new FakeProvider('mistral', () => ok(100 * (0.5 + random())));
    const dispatcher = new Dispatcher({ providers: [slotFor(provider, 20)], random, expectedLatencyMs: 5_000 });
    const [settled] = await settleAll([run(dispatcher, { conversations: 1_200, requestsPerConversation: 5, thinkMs: () => 30 })]);
    const { targets, lastOpenedAt } = (settled as PromiseFulfilledResult<{ targets: number[]; lastOpenedAt: number }>).value;
    const first = targets[0] as number;
    expect(first).toBe(64);
    // Saturating 20 req/s at a ~130 ms cycle takes about 3 conversations; half a second of queue is allowed on top.
    const settledTarget = targets[Math.floor(targets.length * 0.8)] as number;
    expect(settledTarget).toBeLessThan(first / 4);
    expect(startsPerSecond(provider.starts, 10_000, lastOpenedAt)).toBeGreaterThanOrEqual(0.95 * 20);
  });

  it('a capped local server counts its concurrency cap in the first guess, not its rate × the expected latency, and is still kept busy', async () => {
    const random = createRandom(5);
    const local = new FakeProvider('openai_compatible', () => ok(200 * (0.5 + random())));
    const freeTier = new FakeProvider('mistral', () => ok(200 * (0.5 + random())));
    const dispatcher = new Dispatcher({
      providers: [slotFor(local, 10, { maxConcurrency: 4 }), slotFor(freeTier, 1)],
      random,
      expectedLatencyMs: 5_000,
    });
    const [settled] = await settleAll([run(dispatcher, { conversations: 400, requestsPerConversation: 5, thinkMs: () => 30 })]);
    const { targets, lastOpenedAt } = (settled as PromiseFulfilledResult<{ targets: number[]; lastOpenedAt: number }>).value;
    // ((4 + 1) + (1 × 5 + 1)) × 1.3 + 2 = 17, where 10 × 5 s + 1 counted for the local server made it
    // 68: every conversation opened at once, most of them queued behind the cap for minutes.
    expect(targets[0]).toBe(17);
    // What the first replies show is needed is opened as soon as they come.
    expect(startsPerSecond(local.starts, 10_000, lastOpenedAt)).toBeGreaterThanOrEqual(0.95 * 10);
    expect(startsPerSecond(freeTier.starts, 10_000, lastOpenedAt)).toBeGreaterThanOrEqual(0.95 * 1);
  });

  it('a daemon whose own event loop is saturated opens no more conversations, however idle the providers', async () => {
    const provider = new FakeProvider('mistral', () => ok(150));
    const dispatcher = new Dispatcher({ providers: [slotFor(provider, 60)], expectedLatencyMs: 150, busyShare: () => 0.95 });
    const [settled] = await settleAll([run(dispatcher, { conversations: 300, requestsPerConversation: 4, thinkMs: () => 200 })]);
    const { targets } = (settled as PromiseFulfilledResult<{ targets: number[]; lastOpenedAt: number }>).value;
    // (60 × 0.15 + 1) × 1.3 + 2 = 15: the first guess, never grown although starts went unused.
    expect(Math.max(...targets)).toBe(15);
  });

  it('never suggests more than the caller can keep, whatever the providers want', () => {
    const provider = new FakeProvider('mistral', () => ok(1_000));
    const dispatcher = new Dispatcher({ providers: [slotFor(provider, 50)] });
    expect(dispatcher.suggestedConcurrency({ inFlight: 7, ceiling: 7 })).toBe(7);
    vi.advanceTimersByTime(5_000);
    expect(dispatcher.suggestedConcurrency({ inFlight: 7, ceiling: 7 })).toBe(7);
  });
});
