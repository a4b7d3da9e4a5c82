import type { Random } from '../core/random.js';

/** How one request is retried. One policy for every provider: the SDKs' own retries are off. */
export interface RetryPolicy {
  /** Ceiling of the first backoff, in ms; it doubles per failed attempt. @default 500 */
  readonly baseMs: number;
  /** Largest backoff ceiling, in ms. @default 30_000 */
  readonly capMs: number;
  /**
   * Attempts per request, the first one included, across every provider the request visits.
   * Waiting for pacing, a pause or a cooldown is not an attempt. @default 6
   */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  baseMs: 500,
  capMs: 30_000,
  maxAttempts: 6,
});

/**
 * Full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015): a uniform delay in
 * [0, min(cap, base × 2^retry)) spreads the retries of many conversations evenly instead of
 * sending them back in waves. `failedAttempts` counts from 1, so the first retry uses `baseMs`.
 */
export function backoffDelayMs(policy: RetryPolicy, failedAttempts: number, random: Random): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return random() * ceiling;
}
