/** What one provider's queue did since the last reading. */
export interface FlowSample {
  /** Time during which a request could have started here but none was waiting, in ms. */
  readonly idleMs: number;
  /** Integral of the number of waiting requests over time, in request·ms. */
  readonly waitingMs: number;
  /** Requests started. */
  readonly starts: number;
  /** Length of the reading, in ms. */
  readonly elapsedMs: number;
}

/**
 * Measures, for the concurrency controller, whether a provider is starved (start times pass with
 * nobody waiting: more conversations would have used them) or over-fed (requests queue). Event-
 * driven: the slot reports queue changes and starts; nothing polls.
 *
 * Idle time is only counted from the moment the next start was due: while the pacer holds the
 * next start back (the interval, a Retry-After pause, a token shortfall), an empty queue loses
 * nothing.
 */
export class FlowMeter {
  private idleMs = 0;
  private waitingMs = 0;
  private starts = 0;
  private readSince: number;
  private changedAt: number;
  private waiting = 0;
  /** When the queue last became empty; idle time cannot start before it. */
  private emptySince: number;

  constructor(now: number) {
    this.readSince = now;
    this.changedAt = now;
    this.emptySince = now;
  }

  /**
   * The queue is about to hold `waiting` requests. `dueAt` is when the next start was allowed;
   * `canStart` says whether anything but the lack of a waiting request stood in the way
   * (health, the concurrency cap).
   */
  queueChanged(now: number, waiting: number, dueAt: number, canStart: boolean): void {
    this.integrate(now);
    if (this.waiting === 0 && waiting > 0) this.countIdle(now, dueAt, canStart);
    if (this.waiting > 0 && waiting === 0) this.emptySince = now;
    this.waiting = waiting;
  }

  started(): void {
    this.starts += 1;
  }

  /** Everything since the last reading; the next reading starts now. */
  read(now: number, dueAt: number, canStart: boolean): FlowSample {
    this.integrate(now);
    if (this.waiting === 0) {
      this.countIdle(now, dueAt, canStart);
      this.emptySince = now;
    }
    const sample: FlowSample = { idleMs: this.idleMs, waitingMs: this.waitingMs, starts: this.starts, elapsedMs: now - this.readSince };
    this.idleMs = 0;
    this.waitingMs = 0;
    this.starts = 0;
    this.readSince = now;
    return sample;
  }

  private integrate(now: number): void {
    this.waitingMs += this.waiting * Math.max(0, now - this.changedAt);
    this.changedAt = now;
  }

  private countIdle(now: number, dueAt: number, canStart: boolean): void {
    if (canStart) this.idleMs += Math.max(0, now - Math.max(this.emptySince, dueAt));
  }
}
