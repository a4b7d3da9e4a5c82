import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import type { ChatProvider, DispatchEvent, ModelRequester, ProviderType } from '../../src/core/types.js';
import { Dispatcher, type DispatcherOptions, type DispatchLog } from '../../src/dispatcher/index.js';
import { startEmulator, type Emulator, type EmulatorProviderOptions } from '../../src/emulator/index.js';
import { createProvider } from '../../src/providers/create-provider.js';

/**
 * The dispatcher with a real SDK over real HTTP against the emulator's limiters: what it learns
 * from the server's answers, judged by what the server saw, not by the clock.
 */
const MODELS = { tester: 'emulator-tester', assistant: 'emulator-assistant', rewriter: 'emulator-rewriter' };

let emulator: Emulator | undefined;
let dispatcher: Dispatcher | undefined;
afterEach(async () => {
  dispatcher?.close();
  await emulator?.close();
  emulator = undefined;
  dispatcher = undefined;
});

interface Run {
  readonly dispatcher: Dispatcher;
  readonly emulator: Emulator;
  readonly events: (DispatchEvent & { readonly at: number })[];
  readonly logs: [string, string][];
}

/**
 * The real adapter, with some requests held up on their way out after the pacer let them start,
 * as a busy event loop or a loaded machine holds them: the server then sees them closer to the
 * request after them than they were sent.
 */
function delayedOnTheWay(provider: ChatProvider, share: number, maximumMs: number): ChatProvider {
  const random = createRandom(17);
  return {
    name: provider.name,
    complete: async (request) => {
      if (random() < share) await new Promise((resolve) => setTimeout(resolve, random() * maximumMs));
      return provider.complete(request);
    },
  };
}

async function start(
  provider: ProviderType,
  configuredPerSecond: number,
  server: EmulatorProviderOptions,
  wrap: (provider: ChatProvider) => ChatProvider = (adapter) => adapter,
  extra: Partial<DispatcherOptions> = {},
): Promise<Run> {
  emulator = await startEmulator({ seed: 5, providers: { [provider]: { strict: false, ...server } } });
  const events: Run['events'] = [];
  const logs: Run['logs'] = [];
  const log: DispatchLog = (level, message) => void logs.push([level, message]);
  dispatcher = new Dispatcher({
    providers: [
      {
        provider: wrap(createProvider(provider, { apiKey: 'strict-limiter-key-1234', baseUrl: emulator.baseUrls[provider] })),
        models: MODELS,
        requestsPerSecond: configuredPerSecond,
        timeoutMs: 10_000,
      },
    ],
    retry: { maxAttempts: 20 },
    expectedLatencyMs: 50,
    onEvent: (event) => events.push({ ...event, at: performance.now() }),
    log,
    ...extra,
  });
  return { dispatcher, emulator, events, logs };
}

async function conversation(requester: ModelRequester, requests: number): Promise<void> {
  for (let index = 0; index < requests; index++) {
    await requester.complete({ role: 'assistant', messages: [{ role: 'user', content: `question ${index}` }] });
  }
}

/** Runs `conversations` conversations of `requests` each, all at once. */
async function load(run: Run, conversations: number, requests: number): Promise<void> {
  await Promise.all(Array.from({ length: conversations }, () => conversation(run.dispatcher.session(), requests)));
}

describe('a strict sliding-window limiter', () => {
  it('with arrivals jittered on the way, the learned margin makes the 429s caused by our own pace stop after the first few', async () => {
    // Configured = enforced, 15 requests/s; one request in three held up to 150 ms after its
    // start: more than a loaded machine's own timer lateness loosens the pace by, so the window
    // refuses some whatever the load. A step of 25 ms (4 by default) lets the margin cover that
    // within the test's 150 requests; learned-margin-pacing.test.ts follows the default step over
    // thousands of requests on fake time, and shows the refusals going on all run without it.
    const run = await start('together', 15, { requestsPerSecond: 15, limiter: 'sliding-window' }, (adapter) => delayedOnTheWay(adapter, 1 / 3, 150), {
      margin: { marginStepMs: 25 },
    });
    await load(run, 15, 10);

    const starts = run.events.filter((event) => event.type === 'request-start');
    const refused = run.events.filter((event) => event.type === 'request-error' && event.kind === 'rate_limit');
    const counters = run.emulator.counters().together;
    expect(counters.rateLimited).toBe(refused.length);
    expect(counters.ok).toBe(150);
    // Without the margin about one request in seven would be refused all run long (ten or more in
    // the second half); the first refusals teach it...
    expect(refused.length).toBeGreaterThanOrEqual(3);
    // ...after which they stop: the second half of the run draws next to none.
    const half = starts[Math.floor(starts.length / 2)]?.at ?? 0;
    expect(refused.filter((event) => event.at >= half).length).toBeLessThanOrEqual(4);
    const pace = run.dispatcher.providerPaces().together;
    expect(pace).toMatchObject({ configuredPerSecond: 15, source: 'learned' });
    expect(pace!.marginMs).toBeGreaterThan(50);
    expect(pace!.currentPerSecond).toBeLessThan(15);
    expect(run.logs.filter(([, message]) => message.includes('learned margin'))).toHaveLength(1);
  });

  it("a busy server's 429s (not the limiter) do not teach a margin", async () => {
    const run = await start('together', 20, { requestsPerSecond: 20, faults: { rate429: 0.2 } });
    await load(run, 6, 10);
    expect(run.emulator.counters().together.injected['429']).toBeGreaterThan(5);
    expect(run.dispatcher.providerPaces().together).toMatchObject({ marginMs: 0, source: 'configured' });
  });
});

describe('rate-limit headers correct a misconfigured rate', () => {
  it('up: configured 2 requests/s on a 6 requests/s key, the Together headers raise the pace to 6', async () => {
    const run = await start('together', 2, { requestsPerSecond: 6, limiter: 'sliding-window', rateLimitHeaders: true });
    await load(run, 6, 5);
    const { arrivals, rateLimited } = run.emulator.counters().together;
    // 30 requests: at the configured 2/s they would take 14.5 s; at 6/s, under 5.
    const spanSeconds = ((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)) / 1000;
    expect((arrivals.length - 1) / spanSeconds).toBeGreaterThan(4.5);
    expect(rateLimited).toBeLessThanOrEqual(4);
    expect(run.dispatcher.providerPaces().together).toMatchObject({ configuredPerSecond: 2, source: 'headers' });
    expect(run.dispatcher.providerPaces().together!.currentPerSecond).toBeGreaterThan(5.5);
    // Said once, as a warning: the configuration is wrong.
    expect(run.logs.filter(([level]) => level === 'warn')).toEqual([
      ['warn', 'provider together: its rate-limit headers (x-ratelimit-* / x-tokenlimit-*) report 6 requests/s; pacing at that instead of the configured 2'],
    ]);
  });

  it('down: configured 10 requests/s on a 2 requests/s key, the OpenAI-style headers (per minute) slow it after the first reply', async () => {
    const run = await start('openai_compatible', 10, { requestsPerSecond: 2, limiter: 'sliding-window', rateLimitHeaders: true, tokensPerMinute: 900_000 });
    await load(run, 4, 3);
    const { arrivals, rateLimited, ok } = run.emulator.counters().openai_compatible;
    expect(ok).toBe(12);
    // Paced at 10/s, 12 requests would draw a 429 for four in five; corrected after the first
    // reply, only the starts made before it can be refused.
    expect(rateLimited).toBeLessThanOrEqual(3);
    const settled = arrivals.slice(4);
    expect(((settled.at(-1) ?? 0) - (settled[0] ?? 0)) / (settled.length - 1)).toBeGreaterThanOrEqual(450);
    expect(run.dispatcher.providerPaces().openai_compatible).toMatchObject({ configuredPerSecond: 10, source: 'headers' });
    const lines = run.logs.map(([level, message]) => `${level}: ${message}`);
    expect(lines.filter((line) => line.includes('report 2 requests/s; pacing at that instead of the configured 10'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('report 900,000 tokens/minute'))).toHaveLength(1);
  });
});
