/**
 * How late a start may be and still count the next interval from when it was due: a tenth of the
 * interval, at most 10 ms. Timer lateness is forgiven; a stalled event loop or an idle provider is not.
 */
const FORGIVEN_LATENESS_FRACTION = 0.1;
const FORGIVEN_LATENESS_MAX_MS = 10;

/**
 * When one provider's next request may start: one interval after the previous start, never
 * before a Retry-After pause ends, and never more starts in a one-second window than the rate.
 *
 * Timers fire a millisecond or more after they are due (more when the event loop is busy);
 * counting each interval from the actual start would add that lateness to every interval, 1–2 %
 * of the rate in `npm run bench`. So a request that was already waiting when its start fell due
 * counts the next interval from the due time, and the next start may come up to the forgiven
 * lateness less than an interval after it. The last second's starts, kept as they happened, still
 * bound every window to the rate. A request that arrived later, or was held up for longer (an
 * idle provider, a stalled event loop), counts from its actual start: no backlog is caught up in
 * a burst.
 */
export class RequestPacer {
  private readonly intervalMs: number;
  private readonly forgivenLatenessMs: number;
  /** The actual times of the last starts that fit in one second at this rate (a ring; the oldest at `oldest`). */
  private readonly recentStarts: Float64Array;
  private oldest = 0;
  /** The next interval counts from here: the last start, or the moment it was due. */
  private anchorAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  /** The interval, or longer while 429s have cut the rate (see AdaptiveRate). */
  private spacingMs: number;

  /** `intervalMs` is 1000 / requests per second, plus any safety margin. */
  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
    this.spacingMs = intervalMs;
    this.forgivenLatenessMs = Math.min(FORGIVEN_LATENESS_MAX_MS, intervalMs * FORGIVEN_LATENESS_FRACTION);
    // 1e-9 absorbs float error such as 1000 / (1000 / 3) = 2.9999999999999996.
    const perSecond = Math.max(1, Math.floor(1000 / intervalMs + 1e-9));
    this.recentStarts = new Float64Array(perSecond).fill(Number.NEGATIVE_INFINITY);
  }

  /** The earliest moment the next request may start. */
  dueAt(): number {
    const windowEnd = (this.recentStarts[this.oldest] as number) + this.recentStarts.length * this.intervalMs;
    return Math.max(this.anchorAt + this.spacingMs, windowEnd, this.pausedUntil);
  }

  /** Spaces starts for `fraction` (at most 1) of the configured rate; the one-second window still holds. */
  slowTo(fraction: number): void {
    this.spacingMs = this.intervalMs / Math.min(1, fraction);
  }

  /** No start before `until` (a Retry-After); an earlier pause end is kept if later. */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** Records a start at `now` (at or after `dueAt()`) of a request that has been waiting since `waitingSince`. */
  recordStart(now: number, waitingSince: number): void {
    const anchor = Math.max(this.dueAt(), waitingSince);
    this.anchorAt = now - anchor <= this.forgivenLatenessMs ? anchor : now;
    this.recentStarts[this.oldest] = now;
    this.oldest = (this.oldest + 1) % this.recentStarts.length;
  }
}
