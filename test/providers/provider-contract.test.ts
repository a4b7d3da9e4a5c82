import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { PROVIDER_TYPES, type ChatProvider, type WireMessage } from '../../src/core/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createProvider, type ProviderConnection } from '../../src/providers/create-provider.js';
import type { AdapterLoading } from '../../src/providers/load-adapters.js';
import { startProviderThreads } from '../../src/providers/threaded-adapters.js';
import { findClosedPort, serveOnLoopback } from '../helpers/loopback-server.js';

/**
 * The one contract every adapter honours, run over real HTTP against the emulator with the real
 * SDK inside each adapter (Hono's shared-case style).
 */
const KEY = 'contract-key-7f3a9c2e51';
const MESSAGES: readonly WireMessage[] = [
  { role: 'system', content: 'You are Ada. Use <tool_call> tags for tools.' },
  { role: 'user', content: 'Hi Ada, can you remember that I like jazz?' },
];
const PROMPT_CHARACTERS = MESSAGES.reduce((sum, message) => sum + message.content.length, 0);

let emulator: Emulator;
// The same adapters in worker threads (--provider-threads): one thread per type for the whole file, as in a run.
let threads: AdapterLoading;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 11 });
  threads = startProviderThreads(PROVIDER_TYPES);
});
afterAll(async () => {
  await threads.close();
  await emulator.close();
});

type ProviderType = (typeof PROVIDER_TYPES)[number];
type Placement = 'in this thread' | 'in a provider thread';
const PLACEMENTS: readonly Placement[] = ['in this thread', 'in a provider thread'];

/** An adapter of `name` where `placement` says: the contract is the same either way. */
function adapterOf(placement: Placement, name: ProviderType, connection: ProviderConnection): ChatProvider {
  return placement === 'in this thread' ? createProvider(name, connection) : threads.deferred(name, connection);
}

/** A chunk every provider's client accepts (the OpenAI shape, with the fields Mistral and Together require). */
function chunk(content: string, finishReason: string | null = null): Record<string, unknown> {
  return {
    id: 'chatcmpl-fixture',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'fixture-model',
    choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: finishReason }],
  };
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

describe.each(PLACEMENTS.flatMap((placement) => PROVIDER_TYPES.map((name) => [name, placement] as const)))('the %s adapter %s', (name, placement) => {
  let provider: ChatProvider;
  beforeAll(async () => {
    provider = adapterOf(placement, name, { apiKey: KEY, baseUrl: emulator.baseUrls[name] });
    await provider.ready;
  });
  afterEach(() => {
    emulator.configure(name, {});
    emulator.resetCounters();
  });

  const expectProviderError = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProviderError);
    const providerError = error as ProviderError;
    expect(providerError.provider).toBe(name);
    expect(providerError.message).not.toContain(KEY);
    expect(JSON.stringify(providerError.body ?? '')).not.toContain(KEY);
    return providerError;
  };

  it('a successful call streams the reply: text, finish reason, reported usage, latency, timings, provider and model', async () => {
    emulator.configure(name, { latency: { medianMs: 200, sigma: 0 } });
    const result = await provider.complete({ model: 'emulator-assistant', messages: MESSAGES, maxTokens: 400, temperature: 0.7 });
    expect(result.text).toMatch(/^<think>[\s\S]+<\/think>\n\S/);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ inputTokens: Math.ceil(PROMPT_CHARACTERS / 4), outputTokens: Math.ceil(result.text.length / 4) });
    expect(result.latencyMs).toBeGreaterThanOrEqual(190);
    expect(result.firstByteMs).toBeGreaterThan(0);
    expect(result.firstByteMs).toBeLessThan(result.latencyMs);
    expect(result.longestSilenceMs).toBeGreaterThan(0);
    expect(result.provider).toBe(name);
    expect(result.model).toBe('emulator-assistant');
    expect(emulator.counters()[name]).toMatchObject({ requests: 1, ok: 1, streamed: 1 });
  });

  // onResponse is a function: it stays with an adapter in this thread (a provider thread refuses it, tested there).
  it.skipIf(placement === 'in a provider thread')('every response reaches onResponse as its headers arrive, a success and a 429 alike', async () => {
    const seen: Response[] = [];
    const observed = createProvider(name, { apiKey: KEY, baseUrl: emulator.baseUrls[name], onResponse: (response) => seen.push(response) });
    await observed.complete({ model: 'emulator-tester', messages: MESSAGES });
    emulator.configure(name, { faults: { rate429: 1 } });
    await expectProviderError(observed.complete({ model: 'emulator-tester', messages: MESSAGES }));
    expect(seen.map((response) => response.status)).toEqual([200, 429]);
    expect(seen[0]?.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(Number(seen[1]?.headers.get('retry-after-ms'))).toBeGreaterThan(0);
  });

  it('a reply cut by max tokens reports finish reason length', async () => {
    const result = await provider.complete({ model: 'emulator-assistant', messages: MESSAGES, maxTokens: 3 });
    expect(result.finishReason).toBe('length');
  });

  it('a 429 with Retry-After surfaces the delay the server asked for', async () => {
    emulator.configure(name, { faults: { rate429: 1 } });
    const error = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES }));
    expect(error).toMatchObject({ kind: 'rate_limit', status: 429, retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });

  it('a 500 is a retryable server error', async () => {
    emulator.configure(name, { faults: { rate500: 1 } });
    const error = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES }));
    expect(error).toMatchObject({ kind: 'server', status: 500, retryable: true });
  });

  it('a 503 is a retryable server error after exactly one request', async () => {
    emulator.configure(name, { faults: { rate503: 1 } });
    const error = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES }));
    expect(error).toMatchObject({ kind: 'server', status: 503, retryable: true });
    expect(emulator.counters()[name].requests).toBe(1);
  });

  it('a malformed body is a retryable malformed-reply error', async () => {
    emulator.configure(name, { faults: { rateMalformed: 1 } });
    const error = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES }));
    expect(error).toMatchObject({ kind: 'malformed', retryable: true });
  });

  it('a hung request with no silence limit ends at the outer timeout as a retryable timeout', async () => {
    emulator.configure(name, { faults: { rateHang: 1 } });
    const started = performance.now();
    const error = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES, timeoutMs: 300 }));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.message).toContain('timed out after 300 ms');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a hung request fails at the first-byte limit as a timeout that says so', async () => {
    emulator.configure(name, { faults: { rateHang: 1 } });
    const started = performance.now();
    const error = await expectProviderError(
      provider.complete({ model: 'emulator-tester', messages: MESSAGES, timeoutMs: 60_000, firstByteTimeoutMs: 200, idleTimeoutMs: 10_000 }),
    );
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.message).toContain('no first byte within 200 ms');
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('a stream that stalls after its first chunks fails at the idle limit as a timeout that says so', async () => {
    emulator.configure(name, { faults: { rateStall: 1 }, latency: { medianMs: 100, sigma: 0 }, streamChunkCharacters: 8 });
    const started = performance.now();
    const error = await expectProviderError(
      provider.complete({ model: 'emulator-tester', messages: MESSAGES, timeoutMs: 60_000, firstByteTimeoutMs: 5_000, idleTimeoutMs: 200 }),
    );
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.message).toContain('stream stalled for 200 ms');
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(emulator.counters()[name].injected.stall).toBe(1);
  });

  it('with the whole reply in one chunk, a malformed stream is still a malformed reply and a stall still a timeout', async () => {
    emulator.configure(name, { faults: { rateMalformed: 1 }, latency: { medianMs: 40, sigma: 0 }, streamChunkCharacters: 100_000 });
    const malformed = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES, timeoutMs: 5_000 }));
    expect(malformed).toMatchObject({ kind: 'malformed', retryable: true });
    emulator.configure(name, { faults: { rateStall: 1 }, latency: { medianMs: 40, sigma: 0 }, streamChunkCharacters: 100_000 });
    const stalled = await expectProviderError(
      provider.complete({ model: 'emulator-tester', messages: MESSAGES, timeoutMs: 60_000, firstByteTimeoutMs: 5_000, idleTimeoutMs: 200 }),
    );
    expect(stalled.message).toContain('stream stalled for 200 ms');
  });

  it('a slow but steady stream, longer than both silence limits together, completes', async () => {
    emulator.configure(name, { latency: { medianMs: 1_500, sigma: 0, firstChunkShare: 0.1 }, streamChunkCharacters: 8 });
    const result = await provider.complete({
      model: 'emulator-assistant',
      messages: MESSAGES,
      timeoutMs: 60_000,
      firstByteTimeoutMs: 500,
      idleTimeoutMs: 400,
    });
    expect(result.finishReason).toBe('stop');
    expect(result.latencyMs).toBeGreaterThan(1_400);
    expect(result.longestSilenceMs).toBeLessThan(400);
  });

  it('timeout_ms stays the outer bound: a steady stream longer than it fails as a timeout', async () => {
    emulator.configure(name, { latency: { medianMs: 1_500, sigma: 0, firstChunkShare: 0.1 }, streamChunkCharacters: 8 });
    const error = await expectProviderError(
      provider.complete({ model: 'emulator-assistant', messages: MESSAGES, timeoutMs: 600, firstByteTimeoutMs: 500, idleTimeoutMs: 400 }),
    );
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.message).toContain('timed out after 600 ms');
  });

  it('an abort from the caller rejects promptly and is not retryable', async () => {
    emulator.configure(name, { faults: { rateHang: 1 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES, signal: controller.signal }));
    expect(error).toMatchObject({ kind: 'aborted', retryable: false });
  });

  it('a reset connection is a retryable network error', async () => {
    emulator.configure(name, { faults: { rateReset: 1 } });
    const error = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES }));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });

  it('a refused connection is a retryable network error', async () => {
    const closedPort = await findClosedPort();
    const baseUrl = emulator.baseUrls[name].replace(emulator.url, `http://127.0.0.1:${closedPort}`);
    const unreachable = adapterOf(placement, name, { apiKey: KEY, baseUrl });
    const error = await expectProviderError(unreachable.complete({ model: 'emulator-tester', messages: MESSAGES }));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });

  /** Answers every request with these raw bytes, as a server that streams them would. */
  async function providerServing(contentType: string, body: string): Promise<{ provider: ChatProvider; close: () => Promise<void> }> {
    const server = await serveOnLoopback((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': contentType });
      response.end(body);
    });
    const baseUrl = emulator.baseUrls[name].replace(emulator.url, server.url);
    return { provider: adapterOf(placement, name, { apiKey: KEY, baseUrl }), close: () => server.close() };
  }

  it.each([
    ['JSON of the wrong shape', 'application/json', '{"hello": "world"}'],
    ['an HTML page', 'text/html', '<html><body>Bad gateway</body></html>'],
    ['an event stream with a chunk of the wrong shape', 'text/event-stream', `${sse(chunk('Hi'))}data: {"choices": "none"}\n\ndata: [DONE]\n\n`],
    ['an event stream with a chunk cut mid-JSON', 'text/event-stream', `${sse(chunk('Hi'))}data: {"id": "x", "choi\n\n`],
    ['an event stream that ends before its finish reason', 'text/event-stream', `${sse(chunk('Hi'))}${sse(chunk(' there'))}`],
  ])('a 200 reply that is %s is a retryable malformed reply', async (_label, contentType, body) => {
    const served = await providerServing(contentType, body);
    try {
      const error = await expectProviderError(served.provider.complete({ model: 'emulator-tester', messages: MESSAGES }));
      expect(error).toMatchObject({ kind: 'malformed', retryable: true });
    } finally {
      await served.close();
    }
  });

  it('an error the server sends inside a started stream is a retryable failure', async () => {
    const served = await providerServing('text/event-stream', `${sse(chunk('Hi'))}data: {"error": {"message": "model overloaded", "type": "server_error"}}\n\n`);
    try {
      const error = await expectProviderError(served.provider.complete({ model: 'emulator-tester', messages: MESSAGES }));
      expect(error.retryable).toBe(true);
      expect(['server', 'malformed']).toContain(error.kind);
    } finally {
      await served.close();
    }
  });

  it('a stream that reports no usage gets usage estimated from characters, and says so', async () => {
    const served = await providerServing('text/event-stream', `${sse(chunk('Hello there, '))}${sse(chunk('friend.', 'stop'))}data: [DONE]\n\n`);
    try {
      const result = await served.provider.complete({ model: 'emulator-tester', messages: MESSAGES });
      expect(result.text).toBe('Hello there, friend.');
      expect(result.finishReason).toBe('stop');
      expect(result.usage).toEqual({ inputTokens: Math.ceil(PROMPT_CHARACTERS / 4), outputTokens: Math.ceil(20 / 4), estimated: true });
    } finally {
      await served.close();
    }
  });

  it('a rejected key is an auth error that is not retried and does not echo the key', async () => {
    emulator.configure(name, { authFailure: true });
    const error = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES }));
    expect(error).toMatchObject({ kind: 'auth', status: 401, retryable: false });
  });

  it('a request the API refuses (last message from the assistant) is a bad request, not retried', async () => {
    const error = await expectProviderError(
      provider.complete({ model: 'emulator-tester', messages: [...MESSAGES, { role: 'assistant', content: 'Sure.' }] }),
    );
    expect(error).toMatchObject({ kind: 'bad_request', status: 400, retryable: false });
  });
});
