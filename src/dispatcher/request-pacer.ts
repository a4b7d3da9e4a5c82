/**
 * How late a start may be and still count the next interval from when it was due: half the
 * interval, at most 10 ms. Timer lateness is forgiven; a stalled event loop or an idle provider is not.
 * A tenth of the interval (what it was) forgave 1.7 ms at 60 requests/s, less than a busy event
 * loop's timers are late, and two providers at 60/s with a queue always waiting ran at 0.95 of
 * their rate (0.97 with half; the window still bounds every second to the rate).
 */
const FORGIVEN_LATENESS_FRACTION = 0.5;
const FORGIVEN_LATENESS_MAX_MS = 10;

/**
 * When one provider's next request may start: one interval after the previous start, never
 * before a Retry-After pause ends, and never more starts in a one-second window (stretched by the
 * learned margin) than the rate.
 *
 * Timers fire a millisecond or more after they are due (more when the event loop is busy);
 * counting each interval from the actual start would add that lateness to every interval, 1–2 %
 * of the rate in `npm run bench`. So a request that was already waiting when its start fell due
 * counts the next interval from the due time, and the next start may come up to the forgiven
 * lateness less than an interval after it. The last window's starts, kept as they happened, still
 * bound every window to the rate. A request that arrived later, or was held up for longer (an
 * idle provider, a stalled event loop), counts from its actual start: no backlog is caught up in
 * a burst.
 */
export class RequestPacer {
  private intervalMs = 0;
  private forgivenLatenessMs = 0;
  /** The actual times of the last starts that fit in one window at this rate (a ring; the oldest at `oldest`). */
  private recentStarts = new Float64Array(0);
  private oldest = 0;
  /** The next interval counts from here: the last start, or the moment it was due. */
  private anchorAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  /** Fraction of the rate while 429s have cut it (see AdaptiveRate); 1 otherwise. */
  private fraction = 1;
  /** Extra ms every window of `recentStarts.length` starts is stretched by (see LearnedMargin). */
  private marginMs = 0;

  /** `intervalMs` is 1000 / requests per second, plus any configured margin. */
  constructor(intervalMs: number) {
    this.setInterval(intervalMs);
  }

  /** The starts one window holds at this rate. */
  get windowStarts(): number {
    return this.recentStarts.length;
  }

  /**
   * Changes the rate (the server's headers said another): the starts already made keep counting,
   * the newest of them as many as a window now holds.
   */
  setInterval(intervalMs: number): void {
    // 1e-9 absorbs float error such as 1000 / (1000 / 3) = 2.9999999999999996.
    const perWindow = Math.max(1, Math.floor(1000 / intervalMs + 1e-9));
    const kept = this.startsNewestLast().slice(-perWindow);
    const starts = new Float64Array(perWindow).fill(Number.NEGATIVE_INFINITY);
    starts.set(kept, perWindow - kept.length);
    this.recentStarts = starts;
    this.oldest = 0;
    this.intervalMs = intervalMs;
    this.forgivenLatenessMs = Math.min(FORGIVEN_LATENESS_MAX_MS, intervalMs * FORGIVEN_LATENESS_FRACTION);
  }

  /** The earliest moment the next request may start. */
  dueAt(): number {
    const windowEnd = (this.recentStarts[this.oldest] as number) + this.recentStarts.length * this.intervalMs + this.marginMs;
    const spacing = this.perStartMs() / this.fraction;
    return Math.max(this.anchorAt + spacing, windowEnd, this.pausedUntil);
  }

  /** The time each start takes at the full rate: the interval plus its share of the window's margin. */
  perStartMs(): number {
    return this.intervalMs + this.marginMs / this.recentStarts.length;
  }

  /** Spaces starts for `fraction` (at most 1) of the rate; the window still holds. */
  slowTo(fraction: number): void {
    this.fraction = Math.min(1, fraction);
  }

  /** Stretches every window by `ms` (and each interval by its share of it). */
  setMargin(ms: number): void {
    this.marginMs = Math.max(0, ms);
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

  private startsNewestLast(): number[] {
    const starts: number[] = [];
    for (let index = 0; index < this.recentStarts.length; index++) {
      const start = this.recentStarts[(this.oldest + index) % this.recentStarts.length] as number;
      if (start !== Number.NEGATIVE_INFINITY) starts.push(start);
    }
    return starts;
  }
}
