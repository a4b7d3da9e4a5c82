import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import type { RateLimitSnapshot } from '../../src/core/types.js';
import { LearnedMargin } from '../../src/dispatcher/learned-margin.js';
import { rateLimitCause } from '../../src/dispatcher/rate-limit-cause.js';

const POLICY = { marginStepMs: 4, marginDecayMs: 0.01, marginMaximumMs: 250 };

function rateLimited(body?: string, rateLimit?: RateLimitSnapshot): ProviderError {
  return new ProviderError('HTTP 429', { provider: 'together', kind: 'rate_limit', status: 429, body, rateLimit });
}

describe('learned margin', () => {
  it('grows by a step on each 429 for the request rate and narrows by a sliver per request started', () => {
    const margin = new LearnedMargin(POLICY);
    expect(margin.widen()).toBe(true);
    expect(margin.widen()).toBe(false);
    expect(margin.marginMs).toBe(8);
    for (let start = 0; start < 100; start++) margin.onStart();
    expect(margin.marginMs).toBeCloseTo(7, 9);
    for (let start = 0; start < 10_000; start++) margin.onStart();
    expect(margin.marginMs).toBe(0);
    for (let refusal = 0; refusal < 1_000; refusal++) margin.widen();
    expect(margin.marginMs).toBe(250);
  });

  it('settles where refusals are as rare as step ÷ decay, whatever the jitter', () => {
    // A jitter whose tail shrinks with the margin: a start is refused when the delay of the request
    // one window earlier, drawn from a heavy tail, exceeds the margin.
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delay = (): number => (random() < 0.2 ? -25 * Math.log(random()) : random() * 2);
    const margin = new LearnedMargin(POLICY);
    let refusals = 0;
    const starts = 200_000;
    for (let start = 0; start < starts; start++) {
      if (delay() > margin.marginMs) {
        refusals++;
        margin.widen();
      }
      margin.onStart();
    }
    // Without a margin a fifth of the starts would be refused; step ÷ decay = one in 400.
    expect(refusals / starts).toBeGreaterThan(0.0015);
    expect(refusals / starts).toBeLessThan(0.0035);
    expect(margin.marginMs).toBeGreaterThan(60);
    expect(margin.marginMs).toBeLessThan(200);
  });
});

describe('what a 429 says went wrong', () => {
  it('the headers decide first: the limit with nothing remaining refused', () => {
    const requests = { limit: 8, windowMs: 1000 };
    expect(rateLimitCause(rateLimited(undefined, { style: 'together', requests: { ...requests, remaining: 0 } }))).toBe('requests');
    expect(
      rateLimitCause(
        rateLimited(undefined, { style: 'openai', requests: { ...requests, remaining: 3 }, tokens: { limit: 9000, windowMs: 60_000, remaining: 0 } }),
      ),
    ).toBe('tokens');
    // Room left on both: a busy server, whatever the body says.
    expect(
      rateLimitCause(
        rateLimited('Rate limit exceeded', { style: 'openai', requests: { ...requests, remaining: 3 }, tokens: { limit: 9000, windowMs: 60_000, remaining: 50 } }),
      ),
    ).toBe('other');
  });

  it('without headers the body decides; a bare 429 is the request rate', () => {
    expect(rateLimitCause(rateLimited('{"object":"error","message":"Service tier capacity exceeded for this model.","type":"service_tier_capacity_exceeded","code":"3505"}'))).toBe('other');
    expect(rateLimitCause(rateLimited('{"error":"Model is overloaded","error_type":"overloaded"}'))).toBe('other');
    expect(rateLimitCause(rateLimited('You exceeded your current quota, please check your plan and billing details.'))).toBe('other');
    expect(rateLimitCause(rateLimited('Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29500, Requested 900.'))).toBe('tokens');
    expect(rateLimitCause(rateLimited('Rate limit reached for gpt-4o on requests per min (RPM): Limit 3, Used 3, Requested 1.'))).toBe('requests');
    expect(rateLimitCause(rateLimited())).toBe('requests');
    // Mistral reports tokens only: with tokens to spare, the body still has its say.
    expect(rateLimitCause(rateLimited('Requests rate limit exceeded', { style: 'mistral', tokens: { limit: 500_000, windowMs: 60_000, remaining: 1000 } }))).toBe(
      'requests',
    );
  });
});
