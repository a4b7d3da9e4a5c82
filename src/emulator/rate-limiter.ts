/** The outcome of asking the limiter for one request slot. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

export interface TokenBucketOptions {
  readonly requestsPerSecond: number;
  /** @default max(1, ceil(requestsPerSecond)) */
  readonly burst?: number;
}

/**
 * A token bucket: `burst` tokens, refilled continuously at `requestsPerSecond`. The default
 * capacity is one second of requests, so a client that paces exactly at the rate (with the usual
 * timer jitter) always finds a token, while a burst above it is refused.
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions, now: number) {
    const { requestsPerSecond } = options;
    if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) {
      throw new RangeError(
        `Expected \`requestsPerSecond\` to be a finite number > 0, got \`${requestsPerSecond}\` (${typeof requestsPerSecond})`,
      );
    }
    const capacity = options.burst ?? Math.max(1, Math.ceil(requestsPerSecond));
    if (!Number.isFinite(capacity) || capacity < 1) {
      throw new RangeError(`Expected \`burst\` to be a finite number >= 1, got \`${capacity}\` (${typeof capacity})`);
    }
    this.#ratePerMs = requestsPerSecond / 1000;
    this.#capacity = capacity;
    this.#tokens = capacity;
    this.#updatedAt = now;
  }

  /** Takes one token if there is one; otherwise says how long until there will be. */
  take(now: number): RateDecision {
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#ratePerMs);
    this.#updatedAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true };
    }
    const retryAfterMs = Math.max(1, Math.ceil((1 - this.#tokens) / this.#ratePerMs));
    return { allowed: false, retryAfterMs };
  }
}

/** Both headers real providers send with a 429: whole seconds (at least 1) and exact milliseconds. */
export function retryAfterHeaders(retryAfterMs: number): Record<string, string> {
  return {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    'retry-after-ms': String(Math.max(1, Math.ceil(retryAfterMs))),
  };
}
