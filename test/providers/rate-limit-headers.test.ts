import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { limitPerMinute, limitPerSecond, parseGoDuration, parseRateLimitHeaders } from '../../src/providers/rate-limit-headers.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { ProviderError } from '../../src/core/errors.js';
import { conversation, postChat } from '../emulator/chat-helpers.js';

/** Header sets as each provider documents or sends them (values from their docs and real replies). */
const FIXTURES = {
  // https://platform.openai.com/docs/guides/rate-limits: per-minute limits, Go-duration resets.
  openai: {
    'x-ratelimit-limit-requests': '60',
    'x-ratelimit-limit-tokens': '150000',
    'x-ratelimit-remaining-requests': '59',
    'x-ratelimit-remaining-tokens': '149984',
    'x-ratelimit-reset-requests': '1s',
    'x-ratelimit-reset-tokens': '6m0s',
  },
  // https://docs.together.ai/docs/rate-limits: per second.
  together: {
    'x-ratelimit-limit': '10',
    'x-ratelimit-remaining': '9',
    'x-ratelimit-reset': '1',
    'x-tokenlimit-limit': '3000',
    'x-tokenlimit-remaining': '2950',
  },
  // Mistral: tokens only, per minute and per month, reset in seconds.
  mistral: {
    'x-ratelimitbysize-limit-minute': '500000',
    'x-ratelimitbysize-remaining-minute': '499100',
    'x-ratelimitbysize-limit-month': '1000000000',
    'x-ratelimitbysize-remaining-month': '999123456',
    'ratelimitbysize-limit': '500000',
    'ratelimitbysize-remaining': '499100',
    'ratelimitbysize-reset': '41',
    'ratelimitbysize-query-cost': '900',
  },
} as const;

describe('rate-limit headers, per provider', () => {
  it('OpenAI: requests and tokens per minute, resets as Go durations', () => {
    const snapshot = parseRateLimitHeaders(new Headers({ ...FIXTURES.openai, 'x-ratelimit-reset-tokens': '6ms' }));
    expect(snapshot).toEqual({
      style: 'openai',
      requests: { limit: 60, windowMs: 60_000, remaining: 59, resetMs: 1000 },
      tokens: { limit: 150_000, windowMs: 60_000, remaining: 149_984, resetMs: 6 },
    });
    expect(limitPerSecond(snapshot!.requests!)).toBe(1);
    expect(limitPerMinute(snapshot!.tokens!)).toBe(150_000);
  });

  it("OpenAI's own example resets tokens in 6m0s, longer than their minute: that limit is not paced on", () => {
    expect(parseRateLimitHeaders(new Headers(FIXTURES.openai))).toEqual({
      style: 'openai',
      requests: { limit: 60, windowMs: 60_000, remaining: 59, resetMs: 1000 },
    });
  });

  it('Together: requests and tokens per second', () => {
    const snapshot = parseRateLimitHeaders(new Headers(FIXTURES.together));
    expect(snapshot).toEqual({
      style: 'together',
      requests: { limit: 10, windowMs: 1000, remaining: 9, resetMs: 1000 },
      tokens: { limit: 3000, windowMs: 1000, remaining: 2950 },
    });
    expect(limitPerSecond(snapshot!.requests!)).toBe(10);
    expect(limitPerMinute(snapshot!.tokens!)).toBe(180_000);
  });

  it('Mistral: tokens per minute only; the monthly budget is not a pace', () => {
    expect(parseRateLimitHeaders(new Headers(FIXTURES.mistral))).toEqual({
      style: 'mistral',
      tokens: { limit: 500_000, windowMs: 60_000, remaining: 499_100, resetMs: 41_000 },
    });
  });

  it('a daily request limit under the per-minute name is not taken for a minute; a window spelled out is, and the tightest wins', () => {
    // 200 requests a day (an OpenAI free tier, xAI): one used, back in 7m12s. 200 a minute would
    // be 800 times too fast.
    const daily = parseRateLimitHeaders(
      new Headers({ 'x-ratelimit-limit-requests': '200', 'x-ratelimit-remaining-requests': '199', 'x-ratelimit-reset-requests': '7m12s' }),
    );
    expect(daily).toBeUndefined();
    // Cerebras spells the windows out; a day of 14,400 binds harder than 30 a minute.
    const spelled = parseRateLimitHeaders(
      new Headers({ 'x-ratelimit-limit-requests-day': '14400', 'x-ratelimit-limit-requests-minute': '30', 'x-ratelimit-limit-tokens-minute': '60000' }),
    );
    expect(spelled?.requests).toEqual({ limit: 14_400, windowMs: 86_400_000 });
    expect(spelled?.tokens).toEqual({ limit: 60_000, windowMs: 60_000 });
  });

  it("Together's bare names are Together's only: another server's x-ratelimit-limit may count per minute or per hour", () => {
    const bare = new Headers({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59' });
    expect(parseRateLimitHeaders(bare, 'together')?.requests).toEqual({ limit: 60, windowMs: 1000, remaining: 59 });
    expect(parseRateLimitHeaders(bare, 'openai_compatible')).toBeUndefined();
    expect(parseRateLimitHeaders(bare, 'huggingface')).toBeUndefined();
    // The common epoch-seconds reset is far longer than a second: not paced on either.
    expect(parseRateLimitHeaders(new Headers({ 'x-ratelimit-limit': '60', 'x-ratelimit-reset': '1700000000' }), 'together')).toBeUndefined();
  });

  it('a reset a rounding past its window still belongs to it; one well past it does not', () => {
    const together = (reset: string) => parseRateLimitHeaders(new Headers({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': reset }));
    expect(together('1.001')?.requests).toMatchObject({ limit: 3, windowMs: 1000, remaining: 2 });
    expect(together('1.001')?.requests?.resetMs).toBeCloseTo(1001, 6);
    expect(together('2')).toBeUndefined();
    const openai = (reset: string) => parseRateLimitHeaders(new Headers({ 'x-ratelimit-limit-requests': '60', 'x-ratelimit-reset-requests': reset }));
    expect(openai('1m0.5s')?.requests?.resetMs).toBe(60_500);
    expect(openai('1m30s')).toBeUndefined();
  });

  it('nothing, or nonsense, gives no snapshot', () => {
    expect(parseRateLimitHeaders(undefined)).toBeUndefined();
    expect(parseRateLimitHeaders(new Headers({ 'content-type': 'application/json' }))).toBeUndefined();
    expect(parseRateLimitHeaders(new Headers({ 'x-ratelimit-limit-requests': 'lots', 'x-ratelimit-limit': '-3' }))).toBeUndefined();
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseGoDuration('17.28s')).toBe(17_280);
    expect(parseGoDuration('12ms')).toBe(12);
    expect(parseGoDuration('6m0s')).toBe(360_000);
    expect(parseGoDuration('soon')).toBeUndefined();
    expect(parseGoDuration('5s later')).toBeUndefined();
  });
});

describe('the emulator sends each style, and the real SDKs hand them over', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 3 });
  });
  afterAll(async () => emulator.close());

  const body = { model: 'emulator-tester', messages: conversation('hello there') };

  it.each([
    ['openai', 'openai_compatible', { requestsPerSecond: 2, tokensPerMinute: 90_000 }, 2, 90_000],
    ['together', 'together', { requestsPerSecond: 3, tokensPerMinute: 120_000 }, 3, 120_000],
    ['mistral', 'mistral', { requestsPerSecond: 3, tokensPerMinute: 500_000 }, undefined, 500_000],
  ] as const)('%s style reads back as the limits the emulator enforces', async (style, provider, limits, perSecond, perMinute) => {
    emulator.configure(provider, { ...limits, rateLimitHeaders: style, limiter: 'sliding-window' });
    const reply = await postChat(emulator, provider, body);
    expect(reply.status).toBe(200);
    const snapshot = parseRateLimitHeaders(reply.headers);
    expect(snapshot?.style).toBe(style);
    expect(snapshot?.requests === undefined ? undefined : limitPerSecond(snapshot.requests)).toBe(perSecond);
    expect(limitPerMinute(snapshot!.tokens!)).toBe(perMinute);
    if (snapshot?.requests !== undefined) expect(limitPerSecond(snapshot.requests) * (snapshot.requests.remaining ?? 0)).toBeGreaterThan(0);
  });

  it('rateLimitHeaders: true sends each provider its own style; without it none are sent', async () => {
    for (const [provider, style] of [['mistral', 'mistral'], ['together', 'together'], ['huggingface', 'openai'], ['openai_compatible', 'openai']] as const) {
      emulator.configure(provider, { requestsPerSecond: 5, tokensPerMinute: 100_000, rateLimitHeaders: true });
      expect(parseRateLimitHeaders((await postChat(emulator, provider, body)).headers)?.style).toBe(style);
      emulator.configure(provider, { requestsPerSecond: 5 });
      expect(parseRateLimitHeaders((await postChat(emulator, provider, body)).headers)).toBeUndefined();
    }
  });

  it('a refusal by the request limiter says nothing remains; the SDK adapters carry the snapshot on the reply and on the error', async () => {
    emulator.configure('together', { requestsPerSecond: 1, limiter: 'sliding-window', rateLimitHeaders: true });
    const together = createProvider('together', { apiKey: 'headers-key-123456', baseUrl: emulator.baseUrls.together });
    const result = await together.complete({ model: 'emulator-tester', messages: [{ role: 'user', content: 'hi' }] });
    expect(result.rateLimit).toMatchObject({ style: 'together', requests: { limit: 1, windowMs: 1000, remaining: 0 } });
    const error = await together.complete({ model: 'emulator-tester', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).rateLimit).toMatchObject({ style: 'together', requests: { remaining: 0 } });

    emulator.configure('huggingface', { requestsPerSecond: 1, limiter: 'sliding-window', rateLimitHeaders: true });
    const huggingface = createProvider('huggingface', { apiKey: 'hf_headers_key_123456', baseUrl: emulator.baseUrls.huggingface });
    const reply = await huggingface.complete({ model: 'emulator-tester', messages: [{ role: 'user', content: 'hi' }] });
    expect(reply.rateLimit).toMatchObject({ style: 'openai', requests: { limit: 60, windowMs: 60_000, remaining: 0 } });

    emulator.configure('mistral', { requestsPerSecond: 1, limiter: 'sliding-window', tokensPerMinute: 200_000, rateLimitHeaders: true });
    const mistral = createProvider('mistral', { apiKey: 'mistral-headers-key-123456', baseUrl: emulator.baseUrls.mistral });
    const answered = await mistral.complete({ model: 'emulator-tester', messages: [{ role: 'user', content: 'hi' }] });
    expect(answered.rateLimit).toMatchObject({ style: 'mistral', tokens: { limit: 200_000, windowMs: 60_000 } });
    const refused = await mistral.complete({ model: 'emulator-tester', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect((refused as ProviderError).rateLimit).toMatchObject({ style: 'mistral', tokens: { limit: 200_000, windowMs: 60_000 } });
  });

  it('the tokens-per-minute limit refuses once the minute is spent and says so in the headers', async () => {
    emulator.configure('openai_compatible', { tokensPerMinute: 5, rateLimitHeaders: 'openai' });
    expect((await postChat(emulator, 'openai_compatible', body)).status).toBe(200);
    const refused = await postChat(emulator, 'openai_compatible', body);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(Number(refused.headers.get('retry-after-ms'))).toBeGreaterThan(50_000);
    expect(JSON.parse(refused.text).error.message).toMatch(/tokens per minute/);
    expect(emulator.counters().openai_compatible).toMatchObject({ tokenLimited: 1 });
  });
});
