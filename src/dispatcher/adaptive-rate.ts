/**
 * What a 429 without Retry-After did: `cut` halved the rate; `sent_before_cut` answered a request
 * sent at the old pace, which the last cut already answered.
 */
export type RateLimitVerdict = 'cut' | 'sent_before_cut';

/**
 * Additive increase, multiplicative decrease of one provider's request rate, for 429s that do not
 * say when to come back. Without it a configured rate above the server's real limit draws a 429
 * for a share of the requests all night; with it the pace saws just under the limit.
 *
 * A 429 halves the rate, once per round: the answers to requests sent before a cut were caused by
 * the old pace and do not cut again (TCP's once-per-window rule). The rate then climbs back in a
 * straight line, by the whole configured rate per `recoveryMs`, so it is back in full at most
 * `recoveryMs` after the last cut.
 */
export class AdaptiveRate {
  /** Fraction of the configured rate at `levelAt`; 1 means not slowed. */
  private level = 1;
  private levelAt = 0;
  private lastCutAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly recoveryMs: number,
    private readonly floor: number,
  ) {}

  /** Whether the rate is below the configured one (as of the last `restoreIfRecovered`). */
  get slowed(): boolean {
    return this.level < 1;
  }

  /** Fraction of the configured rate to pace at, at `now`: between the floor and 1. */
  fraction(now: number): number {
    if (this.level >= 1) return 1;
    return Math.min(1, this.level + (now - this.levelAt) / this.recoveryMs);
  }

  /** Reacts to a 429 without Retry-After that answered a request started at `startedAt`. */
  onRateLimited(startedAt: number, now: number): RateLimitVerdict {
    if (startedAt < this.lastCutAt) return 'sent_before_cut';
    this.level = Math.max(this.floor, this.fraction(now) / 2);
    this.levelAt = now;
    this.lastCutAt = now;
    return 'cut';
  }

  /** Marks the rate as whole again once it has climbed back; true on the call that does so. */
  restoreIfRecovered(now: number): boolean {
    if (this.level >= 1 || this.fraction(now) < 1) return false;
    this.level = 1;
    return true;
  }
}
