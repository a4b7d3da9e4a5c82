import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { retryAfterHeaders, TokenBucket } from '../../src/emulator/rate-limiter.js';
import { conversation, postChat } from './chat-helpers.js';

const BODY = { model: 'bench-tester', messages: conversation('hello there') };

describe('token bucket', () => {
  it('a burst drains the bucket and the refusal says how long until the next token', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 2 }, 0);
    expect(bucket.take(0).allowed).toBe(true);
    expect(bucket.take(0).allowed).toBe(true);
    expect(bucket.take(0)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(bucket.take(250)).toEqual({ allowed: false, retryAfterMs: 250 });
    expect(bucket.take(500).allowed).toBe(true);
  });

  it('a client taking exactly one token per interval is never refused, even after the bucket empties', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 1 }, 0);
    for (let tick = 0; tick < 1000; tick++) expect(bucket.take(tick * 100).allowed).toBe(true);
  });

  it('a fractional rate below one per second still allows one request, then asks for whole seconds', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 0.5 }, 0);
    expect(bucket.take(0).allowed).toBe(true);
    const refused = bucket.take(100);
    expect(refused).toEqual({ allowed: false, retryAfterMs: 1900 });
    expect(retryAfterHeaders(1900)).toEqual({ 'retry-after': '2', 'retry-after-ms': '1900' });
    expect(retryAfterHeaders(20)).toEqual({ 'retry-after': '1', 'retry-after-ms': '20' });
  });

  it('rejects a rate that is not a positive number with a message naming it', () => {
    expect(() => new TokenBucket({ requestsPerSecond: -1 }, 0)).toThrow('Expected `requestsPerSecond` to be a finite number > 0, got `-1` (number)');
  });
});

describe('rate limiting over HTTP', () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('requests above 20/s get 429 with Retry-After and retry-after-ms and a provider-shaped body', async () => {
    emulator = await startEmulator({ providers: { together: { requestsPerSecond: 20 } } });
    const running = emulator;
    const replies = await Promise.all(Array.from({ length: 40 }, () => postChat(running, 'together', BODY)));
    const limited = replies.filter((reply) => reply.status === 429);
    const served = replies.filter((reply) => reply.status === 200).length;
    // The bucket holds 20 and refills one token per 50 ms while the burst is still arriving.
    const { arrivals } = running.counters().together;
    const spreadMs = (arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0);
    expect(served).toBeGreaterThanOrEqual(20);
    expect(served).toBeLessThanOrEqual(20 + Math.floor(spreadMs / 50) + 1);
    expect(limited.length).toBe(40 - served);
    expect(limited.length).toBeGreaterThan(0);
    for (const reply of limited) {
      const seconds = Number(reply.headers.get('retry-after'));
      const milliseconds = Number(reply.headers.get('retry-after-ms'));
      expect(Number.isInteger(seconds) && seconds >= 1).toBe(true);
      expect(milliseconds).toBeGreaterThan(0);
      expect(milliseconds).toBeLessThanOrEqual(seconds * 1000);
      expect(JSON.parse(reply.text).error).toMatchObject({ type: 'rate_limit_exceeded', message: expect.any(String) });
    }
    const counters = running.counters().together;
    expect(counters).toMatchObject({ requests: 40, ok: served, rateLimited: limited.length });
    expect(counters.injected['429']).toBe(0);
    expect(running.counters().mistral.requests).toBe(0);
  });

  it('a client spaced exactly at 20/s for longer than the burst gets no 429', async () => {
    emulator = await startEmulator({ defaults: { requestsPerSecond: 20 } });
    const running = emulator;
    const count = 36;
    const startedAt = performance.now();
    const replies = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, startedAt + index * 50 - performance.now()))).then(() =>
          postChat(running, 'mistral', BODY),
        ),
      ),
    );
    expect(replies.map((reply) => reply.status)).toEqual(new Array<number>(count).fill(200));
    const { arrivals, rateLimited } = running.counters().mistral;
    expect(rateLimited).toBe(0);
    expect(arrivals).toHaveLength(count);
    // More requests than the bucket holds, over more than one second: the refill was exercised.
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(1500);
  });

  it('configure takes a provider down and brings it back, with a fresh bucket', async () => {
    emulator = await startEmulator({ providers: { huggingface: { requestsPerSecond: 1 } } });
    expect((await postChat(emulator, 'huggingface', BODY)).status).toBe(200);
    expect((await postChat(emulator, 'huggingface', BODY)).status).toBe(429);
    emulator.configure('huggingface', { faults: { rate503: 1 } });
    const down = await postChat(emulator, 'huggingface', BODY);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text)).toEqual({ error: expect.any(String), error_type: 'overloaded' });
    emulator.configure('huggingface', {});
    expect((await postChat(emulator, 'huggingface', BODY)).status).toBe(200);
    expect(emulator.counters().huggingface).toMatchObject({ requests: 4, ok: 2, rateLimited: 1 });
  });

  it('arrivals are monotonic ms since start and resetCounters clears them', async () => {
    emulator = await startEmulator();
    for (let index = 0; index < 3; index++) await postChat(emulator, 'openai_compatible', BODY);
    const { arrivals } = emulator.counters().openai_compatible;
    expect(arrivals).toHaveLength(3);
    expect([...arrivals].sort((a, b) => a - b)).toEqual(arrivals);
    expect(arrivals[0]).toBeGreaterThanOrEqual(0);
    emulator.resetCounters();
    expect(emulator.counters().openai_compatible).toMatchObject({ requests: 0, arrivals: [] });
    const served = (await (await fetch(`${emulator.url}/_emulator/counters`)).json()) as ReturnType<Emulator['counters']>;
    expect(served.openai_compatible.requests).toBe(0);
  });
});
