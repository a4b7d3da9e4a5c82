/** The outcome of asking the limiter for one request slot. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

/** Where a limiter stands, for the rate-limit headers: what it allows per window and what is left. */
export interface LimiterStatus {
  /** Requests allowed per `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
  /** Requests that would be allowed right now, whole. */
  readonly remaining: number;
  /** Until the limiter is back at `limit` if nothing else arrives, in ms. */
  readonly resetMs: number;
}

/** What both limiters do: decide one arrival, and say where they stand. */
export interface RequestLimiter {
  take(now: number): RateDecision;
  status(now: number): LimiterStatus;
}

export const LIMITER_KINDS = ['token-bucket', 'sliding-window'] as const;

export type LimiterKind = (typeof LIMITER_KINDS)[number];

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
export class TokenBucket implements RequestLimiter {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions, now: number) {
    const { requestsPerSecond } = options;
    checkRate(requestsPerSecond);
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
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true };
    }
    const retryAfterMs = Math.max(1, Math.ceil((1 - this.#tokens) / this.#ratePerMs));
    return { allowed: false, retryAfterMs };
  }

  status(now: number): LimiterStatus {
    this.#refill(now);
    return {
      limit: this.#capacity,
      windowMs: this.#capacity / this.#ratePerMs,
      remaining: Math.floor(this.#tokens),
      resetMs: Math.ceil((this.#capacity - this.#tokens) / this.#ratePerMs),
    };
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#ratePerMs);
    this.#updatedAt = now;
  }
}

export interface SlidingWindowOptions {
  /** At least 1; below 1 per second the window stretches to hold one request (0.5 → one per 2 s). */
  readonly requestsPerSecond: number;
  /**
   * Whether refused arrivals take a place in the window too. Gateways do it both ways: a counter
   * that is incremented before it is compared (the common Redis sorted-set recipe: add, then count)
   * counts them; one that checks first does not. Counting them is the harsher: a client that
   * comes back too early stays locked out. @default true
   */
  readonly countRefused?: boolean;
}

/**
 * Counts requests on arrival in a strict sliding window: an arrival is refused when the window
 * ending at it, (now - windowMs, now], already holds `limit` counted arrivals, and the refusal's
 * Retry-After says when enough of them will have left it for one more to fit. The harshest real
 * gateways work this way; unlike the token bucket there is no burst to absorb a client whose
 * requests arrive a few milliseconds closer together than it sent them.
 */
export class SlidingWindowLimiter implements RequestLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #countRefused: boolean;
  /** Counted arrival times, oldest first. */
  readonly #arrivals: number[] = [];

  constructor(options: SlidingWindowOptions) {
    const { requestsPerSecond } = options;
    checkRate(requestsPerSecond);
    const window = slidingWindowOf(requestsPerSecond);
    this.#limit = window.limit;
    this.#windowMs = window.windowMs;
    this.#countRefused = options.countRefused ?? true;
  }

  take(now: number): RateDecision {
    this.#prune(now);
    const count = this.#arrivals.length;
    if (count < this.#limit) {
      this.#arrivals.push(now);
      return { allowed: true };
    }
    if (this.#countRefused) this.#arrivals.push(now);
    // One more fits once all but limit - 1 of the counted arrivals (this one too, if counted) have left.
    const mustLeave = this.#arrivals[this.#arrivals.length - this.#limit] as number;
    return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(this.#untilLeaves(mustLeave, now))) };
  }

  status(now: number): LimiterStatus {
    this.#prune(now);
    const newest = this.#arrivals.at(-1);
    return {
      limit: this.#limit,
      windowMs: this.#windowMs,
      remaining: Math.max(0, this.#limit - this.#arrivals.length),
      resetMs: newest === undefined ? 0 : Math.ceil(this.#untilLeaves(newest, now)),
    };
  }

  /**
   * How long until an arrival at `at` leaves the window. Written as the window less the time
   * since, not `at + window - now`: on the emulator's fractional clock that sum rounds, and an
   * arrival this instant read 1000.0000000000001 ms, ceiled to 1001, a reset longer than the
   * window that clients rightly distrust.
   */
  #untilLeaves(at: number, now: number): number {
    return this.#windowMs - (now - at);
  }

  #prune(now: number): void {
    let leaving = 0;
    while (leaving < this.#arrivals.length && (this.#arrivals[leaving] as number) <= now - this.#windowMs) leaving++;
    if (leaving > 0) this.#arrivals.splice(0, leaving);
  }
}

/**
 * The window a sliding-window limiter counts in: one second holding the rate, or for rates below
 * one per second the time one request takes. A fractional rate above one (2.5) has no whole count
 * per second; it is refused rather than silently rounded.
 */
export function slidingWindowOf(requestsPerSecond: number): { readonly limit: number; readonly windowMs: number } {
  if (requestsPerSecond < 1) return { limit: 1, windowMs: 1000 / requestsPerSecond };
  if (!Number.isInteger(requestsPerSecond)) {
    throw new RangeError(
      `Expected \`requestsPerSecond\` of a sliding-window limiter to be a whole number, or below 1, got \`${requestsPerSecond}\`; ` +
        'use the token bucket for a fractional rate',
    );
  }
  return { limit: requestsPerSecond, windowMs: 1000 };
}

export function createRequestLimiter(
  kind: LimiterKind,
  options: { readonly requestsPerSecond: number; readonly burst?: number; readonly countRefused?: boolean },
  now: number,
): RequestLimiter {
  return kind === 'sliding-window'
    ? new SlidingWindowLimiter({ requestsPerSecond: options.requestsPerSecond, countRefused: options.countRefused })
    : new TokenBucket({ requestsPerSecond: options.requestsPerSecond, burst: options.burst }, now);
}

/** Both headers real providers send with a 429: whole seconds (at least 1) and exact milliseconds. */
export function retryAfterHeaders(retryAfterMs: number): Record<string, string> {
  return {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    'retry-after-ms': String(Math.max(1, Math.ceil(retryAfterMs))),
  };
}

function checkRate(requestsPerSecond: number): void {
  if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) {
    throw new RangeError(
      `Expected \`requestsPerSecond\` to be a finite number > 0, got \`${requestsPerSecond}\` (${typeof requestsPerSecond})`,
    );
  }
}
