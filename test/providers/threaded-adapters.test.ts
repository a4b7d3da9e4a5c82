import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import type { ChatProvider, ProviderType, WireMessage } from '../../src/core/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createProvider } from '../../src/providers/create-provider.js';
import type { AdapterLoading } from '../../src/providers/load-adapters.js';
import { startProviderThreads } from '../../src/providers/threaded-adapters.js';
import { runRecordingResolutions } from '../helpers/resolved-modules.js';
import { REPOSITORY_ROOT } from '../helpers/run-cli.js';

/**
 * What is particular to adapters in worker threads (--provider-threads); what they share with the
 * adapters in this thread (replies, every error kind, silence limits, aborts) is the provider
 * contract, which runs over both.
 */
const KEY = 'threaded-key-5d81c0a9e3';
const MESSAGES: readonly WireMessage[] = [{ role: 'user', content: 'Hello Ada, how was your day?' }];

/** Runs `use` with provider threads of `types`, closed afterwards whatever happens. */
async function withThreads(types: readonly ProviderType[], options: { readonly entry?: URL }, use: (adapters: AdapterLoading) => Promise<void>): Promise<void> {
  const adapters = startProviderThreads(types, options);
  try {
    await use(adapters);
  } finally {
    await adapters.close();
  }
}

describe('provider SDKs in worker threads', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 17 });
  });
  afterEach(() => {
    emulator.configure('together', {});
    emulator.resetCounters();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('the main thread never loads an SDK, yet both providers answer', async () => {
    const threads = pathToFileURL(path.join(REPOSITORY_ROOT, 'dist/providers/threaded-adapters.js')).href;
    const { urls, result } = await runRecordingResolutions(`
      const { startProviderThreads } = await import(${JSON.stringify(threads)});
      const adapters = startProviderThreads(['mistral', 'together']);
      const mistral = adapters.deferred('mistral', { apiKey: ${JSON.stringify(KEY)}, baseUrl: ${JSON.stringify(emulator.baseUrls.mistral)} });
      const together = adapters.deferred('together', { apiKey: ${JSON.stringify(KEY)}, baseUrl: ${JSON.stringify(emulator.baseUrls.together)} });
      await adapters.loaded;
      const request = { model: 'emulator-tester', messages: ${JSON.stringify(MESSAGES)} };
      const replies = await Promise.all([mistral.complete(request), together.complete(request)]);
      await adapters.close();
      return replies.map((reply) => ({ provider: reply.provider, finishReason: reply.finishReason, text: reply.text.length > 0 }));`);
    expect(result).toEqual([
      { provider: 'mistral', finishReason: 'stop', text: true },
      { provider: 'together', finishReason: 'stop', text: true },
    ]);
    expect(urls.some((url) => url.includes('/dist/providers/threaded-adapters.js'))).toBe(true);
    expect(urls.filter((url) => url.includes('/node_modules/@mistralai/') || url.includes('/node_modules/together-ai/'))).toEqual([]);
    expect(emulator.counters()).toMatchObject({ mistral: { ok: 1 }, together: { ok: 1 } });
  });

  it.each([
    ['made its requests', `const reply = await together.complete({ model: 'emulator-tester', messages: ${JSON.stringify(MESSAGES)} }); process.stdout.write(reply.finishReason);`, 'stop'],
    ['never asked anything', `await adapters.loaded; process.stdout.write('loaded');`, 'loaded'],
  ])('idle threads hold nothing open: a process that %s and closed nothing ends on its own', async (_label, body, printed) => {
    const module = pathToFileURL(path.join(REPOSITORY_ROOT, 'dist/providers/threaded-adapters.js')).href;
    const script = `
      const { startProviderThreads } = await import(${JSON.stringify(module)});
      const adapters = startProviderThreads(['together']);
      const together = adapters.deferred('together', { apiKey: ${JSON.stringify(KEY)}, baseUrl: ${JSON.stringify(emulator.baseUrls.together)} });
      ${body}`;
    const exit = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(exit).toEqual({ code: 0, stdout: printed });
  });

  it('two instances of one type share its thread, each answering under its own name', async () => {
    await withThreads(['together'], {}, async (adapters) => {
      const first = adapters.deferred('together', { name: 'together-a', apiKey: `${KEY}-a`, baseUrl: emulator.baseUrls.together });
      const second = adapters.deferred('together', { name: 'together-b', apiKey: `${KEY}-b`, baseUrl: emulator.baseUrls.together });
      expect([first.name, second.name]).toEqual(['together-a', 'together-b']);
      const [a, b] = await Promise.all([first, second].map((provider) => provider.complete({ model: 'emulator-tester', messages: MESSAGES })));
      expect([a?.provider, b?.provider]).toEqual(['together-a', 'together-b']);
      expect(emulator.counters().together.ok).toBe(2);
    });
  });

  it('a rate-limit error crosses whole: the same ProviderError as the adapter in this thread raises, its cause named, no key', async () => {
    await withThreads(['together'], {}, async (adapters) => {
      const threaded = adapters.deferred('together', { apiKey: KEY, baseUrl: emulator.baseUrls.together });
      const local = createProvider('together', { apiKey: KEY, baseUrl: emulator.baseUrls.together });
      // A limiter's own 429: one request a second, the second at once, so the answer carries rate-limit headers.
      emulator.configure('together', { requestsPerSecond: 1, burst: 1, rateLimitHeaders: true });
      const request = { model: 'emulator-tester', messages: MESSAGES };
      const fieldsOf = async (provider: ChatProvider) => {
        await provider.complete(request).catch(() => undefined);
        const error = await provider.complete(request).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ProviderError);
        const { provider: name, kind, status, retryable, body, rateLimit, message } = error as ProviderError;
        const retryAfter = (error as ProviderError).retryAfterMs !== undefined;
        return { name, kind, status, retryable, body, rateLimit, message, retryAfter, cause: ((error as Error).cause as Error | undefined)?.name };
      };
      const fromThread = await fieldsOf(threaded);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const fromHere = await fieldsOf(local);
      expect(fromThread).toMatchObject({ name: 'together', kind: 'rate_limit', status: 429, retryable: true, retryAfter: true });
      expect(fromThread.rateLimit?.requests).toBeDefined();
      expect({ ...fromThread, rateLimit: undefined, message: undefined }).toEqual({ ...fromHere, rateLimit: undefined, message: undefined });
      expect(fromThread.rateLimit?.style).toBe(fromHere.rateLimit?.style);
      expect(JSON.stringify(fromThread)).not.toContain(KEY);
    });
  });

  it('a request whose signal is already aborted fails as aborted, not retried', async () => {
    await withThreads(['together'], {}, async (adapters) => {
      const provider = adapters.deferred('together', { apiKey: KEY, baseUrl: emulator.baseUrls.together });
      const error = await provider.complete({ model: 'emulator-tester', messages: MESSAGES, signal: AbortSignal.abort() }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ kind: 'aborted', retryable: false });
    });
  });

  it('closing fails the requests in flight as aborted, saying why, and every later one the same way', async () => {
    const adapters = startProviderThreads(['together']);
    const provider = adapters.deferred('together', { apiKey: KEY, baseUrl: emulator.baseUrls.together });
    await provider.ready;
    emulator.configure('together', { faults: { rateHang: 1 } });
    const hung = provider.complete({ model: 'emulator-tester', messages: MESSAGES }).catch((caught: unknown) => caught);
    while (emulator.counters().together.requests === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await adapters.close();
    expect(await hung).toMatchObject({ kind: 'aborted', retryable: false, message: 'together: the run is over' });
    const later = await provider.complete({ model: 'emulator-tester', messages: MESSAGES }).catch((caught: unknown) => caught);
    expect(later).toMatchObject({ kind: 'aborted', message: 'together: the run is over' });
  });

  it('an instance whose SDK refuses its connection fails its own requests only; the other instances of the type go on', async () => {
    await withThreads(['openai_compatible'], {}, async (adapters) => {
      // The openai SDK throws from its constructor without a key.
      const keyless = adapters.deferred('openai_compatible', { name: 'local-a', apiKey: '', baseUrl: emulator.baseUrls.openai_compatible });
      const keyed = adapters.deferred('openai_compatible', { name: 'local-b', apiKey: KEY, baseUrl: emulator.baseUrls.openai_compatible });
      const error = await keyless.complete({ model: 'emulator-tester', messages: MESSAGES }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/apiKey|API key|credentials/i);
      expect(await keyed.complete({ model: 'emulator-tester', messages: MESSAGES })).toMatchObject({ provider: 'local-b', finishReason: 'stop' });
    });
  });

  it('a connection with functions (onResponse, now) is refused: they cannot cross to the thread', async () => {
    await withThreads(['together'], {}, async (adapters) => {
      expect(() => adapters.deferred('together', { apiKey: KEY, baseUrl: emulator.baseUrls.together, onResponse: () => undefined })).toThrow(
        'A provider thread takes a name, a key and a base URL only: onResponse and now need the adapter in this thread (loadAdapters).',
      );
    });
  });
});

describe('a provider thread that dies mid-run', () => {
  const entry = new URL('./fixtures/dying-provider-thread.mjs', import.meta.url);
  const say = (content: string) => ({ model: 'm', messages: [{ role: 'user' as const, content }] });

  it('fails the requests it held as retryable server errors, then is started again with the same connections', async () => {
    await withThreads(['together'], { entry }, async (adapters) => {
      const provider = adapters.deferred('together', { name: 'together-b', apiKey: KEY, baseUrl: 'http://127.0.0.1:9/v1' });
      const before = (await provider.complete(say('hello'))).text;
      const held = provider.complete(say('hold')).catch((caught: unknown) => caught);
      const dying = provider.complete(say('die now')).catch((caught: unknown) => caught);
      for (const error of [await held, await dying]) {
        expect(error).toBeInstanceOf(ProviderError);
        expect(error).toMatchObject({ provider: 'together-b', kind: 'server', retryable: true });
        expect((error as Error).message).toBe('together-b: the together provider thread stopped (an SDK callback threw)');
      }
      const after = await provider.complete(say('hello'));
      expect(after).toMatchObject({ provider: 'together-b', finishReason: 'stop' });
      expect(after.text).not.toBe(before);
    });
  });

  it('says so each time it starts again; the fourth death within ten minutes is the run\'s failure, not a provider failing all night', async () => {
    await withThreads(['together'], { entry }, async (adapters) => {
      const restarts: string[] = [];
      const failures: unknown[] = [];
      adapters.onRestart((message) => restarts.push(message));
      adapters.onFailure((error) => failures.push(error));
      const provider = adapters.deferred('together', { apiKey: KEY, baseUrl: 'http://127.0.0.1:9/v1' });
      for (let death = 0; death < 3; death += 1) await provider.complete(say('die now')).catch(() => undefined);
      expect(restarts).toEqual([1, 2, 3].map((count) => `the together provider thread stopped (an SDK callback threw); started again (${count} of 3 restarts in 10 minutes)`));
      expect(failures).toEqual([]);
      await provider.complete(say('die now')).catch(() => undefined);
      expect(failures).toHaveLength(1);
      expect((failures[0] as Error).message).toBe('The together provider thread keeps dying: the together provider thread stopped (an SDK callback threw), the 4th time in 10 minutes.');
      expect(await provider.complete(say('hello')).catch((caught: unknown) => caught)).toMatchObject({ kind: 'aborted' });
    });
  });

  it('a crash message that quotes a key names no key in the errors it causes', async () => {
    await withThreads(['together'], { entry }, async (adapters) => {
      const provider = adapters.deferred('together', { apiKey: KEY, baseUrl: 'http://127.0.0.1:9/v1' });
      const error = await provider.complete(say(`die now quoting ${KEY}`)).catch((caught: unknown) => caught);
      expect((error as Error).message).toContain('[REDACTED]');
      expect((error as Error).message).not.toContain(KEY);
    });
  });
});
