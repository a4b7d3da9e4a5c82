import type { LimiterStatus, RateDecision } from './rate-limiter.js';

const MINUTE_MS = 60_000;

/**
 * A tokens-per-minute limit over a sliding minute, charged with each answer's input + output
 * tokens when it is decided. A request is refused while the last minute already used the whole
 * budget; the refusal says when enough of it will have left the window.
 */
export class TokenLimiter {
  readonly #limit: number;
  /** [time, tokens] of each charge, oldest first. */
  readonly #charges: [number, number][] = [];
  #used = 0;

  constructor(tokensPerMinute: number) {
    if (!Number.isFinite(tokensPerMinute) || tokensPerMinute < 1) {
      throw new RangeError(`Expected \`tokensPerMinute\` to be a finite number >= 1, got \`${tokensPerMinute}\` (${typeof tokensPerMinute})`);
    }
    this.#limit = tokensPerMinute;
  }

  check(now: number): RateDecision {
    this.#prune(now);
    if (this.#used < this.#limit) return { allowed: true };
    let freed = 0;
    for (const [at, tokens] of this.#charges) {
      freed += tokens;
      if (this.#used - freed < this.#limit) return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(at + MINUTE_MS - now)) };
    }
    return { allowed: false, retryAfterMs: MINUTE_MS };
  }

  charge(now: number, tokens: number): void {
    if (tokens <= 0) return;
    this.#charges.push([now, tokens]);
    this.#used += tokens;
  }

  status(now: number): LimiterStatus {
    this.#prune(now);
    const newest = this.#charges.at(-1);
    return {
      limit: this.#limit,
      windowMs: MINUTE_MS,
      remaining: Math.max(0, Math.floor(this.#limit - this.#used)),
      resetMs: newest === undefined ? 0 : Math.ceil(newest[0] + MINUTE_MS - now),
    };
  }

  #prune(now: number): void {
    let leaving = 0;
    while (leaving < this.#charges.length && (this.#charges[leaving] as [number, number])[0] <= now - MINUTE_MS) {
      this.#used -= (this.#charges[leaving] as [number, number])[1];
      leaving++;
    }
    if (leaving > 0) this.#charges.splice(0, leaving);
  }
}
