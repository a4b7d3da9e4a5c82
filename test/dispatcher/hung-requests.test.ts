import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { PROVIDER_TYPES, type ChatProvider, type ChatRequest, type DispatchEvent, type ProviderType } from '../../src/core/types.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { startEmulator, type Emulator, type EmulatorProviderOptions } from '../../src/emulator/index.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { createPipelineFixture } from '../pipelines/ada/conversation-fixture.js';

/**
 * The dispatcher with the real adapters (real SDKs over real HTTP) against the emulator: a hung
 * request and a stalled stream each end at the silence limits the dispatcher learned from the
 * provider's replies, are retried, and the request completes; a long reply that keeps streaming
 * is never cut.
 */
const HEALTHY: EmulatorProviderOptions = { latency: { medianMs: 60, sigma: 0.2 }, streamChunkCharacters: 16 };
/** Small enough to keep the test short, large enough that a busy machine's pauses are not taken for silence. */
const FLOOR_MS = 1_000;
const request = { role: 'assistant' as const, messages: [{ role: 'user' as const, content: 'My tomato plants have yellow leaves.' }] };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 21, defaults: HEALTHY });
});
afterAll(async () => {
  await emulator.close();
});

/** The real adapter, recording what the dispatcher asked of it and every failure it reported. */
function recording(name: ProviderType): { provider: ChatProvider; requests: ChatRequest[]; errors: ProviderError[] } {
  const real = createProvider(name, { apiKey: 'dispatch-key-1234', baseUrl: emulator.baseUrls[name] });
  const requests: ChatRequest[] = [];
  const errors: ProviderError[] = [];
  const provider: ChatProvider = {
    name,
    complete: (chatRequest) => {
      requests.push(chatRequest);
      return real.complete(chatRequest).catch((error: unknown) => {
        if (error instanceof ProviderError) errors.push(error);
        throw error;
      });
    },
  };
  return { provider, requests, errors };
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error('condition never became true');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(PROVIDER_TYPES)('the dispatcher over the real %s adapter', (name) => {
  let recorded: ReturnType<typeof recording>;
  let dispatcher: Dispatcher;
  let events: DispatchEvent[];

  beforeEach(async () => {
    emulator.configure(name, HEALTHY);
    recorded = recording(name);
    events = [];
    dispatcher = new Dispatcher({
      providers: [{ provider: recorded.provider, models: { tester: 't', assistant: 'emulator-assistant', rewriter: 'r' }, requestsPerSecond: 50, timeoutMs: 30_000 }],
      silence: { floorMs: FLOOR_MS, minimumSamples: 4 },
      retry: { baseMs: 10 },
      onEvent: (event) => events.push(event),
    });
    // Replies teach the dispatcher this provider's first-byte and silence limits.
    for (let index = 0; index < 8; index++) await dispatcher.session().complete(request);
    events.length = 0;
  });

  it('learns limits far below timeout_ms from the replies it saw', () => {
    const last = recorded.requests.at(-1);
    expect(last?.timeoutMs).toBe(30_000);
    expect(last?.firstByteTimeoutMs).toBeGreaterThanOrEqual(FLOOR_MS);
    expect(last?.firstByteTimeoutMs).toBeLessThan(30_000 / 4);
    expect(last?.idleTimeoutMs).toBeGreaterThanOrEqual(FLOOR_MS);
    expect(last?.idleTimeoutMs).toBeLessThan(30_000 / 4);
  });

  it.each([
    ['a hung request (no headers)', { rateHang: 1 }, 'hang', /no first byte within \d+ ms/],
    ['a stream that stalls mid-reply', { rateStall: 1 }, 'stall', /stream stalled for \d+ ms/],
  ] as const)('%s times out at its limit, is retried, and the request completes', async (_label, faults, counted, message) => {
    emulator.configure(name, { ...HEALTHY, faults });
    const completing = dispatcher.session().complete(request);
    await until(() => emulator.counters()[name].injected[counted] === 1);
    emulator.configure(name, HEALTHY);
    const result = await completing;
    expect(result.finishReason).toBe('stop');
    expect(recorded.errors).toHaveLength(1);
    expect(recorded.errors[0]).toMatchObject({ kind: 'timeout', retryable: true });
    expect(recorded.errors[0]?.message).toMatch(message);
    expect(events.map((event) => event.type)).toEqual(['request-start', 'request-error', 'request-start', 'request-end']);
    expect(events[1]).toMatchObject({ kind: 'timeout', willRetry: true });
    expect(emulator.heldResponses()).toBe(0);
  });

  it('a slow but steady reply, longer than its silence limits together, completes at the first attempt', async () => {
    const limits = recorded.requests.at(-1)!;
    const longerThanBoth = (limits.firstByteTimeoutMs! + limits.idleTimeoutMs!) * 2;
    emulator.configure(name, { latency: { medianMs: longerThanBoth, sigma: 0, firstChunkShare: 0.05 }, streamChunkCharacters: 2 });
    const result = await dispatcher.session().complete(request);
    expect(result.finishReason).toBe('stop');
    expect(result.latencyMs).toBeGreaterThan(longerThanBoth * 0.9);
    expect(recorded.errors).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(['request-start', 'request-end']);
  });
});

describe('whole conversations while requests hang and stall', () => {
  it('every conversation of the Ada pipeline completes, each hung or stalled request retried after its silence limit', async () => {
    const faulty = await startEmulator({
      seed: 8,
      defaults: { ...HEALTHY, faults: { rateHang: 0.08, rateStall: 0.08 } },
    });
    const fixture = createPipelineFixture({ users: 4 });
    const seen: DispatchEvent[] = [];
    const dispatcher = new Dispatcher({
      providers: (['mistral', 'together'] as const).map((name) => ({
        provider: createProvider(name, { apiKey: 'dispatch-key-1234', baseUrl: faulty.baseUrls[name] }),
        models: { tester: 'emulator-tester', assistant: 'emulator-assistant', rewriter: 'emulator-rewriter' },
        requestsPerSecond: 50,
        timeoutMs: 30_000,
      })),
      silence: { floorMs: FLOOR_MS, minimumSamples: 3, coldLimitMs: 3_000 },
      retry: { baseMs: 10 },
      health: { failureThreshold: 10 },
      onEvent: (event) => seen.push(event),
    });
    try {
      const saved = await Promise.all(
        Array.from({ length: 4 }, (_, index) =>
          fixture.pipeline.run({ conversationId: `hung-${index}`, requester: dispatcher.session(), signal: new AbortController().signal }),
        ),
      );
      expect(saved.map((conversation) => conversation.id)).toEqual(['hung-0', 'hung-1', 'hung-2', 'hung-3']);
      const counters = faulty.counters();
      const injected = counters.mistral.injected.hang + counters.mistral.injected.stall + counters.together.injected.hang + counters.together.injected.stall;
      expect(injected).toBeGreaterThan(0);
      const failures = seen.filter((event) => event.type === 'request-error');
      expect(failures.length).toBeGreaterThanOrEqual(injected);
      expect(failures.every((event) => event.type === 'request-error' && event.kind === 'timeout' && event.willRetry)).toBe(true);
      expect(faulty.heldResponses()).toBe(0);
    } finally {
      dispatcher.close();
      fixture.close();
      await faulty.close();
    }
  });
});
