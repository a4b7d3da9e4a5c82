import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { PROVIDER_NAMES, type ChatProvider, type WireMessage } from '../../src/core/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createProvider } from '../../src/providers/create-provider.js';
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

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 11 });
});
afterAll(async () => {
  await emulator.close();
});

describe.each(PROVIDER_NAMES)('the %s adapter', (name) => {
  let provider: ChatProvider;
  beforeAll(() => {
    provider = createProvider(name, { apiKey: KEY, baseUrl: emulator.baseUrls[name] });
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

  it('a successful call returns text, finish reason, usage, latency, provider and model', async () => {
    const result = await provider.complete({ model: 'emulator-assistant', messages: MESSAGES, maxTokens: 400, temperature: 0.7 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.provider).toBe(name);
    expect(result.model).toBe('emulator-assistant');
    expect(emulator.counters()[name].requests).toBe(1);
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

  it('a hung request ends at the timeout as a retryable timeout', async () => {
    emulator.configure(name, { faults: { rateHang: 1 } });
    const started = performance.now();
    const error = await expectProviderError(provider.complete({ model: 'emulator-tester', messages: MESSAGES, timeoutMs: 300 }));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(performance.now() - started).toBeLessThan(5_000);
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
    const unreachable = createProvider(name, { apiKey: KEY, baseUrl });
    const error = await expectProviderError(unreachable.complete({ model: 'emulator-tester', messages: MESSAGES }));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });

  it.each([
    ['JSON of the wrong shape', 'application/json', '{"hello": "world"}'],
    ['an HTML page', 'text/html', '<html><body>Bad gateway</body></html>'],
  ])('a 200 reply that is %s is a retryable malformed reply', async (_label, contentType, body) => {
    const server = await serveOnLoopback((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': contentType });
      response.end(body);
    });
    try {
      const baseUrl = emulator.baseUrls[name].replace(emulator.url, server.url);
      const odd = createProvider(name, { apiKey: KEY, baseUrl });
      const error = await expectProviderError(odd.complete({ model: 'emulator-tester', messages: MESSAGES }));
      expect(error).toMatchObject({ kind: 'malformed', retryable: true });
    } finally {
      await server.close();
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
