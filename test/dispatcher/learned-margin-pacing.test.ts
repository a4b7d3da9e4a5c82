import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { createRandom } from '../../src/core/random.js';
import type { ChatProvider, ChatRequest, ChatResult, ModelRequester } from '../../src/core/types.js';
import { Dispatcher, type DispatcherOptions } from '../../src/dispatcher/index.js';
import { SlidingWindowLimiter } from '../../src/emulator/rate-limiter.js';
import { settleAll, userTurn } from './fake-provider.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A server behind the emulator's own strict sliding window, on fake time: each request reaches it
 * after a seeded delay (one in five held up to `maximumDelayMs`, as a busy machine holds them),
 * and answers at once, or 429 with the limiter's Retry-After.
 */
class StrictServer implements ChatProvider {
  readonly name = 'together' as const;
  readonly outcomes: { readonly at: number; readonly refused: boolean }[] = [];
  private readonly limiter: SlidingWindowLimiter;
  private readonly random = createRandom(42);

  constructor(
    requestsPerSecond: number,
    private readonly maximumDelayMs: number,
  ) {
    this.limiter = new SlidingWindowLimiter({ requestsPerSecond });
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    const delay = this.random() < 0.2 ? this.random() * this.maximumDelayMs : 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const decision = this.limiter.take(Date.now());
    this.outcomes.push({ at: Date.now(), refused: !decision.allowed });
    if (!decision.allowed) {
      throw new ProviderError('together: HTTP 429', {
        provider: 'together',
        kind: 'rate_limit',
        status: 429,
        retryAfterMs: decision.retryAfterMs,
        body: '{"error":{"message":"Rate limit exceeded: too many requests.","type":"rate_limit_exceeded"}}',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 }, latencyMs: 20, provider: 'together', model: request.model };
  }

  /** Share of the requests in [from, to) of the run (as fractions of its arrivals) that were refused. */
  refusedShare(from: number, to: number): number {
    const part = this.outcomes.slice(Math.floor(from * this.outcomes.length), Math.floor(to * this.outcomes.length));
    return part.filter((outcome) => outcome.refused).length / part.length;
  }
}

async function conversation(requester: ModelRequester, requests: number): Promise<void> {
  for (let index = 0; index < requests; index++) await requester.complete({ role: 'assistant', messages: userTurn });
}

async function run(server: StrictServer, requestsPerSecond: number, extra: Partial<DispatcherOptions> = {}): Promise<Dispatcher> {
  const dispatcher = new Dispatcher({
    providers: [{ provider: server, models: { tester: 't', assistant: 'a', rewriter: 'r' }, requestsPerSecond }],
    retry: { maxAttempts: 50 },
    random: createRandom(3),
    ...extra,
  });
  const results = await settleAll(Array.from({ length: 40 }, () => conversation(dispatcher.session(), 100)));
  expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
  return dispatcher;
}

describe('the learned margin against a strict sliding window (fake time)', () => {
  it('configured = enforced at 8/s with arrivals delayed up to 30 ms: refusals stop once the margin covers the delays', async () => {
    const server = new StrictServer(8, 30);
    const dispatcher = await run(server, 8);
    // 4,000 requests, every start exactly on pace: the first refusals teach, then they stop.
    expect(server.outcomes.filter((outcome) => outcome.refused).length).toBeGreaterThanOrEqual(5);
    expect(server.refusedShare(0.5, 1)).toBeLessThan(0.005);
    const pace = dispatcher.providerPaces().together!;
    expect(pace.source).toBe('learned');
    // Enough to cover most of the delays, not so much that a tenth of the rate is lost.
    expect(pace.marginMs).toBeGreaterThan(10);
    expect(pace.currentPerSecond).toBeGreaterThan(7.6);
  });

  it('without it (no step), the same server refuses about one request in seven all run long', async () => {
    const server = new StrictServer(8, 30);
    await run(server, 8, { margin: { marginStepMs: 0 } });
    expect(server.refusedShare(0.5, 1)).toBeGreaterThan(0.1);
  });

  it('a rate configured 10 % above the enforced one converges to the real limit', async () => {
    const server = new StrictServer(10, 0);
    const dispatcher = await run(server, 11);
    expect(server.refusedShare(0.5, 1)).toBeLessThan(0.01);
    const pace = dispatcher.providerPaces().together!;
    expect(pace.currentPerSecond).toBeLessThanOrEqual(10.05);
    expect(pace.currentPerSecond).toBeGreaterThan(9.5);
  });
});
